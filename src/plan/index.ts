/**
 * Planning entry point: desired + observed → Plan (diff, then plan). Pure.
 */
import type { DesiredState } from "../desired-state/types";
import type { ObservedState } from "../observe/types";
import { diff } from "./diff";
import { buildPlan } from "./plan";
import type { Plan } from "./types";

export { newRunId } from "./run-id";

export function planChanges(
  desired: DesiredState,
  observed: ObservedState,
  meta: { mode: "dry-run" | "apply"; runId: string },
): Plan {
  const { drift, actions } = diff(desired, observed);
  return buildPlan(drift, actions, desired, meta);
}
