/**
 * Kubernetes-style status of every manifest object after a run: conditions `InSync`, `Drifted`
 * and `RemediationFailed`, its open drift, when it was last reconciled and with which manifest
 * revision. Pure.
 */
import type { AnyManifest } from "../desired-state/types";
import type { Drift } from "../plan/types";
import type { Condition, ConditionType, ManifestRef, ObjectStatus, OpenDrift } from "./types";

export interface StatusRun {
  runId: string;
  manifestRevision: string;
  /** When the run compared the objects with the live account. */
  at: string;
}

/** What the status needs of a desired state (a `DesiredState` is one). */
export interface ManifestSet {
  fileSystems: readonly Pick<AnyManifest, "kind" | "name" | "source">[];
  accessPoints: readonly Pick<AnyManifest, "kind" | "name" | "source">[];
  functions: readonly Pick<AnyManifest, "kind" | "name" | "source">[];
}

/** Every manifest object of a desired state, in manifest order (file systems, access points, functions). */
export function manifestRefs(desired: ManifestSet): ManifestRef[] {
  return [...desired.fileSystems, ...desired.accessPoints, ...desired.functions].map((m) => ({
    kind: m.kind,
    name: m.name,
    file: m.source.file,
  }));
}

export function objectKey(ref: { kind: string; name: string }): string {
  return `${ref.kind}/${ref.name}`;
}

const MAX_LISTED = 3;

function describe(drift: Drift[]): string {
  const codes = drift.slice(0, MAX_LISTED).map((d) => `${d.code} ${d.resource.id}`);
  const more = drift.length > MAX_LISTED ? ` and ${drift.length - MAX_LISTED} more` : "";
  return `${drift.length} open drift item${drift.length === 1 ? "" : "s"}: ${codes.join(", ")}${more}`;
}

type Wanted = Omit<Condition, "lastTransitionTime">;

function conditionsFor(open: OpenDrift[]): Wanted[] {
  const drift = open.map((o) => o.drift);
  const manual = drift.filter((d) => d.remediation === "manual");
  const failed = open.filter((o) => o.lastFailure !== undefined);
  const inSync: Wanted =
    drift.length === 0
      ? {
          type: "InSync",
          status: "True",
          reason: "NoDrift",
          message: "the live resources match the manifest",
        }
      : { type: "InSync", status: "False", reason: "DriftOpen", message: describe(drift) };
  const drifted: Wanted =
    drift.length === 0
      ? { type: "Drifted", status: "False", reason: "NoDrift", message: "no open drift" }
      : manual.length > 0
        ? {
            type: "Drifted",
            status: "True",
            reason: "ManualActionRequired",
            message: `${describe(manual)}; a person has to fix ${manual.length === 1 ? "it" : "them"}`,
          }
        : {
            type: "Drifted",
            status: "True",
            reason: "AwaitingRemediation",
            message: `${describe(drift)}; apply remediates ${drift.length === 1 ? "it" : "them"}`,
          };
  const first = failed[0]?.lastFailure;
  const remediationFailed: Wanted = first
    ? {
        type: "RemediationFailed",
        status: "True",
        reason: "ActionFailed",
        message: `${failed.length} open drift item${failed.length === 1 ? "" : "s"} failed remediation (run ${first.runId}): ${first.error}`,
      }
    : { type: "RemediationFailed", status: "False", reason: "NoFailure", message: "no failed remediation" };
  return [inSync, drifted, remediationFailed];
}

function withTransitions(wanted: Wanted[], previous: Condition[] | undefined, at: string): Condition[] {
  const before = new Map<ConditionType, Condition>((previous ?? []).map((c) => [c.type, c]));
  return wanted.map((c) => {
    const was = before.get(c.type);
    return { ...c, lastTransitionTime: was && was.status === c.status ? was.lastTransitionTime : at };
  });
}

/**
 * The status of `objects` (plus any object that open drift names but the list lacks) after a
 * run that left `open` drift. `previous` supplies the transition times of unchanged conditions.
 */
export function computeObjectStatus(
  objects: readonly ManifestRef[],
  open: readonly OpenDrift[],
  previous: readonly ObjectStatus[],
  run: StatusRun,
): ObjectStatus[] {
  const refs = new Map<string, ManifestRef>(objects.map((o) => [objectKey(o), o]));
  const openByObject = new Map<string, OpenDrift[]>();
  for (const o of open) {
    const key = objectKey(o.drift.manifest);
    if (!refs.has(key)) refs.set(key, { ...o.drift.manifest });
    const list = openByObject.get(key);
    if (list) list.push(o);
    else openByObject.set(key, [o]);
  }
  const before = new Map(previous.map((s) => [objectKey(s), s]));
  return [...refs.entries()].map(([key, ref]) => {
    const mine = openByObject.get(key) ?? [];
    return {
      kind: ref.kind,
      name: ref.name,
      file: ref.file,
      conditions: withTransitions(conditionsFor(mine), before.get(key)?.conditions, run.at),
      openDrift: mine.map((o) => o.drift.id),
      lastReconciled: run.at,
      lastRunId: run.runId,
      observedRevision: run.manifestRevision,
    };
  });
}

/** Whether an object's `InSync` condition is true. */
export function isInSync(status: ObjectStatus): boolean {
  return status.conditions.some((c) => c.type === "InSync" && c.status === "True");
}
