/**
 * Runs the remediation workflow in-process: the same definition AWS Step Functions runs, executed
 * by aws-local-stepfunctions with every Task state mapped (by state name) to its task function.
 * The result is read from the engine's event log: the plan, the verified report, how the
 * execution ended and how many state transitions it took.
 */
import {
  ExecutionError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from "aws-local-stepfunctions";
import type { ActionResult, ApplyReport, Plan } from "../plan/types";
import { describeActionError } from "./action-error";
import { buildApplyReport, unchangedReport } from "./apply-report";
import {
  type AslMachine,
  listStates,
  type SubstitutionName,
  substituteDefinition,
  TASK_RESOURCE_PLACEHOLDERS,
  taskStates,
  WORKFLOW_ERRORS,
  workflowDefinition,
} from "./definition";
import { type EngineEvent, type ProgressEvent, progressOf } from "./progress";
import { createTasks, type TaskDeps } from "./tasks";
import type {
  ActionRunResult,
  PlanStep,
  RunState,
  VerifyOutput,
  WorkflowMode,
  WorkflowTasks,
} from "./workflow-types";

export type { EngineEvent, ProgressEvent } from "./progress";

export interface WorkflowRunInput {
  mode: WorkflowMode;
  maxChanges: number;
}

export interface WorkflowRunOptions {
  onProgress?: (event: ProgressEvent) => void;
  /** Wait and retry pauses of milliseconds: for emulators, where resources are ready at once. */
  fastWaits?: boolean;
  /** Every raw event of the engine's log (states entered, exited, retried, caught…). */
  onEngineEvent?: (event: EngineEvent) => void;
}

export interface WorkflowResult {
  status: "SUCCEEDED" | "FAILED";
  /** The Fail state's error (`MaxChangesExceeded`, `RemediationIncomplete`) or a task's error name. */
  error?: string;
  cause?: string;
  /** Dry-run: the plan. Apply: the report (results and remaining drift), also when refused or failed. */
  report: ApplyReport | Plan;
  /** States entered plus retries: what AWS Step Functions bills. */
  stateTransitions: number;
}

/** Pause of every Wait state under `fastWaits`, in milliseconds. */
export const FAST_WAIT_MS = 20;
/** Pause before every retry under `fastWaits`, in milliseconds. */
export const FAST_RETRY_MS = 5;

type LocalHandler = NonNullable<NonNullable<RunOptions["overrides"]>["taskResourceLocalHandlers"]>[string];
type Overrides = NonNullable<RunOptions["overrides"]>;

/** The substitutions a local run uses: stand-in function ARNs (never invoked) and the change limit. */
export function localSubstitutions(maxChanges: number): Record<SubstitutionName, string> {
  const values: Record<string, string> = { MaxChanges: String(maxChanges) };
  for (const [placeholder, task] of Object.entries(TASK_RESOURCE_PLACEHOLDERS)) {
    values[placeholder] = `arn:aws:lambda:us-east-1:000000000000:function:efs-reconciler-local-${task}`;
  }
  return values as Record<SubstitutionName, string>;
}

/** Wait and retry overrides: none (the definition's own timing) unless `fastWaits`. */
export function localTimingOverrides(machine: AslMachine, fastWaits: boolean): Overrides {
  if (!fastWaits) return {};
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const { name, state } of listStates(machine)) {
    if (state.Type === "Wait") waitTimeOverrides[name] = FAST_WAIT_MS;
    if (state.Retry) retryIntervalOverrides[name] = FAST_RETRY_MS;
  }
  return { waitTimeOverrides, retryIntervalOverrides };
}

function localHandlers(machine: AslMachine, tasks: WorkflowTasks): Record<string, LocalHandler> {
  const handlers: Record<string, LocalHandler> = {};
  for (const [stateName, task] of Object.entries(taskStates(machine))) {
    const fn = tasks[task] as (input: unknown) => Promise<unknown>;
    handlers[stateName] = async (input) => (await fn.call(tasks, input)) as Awaited<ReturnType<LocalHandler>>;
  }
  return handlers;
}

function lastOutput<T>(events: EngineEvent[], stateName: string): T | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.type === "StateExited" && e.state.name === stateName) return e.state.output as T;
  }
  return undefined;
}

