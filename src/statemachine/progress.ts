/**
 * Progress of a local workflow run, read from the engine's event log (state entered, exited,
 * retried): what a CLI shows while `apply` runs.
 */
import type { StateMachine } from "aws-local-stepfunctions";
import type { Action, ActionStatus } from "../plan/types";
import { describeActionError } from "./action-error";
import { EXECUTE_ACTION_STATES, UNKNOWN_ACTION_STATE } from "./action-families";
import { resourcesToCheck } from "./run-state";
import type { StoredPhaseBatch } from "./stored-documents";
import type { ActionRunResult, PhaseBatch, PlanStep, RunState } from "./workflow-types";

/** One event of the engine's log. */
export type EngineEvent =
  ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

export type ProgressEvent =
  | { type: "planned"; runId: string; mode: "dry-run" | "apply"; drift: number; actions: number }
  | { type: "phaseStarted"; phase: 1 | 2 | 3; actions: number }
  | {
      type: "actionStarted";
      phase: 1 | 2 | 3;
      actionId: string;
      actionType: Action["type"];
      description: string;
    }
  | { type: "actionRetrying"; actionId: string; attempt: number }
  | {
      type: "actionFinished";
      actionId: string;
      status: ActionStatus;
      message: string | null;
      error: string | null;
    }
  | { type: "waiting"; resources: number; check: number }
  | { type: "verifying" };

/** The state data of an event, read as the document the definition says that state carries. */
function data<T>(value: unknown): T {
  return value as T;
}

/** The progress an engine event stands for, if any. */
export function progressOf(event: EngineEvent): ProgressEvent | undefined {
  if (!("state" in event)) return undefined;
  const { name, input, output } = event.state;
  // Every family's Task state runs one action; an unknown action type fails like a caught error.
  const state = EXECUTE_ACTION_STATES.has(name)
    ? "ExecuteAction"
    : name === UNKNOWN_ACTION_STATE
      ? "ActionFailed"
      : name;
  switch (`${event.type}:${state}`) {
    case "StateExited:Plan": {
      const { plan } = data<PlanStep>(output);
      return {
        type: "planned",
        runId: plan.runId,
        mode: plan.mode,
        drift: plan.summary.drift,
        actions: plan.summary.actions,
      };
    }
    case "StateEntered:RunActions":
    case "StateEntered:RunStoredActions": {
      const { phase } = data<{ cursor: { phase: PhaseBatch | StoredPhaseBatch } }>(input).cursor;
      const actions = "count" in phase ? phase.count : phase.actions.length;
      return { type: "phaseStarted", phase: phase.phase, actions };
    }
    case "StateEntered:ExecuteAction": {
      const { action } = data<{ action: Action }>(input);
      return {
        type: "actionStarted",
        phase: action.phase,
        actionId: action.id,
        actionType: action.type,
        description: action.description,
      };
    }
    case "StateRetried:ExecuteAction": {
      const { action } = data<{ action: Action }>(input);
      return event.type === "StateRetried"
        ? { type: "actionRetrying", actionId: action.id, attempt: event.retry.attempt }
        : undefined;
    }
    case "StateExited:ExecuteAction":
    case "StateExited:ActionFailed": {
      const result = data<Partial<ActionRunResult>>(output);
      // A caught failure leaves ExecuteAction with {action, error}; ActionFailed reports it.
      if (result.actionId === undefined || result.status === undefined) return undefined;
      return {
        type: "actionFinished",
        actionId: result.actionId,
        status: result.status,
        message: result.message ?? null,
        error: describeActionError(result.error ?? null),
      };
    }
    case "StateEntered:WaitForResources": {
      const { run } = data<{ run: RunState }>(input);
      return { type: "waiting", resources: resourcesToCheck(run).length, check: run.polls + 1 };
    }
    // Verification begins with the observation after the actions.
    case "StateEntered:ObserveSourcesAgain":
      return { type: "verifying" };
    default:
      return undefined;
  }
}
