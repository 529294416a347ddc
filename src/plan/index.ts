/**
 * Planning entry point: desired + observed → Plan (diff, then plan). Pure.
 */
import type { DesiredState } from "../desired-state/types";
import type { ObservedState } from "../observe/types";
import { diff } from "./diff";
import { buildPlan } from "./plan";
import type { Plan } from "./types";

export { newRunId } from "./run-id";

export interface PlanMeta {
  mode: "dry-run" | "apply";
  runId: string;
  /**
   * The only security groups whose ingress this deployment may change (its
   * `MountTargetSecurityGroupIds`); absent, every group a manifest names.
   */
  ingressGroups?: readonly string[];
}

export function planChanges(desired: DesiredState, observed: ObservedState, meta: PlanMeta): Plan {
  const { drift, actions } = diff(desired, observed, { ingressGroups: meta.ingressGroups });
  return buildPlan(drift, actions, desired, { mode: meta.mode, runId: meta.runId });
}