/** Every action result the log shows, settled results (pending failures included) winning. */
function resultsFromLog(events: EngineEvent[]): ActionResult[] {
  const byId = new Map<string, ActionResult>();
  let settled: ActionResult[] = [];
  for (const e of events) {
    if (e.type !== "StateExited") continue;
    const { name, output } = e.state;
    if (name === "ExecuteAction" || name === "ActionFailed") {
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
      settled = (output as unknown as { run: RunState }).run.results;
    }
  }
  for (const r of settled) byId.set(r.actionId, r);
  return [...byId.values()];
}

function causeText(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  return typeof cause === "string" ? cause : JSON.stringify(cause);
}

function reportOf(
  step: PlanStep,
  verified: VerifyOutput | undefined,
  events: EngineEvent[],
  failure?: { error: string; cause?: string },
): ApplyReport | Plan {
  const { plan } = step;
  if (plan.mode === "dry-run") return plan;
  if (verified) return verified.report;
  if (!failure) return unchangedReport(plan, "not attempted: nothing to do");
  if (failure.error === WORKFLOW_ERRORS.maxChangesExceeded)
    return unchangedReport(plan, `not attempted: ${step.refusal}`);
  return buildApplyReport(
    plan,
    resultsFromLog(events),
    plan.drift,
    `not attempted: the run stopped early (${failure.error}${failure.cause ? `: ${failure.cause}` : ""})`,
  );
}

/** Runs the definition with the given task functions. Throws the planning error when no plan was made. */
export async function executeWorkflow(
  tasks: WorkflowTasks,
  input: WorkflowRunInput,
  options: WorkflowRunOptions = {},
): Promise<WorkflowResult> {
  const template = workflowDefinition();
  const definition = substituteDefinition(template, localSubstitutions(input.maxChanges));
  const machine = new StateMachine(definition as unknown as StateMachineDefinition);
  const execution = machine.run(
    { mode: input.mode, maxChanges: input.maxChanges },
    {
      overrides: {
        taskResourceLocalHandlers: localHandlers(template, tasks),
        ...localTimingOverrides(template, options.fastWaits ?? false),
      },
    },
  );
  const events: EngineEvent[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      events.push(event);
      options.onEngineEvent?.(event);
      const progress = options.onProgress ? progressOf(event) : undefined;
      if (progress) options.onProgress?.(progress);
    }
  })();
  let thrown: unknown;
  try {
    await execution.result;
  } catch (err) {
    thrown = err;
  }
  await collecting;

  const stateTransitions = events.filter(
    (e) => e.type === "StateEntered" || e.type === "StateRetried",
  ).length;
  const step = lastOutput<PlanStep>(events, "Plan");
  const verified = lastOutput<VerifyOutput>(events, "Verify");
  const failedEvent = events.find((e) => e.type === "ExecutionFailed");
  if (thrown === undefined && !failedEvent) {
    if (!step) throw new WorkflowEngineError("the workflow ended without a plan");
    return { status: "SUCCEEDED", report: reportOf(step, verified, events), stateTransitions };
  }
  // The engine wraps the error that ended the execution (a task's own error, or a Fail state's).
  const ended = thrown instanceof ExecutionError && thrown.cause instanceof Error ? thrown.cause : thrown;
  if (!step) {
    throw ended instanceof Error ? ended : new WorkflowEngineError(String(ended));
  }
  const error =
    ended instanceof Error
      ? ended.name
      : failedEvent?.type === "ExecutionFailed"
        ? failedEvent.Error
        : "States.Runtime";
  const cause = ended instanceof Error ? ended.message : causeText(ended);
  return {
    status: "FAILED",
    error,
    ...(cause === undefined ? {} : { cause }),
    report: reportOf(step, verified, events, { error, ...(cause === undefined ? {} : { cause }) }),
    stateTransitions,
  };
}

/** Plans and (in apply mode) remediates through the workflow definition, in-process. */
export async function runWorkflow(
  input: WorkflowRunInput,
  deps: TaskDeps & WorkflowRunOptions,
): Promise<WorkflowResult> {
  const { onProgress, fastWaits, onEngineEvent, ...taskDeps } = deps;
  return executeWorkflow(createTasks(taskDeps), input, {
    ...(onProgress ? { onProgress } : {}),
    ...(fastWaits === undefined ? {} : { fastWaits }),
    ...(onEngineEvent ? { onEngineEvent } : {}),
  });
}

export class WorkflowEngineError extends Error {
  override name = "WorkflowEngineError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(
      `${message}; this is a bug in efs-reconciler's workflow: report it with the command you ran`,
      options,
    );
  }
}
