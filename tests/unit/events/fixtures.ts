/**
 * Small builders of drift, plans and apply reports for the record's tests.
 */
import type { ManifestSet } from "../../../src/events/compute-status";
import type { ManifestRef } from "../../../src/events/types";
import { DRIFT_CATALOG } from "../../../src/plan/catalog";
import { stableId } from "../../../src/plan/hash";
import type {
  Action,
  ActionResult,
  ApplyReport,
  Drift,
  DriftCode,
  Plan,
  ResourceRef,
} from "../../../src/plan/types";

export const FS_REF: ManifestRef = { kind: "FileSystem", name: "ml-models", file: "desired-state/efs.yaml" };
export const AP_REF: ManifestRef = { kind: "AccessPoint", name: "models", file: "desired-state/efs.yaml" };
export const FN_REF: ManifestRef = {
  kind: "LambdaFunction",
  name: "inference",
  file: "desired-state/functions.yaml",
};

const RESOURCE_TYPES: Record<ManifestRef["kind"], ResourceRef["type"]> = {
  FileSystem: "AWS::EFS::FileSystem",
  AccessPoint: "AWS::EFS::AccessPoint",
  LambdaFunction: "AWS::Lambda::Function",
};

export function driftOf(code: DriftCode, resourceId: string, manifest: ManifestRef = FS_REF): Drift {
  const { severity, remediation } = DRIFT_CATALOG[code];
  const resource: ResourceRef = {
    type: code.startsWith("MT_") ? "AWS::EFS::MountTarget" : RESOURCE_TYPES[manifest.kind],
    id: resourceId,
  };
  return {
    id: stableId(code, resource, "field"),
    code,
    severity,
    remediation,
    resource,
    manifest: { ...manifest },
    field: "field",
    expected: "wanted",
    actual: "found",
    message: `${code} on ${resourceId}`,
  };
}

/** A PutLifecycleConfiguration-shaped action covering `drift` (the type does not matter here). */
export function actionFor(drift: Drift[], phase: 1 | 2 | 3 = 1): Action {
  const first = drift[0] as Drift;
  return {
    id: stableId(
      "action",
      drift.map((d) => d.id),
    ),
    type: "PutLifecycleConfiguration",
    params: {
      fileSystemId: first.resource.id,
      transitionToIA: "AFTER_30_DAYS",
      transitionToPrimaryStorageClass: "AFTER_1_ACCESS",
    },
    phase,
    driftIds: drift.map((d) => d.id),
    resource: first.resource,
    description: `fix ${drift.map((d) => d.code).join(", ")}`,
  };
}

export function planOf(runId: string, mode: Plan["mode"], drift: Drift[], actions: Action[] = []): Plan {
  return {
    formatVersion: "1",
    mode,
    runId,
    manifestRevision: `rev-${runId}`,
    drift,
    actions,
    summary: {
      drift: drift.length,
      auto: drift.filter((d) => d.remediation === "auto").length,
      manual: drift.filter((d) => d.remediation === "manual").length,
      actions: actions.length,
    },
  };
}

export function reportOf(
  plan: Plan,
  statuses: Record<string, ActionResult["status"]>,
  remaining: Drift[],
): ApplyReport {
  return {
    ...plan,
    results: plan.actions.map((a) => {
      const status = statuses[a.id] ?? "succeeded";
      return { actionId: a.id, status, error: status === "failed" ? "AccessDenied: not allowed" : null };
    }),
    remaining,
  };
}

/** A desired state holding just these objects (the record reads kind, name and file). */
export function desiredOf(...refs: ManifestRef[]): ManifestSet {
  const of = (kind: ManifestRef["kind"]) =>
    refs
      .filter((r) => r.kind === kind)
      .map((r) => ({ kind: r.kind, name: r.name, source: { file: r.file, line: 1, col: 1 } }));
  return { fileSystems: of("FileSystem"), accessPoints: of("AccessPoint"), functions: of("LambdaFunction") };
}

/** A clock that moves on by `stepSeconds` at each reading. */
export function steppingClock(startIso: string, stepSeconds: number): () => Date {
  let t = Date.parse(startIso);
  return () => {
    const d = new Date(t);
    t += stepSeconds * 1000;
    return d;
  };
}
