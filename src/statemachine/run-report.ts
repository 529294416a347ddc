/**
 * The report of a workflow run, read from what its states returned: the plan (a dry run, or an
 * apply that had nothing to do), the verified report, or — when the run stopped early — the plan
 * with every action's result so far. The local engine reads its event log this way and
 * `efs-reconciler run` reads a Step Functions execution's history the same way.
 */
import type { ActionResult, ApplyReport, Plan } from "../plan/types";
import { describeActionError } from "./action-error";
import { EXECUTE_ACTION_STATES, UNKNOWN_ACTION_STATE } from "./action-families";
import { refusedReport, stoppedEarlyReport, unchangedReport } from "./apply-report";
import { WORKFLOW_ERRORS } from "./definition";
import type { ActionRunResult, PlanStep, RunState, SkippedStep, VerifyOutput } from "./workflow-types";

/** A state the run left, and what it returned. */
export interface StateExit {
  name: string;
  output: unknown;
}

/** How a failed run ended: the Fail state's or the task's error, and its cause. */
export interface RunFailure {
  error: string;
  cause?: string;
}

function lastOutput<T>(exits: readonly StateExit[], stateName: string): T | undefined {
  for (let i = exits.length - 1; i >= 0; i--) {
    const e = exits[i];
    if (e?.name === stateName) return e.output as T;
  }
  return undefined;
}

/** What the Plan state returned, or TakeLease when the run was skipped; none if the run got neither far. */
export function planStepOf(exits: readonly StateExit[]): PlanStep | SkippedStep | undefined {
  const planned = lastOutput<PlanStep>(exits, "Plan");
  if (planned) return planned;
  const leased = lastOutput<Partial<SkippedStep>>(exits, "TakeLease");
  return leased?.skipped ? { skipped: leased.skipped } : undefined;
}

/** What the Verify state returned, if the run got that far (a Verify that failed, caught, returned no report). */
export function verifiedOf(exits: readonly StateExit[]): VerifyOutput | undefined {
  const out = lastOutput<Partial<VerifyOutput>>(exits, "Verify");
  return out?.report ? (out as VerifyOutput) : undefined;
}

function isActionResultState(name: string): boolean {
  return EXECUTE_ACTION_STATES.has(name) || name === "ActionFailed" || name === UNKNOWN_ACTION_STATE;
}

/** Every action result the run shows, settled results (pending failures included) winning. */
export function actionResultsOf(exits: readonly StateExit[]): ActionResult[] {
  const byId = new Map<string, ActionResult>();
  let settled: ActionResult[] = [];
  for (const { name, output } of exits) {
    if (isActionResultState(name)) {
      const r = output as Partial<ActionRunResult>;
      if (r.actionId && r.status) {
        byId.set(r.actionId, {
          actionId: r.actionId,
          status: r.status,
          error: describeActionError(r.error ?? null),
        });
      }
    }
    if (name === "SettlePhase" || name === "PollPending" || name === "GiveUpWaiting") {
      settled = (output as { run: RunState }).run.results;
    }
  }
  for (const r of settled) byId.set(r.actionId, r);
  return [...byId.values()];
}

/**
 * The run's report: dry run, the plan; apply, the verified report, or (stopped early) the plan's
 * actions with their results so far, the rest not attempted.
 */
export function runReport(
  step: PlanStep,
  exits: readonly StateExit[],
  failure?: RunFailure,
): ApplyReport | Plan {
  const { plan } = step;
  if (plan.mode === "dry-run") return plan;
  const verified = verifiedOf(exits);
  if (verified) return verified.report;
  if (!failure) return unchangedReport(plan, "not attempted: nothing to do");
  if (failure.error === WORKFLOW_ERRORS.maxChangesExceeded) return refusedReport(plan, step.refusal);
  return stoppedEarlyReport(plan, actionResultsOf(exits), failure);
}
