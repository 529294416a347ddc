/**
 * The planner: merges the diff's proposed actions, orders them in make-before-break phases and
 * gives every action a stable id. Pure.
 */
import type { DesiredState } from "../desired-state/types";
import type { ProposedAction } from "./diff";
import { stableId, stableStringify } from "./hash";
import type { Action, Drift, Plan, Severity } from "./types";

const TYPE_ORDER: Record<Action["type"], number> = {
  UpdateThroughputMode: 0,
  PutLifecycleConfiguration: 1,
  PutBackupPolicy: 2,
  AuthorizeIngress: 3,
  AuthorizeEgress: 4,
  AddMountTargetSecurityGroup: 5,
  CreateMountTarget: 6,
  TagAccessPoint: 7,
  CreateAccessPoint: 8,
  UpdateFunctionConfiguration: 9,
  UpdateFunctionFileSystem: 10,
  RevokeIngress: 11,
  DeleteAccessPoint: 12,
  PutMetricAlarm: 13,
  DeleteAlarm: 14,
};

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const KIND_ORDER = { FileSystem: 0, AccessPoint: 1, LambdaFunction: 2 } as const;

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Identical actions proposed for several drift items become one action fixing all of them. */
function merge(proposed: ProposedAction[]): ProposedAction[] {
  const byKey = new Map<string, ProposedAction>();
  for (const p of proposed) {
    const key = stableStringify([p.type, p.resource.id, p.params]);
    const seen = byKey.get(key);
    if (seen) {
      seen.driftIds = [...new Set([...seen.driftIds, ...p.driftIds])];
    } else {
      byKey.set(key, { ...p, driftIds: [...p.driftIds] });
    }
  }
  return [...byKey.values()];
}

export function sortDrift(drift: Drift[]): Drift[] {
  return [...drift].sort(
    (a, b) =>
      KIND_ORDER[a.manifest.kind] - KIND_ORDER[b.manifest.kind] ||
      cmp(a.manifest.name, b.manifest.name) ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      cmp(a.code, b.code) ||
      cmp(a.resource.id, b.resource.id) ||
      cmp(a.field, b.field),
  );
}

export function buildPlan(
  drift: Drift[],
  proposed: ProposedAction[],
  desired: DesiredState,
  meta: { mode: "dry-run" | "apply"; runId: string },
): Plan {
  const actions: Action[] = merge(proposed)
    .map((p) => ({ ...p, id: stableId(p.type, p.resource.id, p.params) }) as Action)
    .sort(
      (a, b) =>
        a.phase - b.phase ||
        TYPE_ORDER[a.type] - TYPE_ORDER[b.type] ||
        cmp(a.resource.id, b.resource.id) ||
        cmp(a.id, b.id),
    );
  const sorted = sortDrift(drift);
  const auto = sorted.filter((d) => d.remediation === "auto").length;
  return {
    formatVersion: "1",
    mode: meta.mode,
    runId: meta.runId,
    manifestRevision: desired.revision,
    drift: sorted,
    actions,
    summary: { drift: sorted.length, auto, manual: sorted.length - auto, actions: actions.length },
  };
}
