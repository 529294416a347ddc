/**
 * Runs the remediation workflow in-process: the same definition AWS Step Functions runs, executed
 * by aws-local-stepfunctions with every Task state mapped (by state name) to its task function.
 * The result is read from the engine's event log: the plan, the verified report, how the
 * execution ended and how many state transitions it took. Distributed Maps (plans stored by
 * reference) run through local-distributed-map.ts, on a run store shared with the tasks.
 */

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import {
  ExecutionError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from "aws-local-stepfunctions";
import { RunSkippedError } from "../lock/run-lease";
import type { ApplyReport, Plan } from "../plan/types";
import {
  type AslMachine,
  listStates,
  type SubstitutionName,
  substituteDefinition,
  TASK_RESOURCE_PLACEHOLDERS,
  taskStates,
  workflowDefinition,
} from "./definition";
import { withLocalDistributedMaps } from "./local-distributed-map";
import { type EngineEvent, type ProgressEvent, progressOf } from "./progress";
import { planStepOf, runReport, type StateExit } from "./run-report";
import { createMemoryRunStore, type RunStore } from "./run-store";
import { loadStoredExits } from "./stored-documents";
import type { TaskDeps } from "./tasks";
import { createTasks } from "./workflow-tasks";
import type { WorkflowMode, WorkflowTasks } from "./workflow-types";

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
  /** The execution's id (`$$.Execution.Id`), which holds the run lease; default: a fresh local id. */
  executionId?: string;
  /**
   * The run store of the tasks (plans stored by reference): Distributed Maps read and write it,
   * and the report is read back from it. `runWorkflow` shares one with its tasks.
   */
  store?: RunStore;
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

function stateExits(events: readonly EngineEvent[]): StateExit[] {
  return events.flatMap((e) =>
    e.type === "StateExited" ? [{ name: e.state.name, output: e.state.output }] : [],
  );
}

function causeText(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  return typeof cause === "string" ? cause : JSON.stringify(cause);
}

/** The local execution's id (`$$.Execution.Id`): what holds the run lease. */
export function localExecutionId(): string {
  return `local:${hostname()}:${process.pid}:${randomUUID()}`;
}

/**
 * Runs the definition with the given task functions. Throws the planning error when no plan was
 * made, and RunSkippedError when another run held the lease.
 */
export async function executeWorkflow(
  tasks: WorkflowTasks,
  input: WorkflowRunInput,
  options: WorkflowRunOptions = {},
): Promise<WorkflowResult> {
  const template = workflowDefinition();
  const store = options.store ?? createMemoryRunStore();
  const handlers = localHandlers(template, tasks);
  const timing = localTimingOverrides(template, options.fastWaits ?? false);
  const events: EngineEvent[] = [];
  const collect = (event: EngineEvent): void => {
    events.push(event);
    options.onEngineEvent?.(event);
    const progress = options.onProgress ? progressOf(event) : undefined;
    if (progress) options.onProgress?.(progress);
  };
  const local = withLocalDistributedMaps(
    substituteDefinition(template, localSubstitutions(input.maxChanges)),
    () => ({ store, handlers, timing, emit: collect }),
  );
  const machine = new StateMachine(local.machine as unknown as StateMachineDefinition);
  const execution = machine.run(
    { mode: input.mode, maxChanges: input.maxChanges },
    {
      overrides: {
        taskResourceLocalHandlers: { ...handlers, ...local.handlers },
        ...timing,
      },
      context: { Execution: { Id: options.executionId ?? localExecutionId() } },
    },
  );
  const collecting = (async () => {
    for await (const event of execution.eventLogs) collect(event);
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
  const exits = await loadStoredExits(stateExits(events), store);
  const step = planStepOf(exits);
  if (step && "skipped" in step) throw new RunSkippedError(step.skipped);
  const failedEvent = events.find((e) => e.type === "ExecutionFailed");
  if (thrown === undefined && !failedEvent) {
    if (!step) throw new WorkflowEngineError("the workflow ended without a plan");
    return { status: "SUCCEEDED", report: runReport(step, exits), stateTransitions };
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
    report: runReport(step, exits, { error, ...(cause === undefined ? {} : { cause }) }),
    stateTransitions,
  };
}

/**
 * Plans and (in apply mode) remediates through the workflow definition, in-process. With a
 * `lease`, the run holds it from its TakeLease step until it ends (released here, however it ended).
 */
export async function runWorkflow(
  input: WorkflowRunInput,
  deps: TaskDeps & WorkflowRunOptions,
): Promise<WorkflowResult> {
  const { onProgress, fastWaits, onEngineEvent, executionId, ...taskDeps } = deps;
  const execution = executionId ?? localExecutionId();
  const store = taskDeps.store ?? createMemoryRunStore();
  try {
    return await executeWorkflow(createTasks({ ...taskDeps, store }), input, {
      ...(onProgress ? { onProgress } : {}),
      ...(fastWaits === undefined ? {} : { fastWaits }),
      ...(onEngineEvent ? { onEngineEvent } : {}),
      executionId: execution,
      store,
    });
  } finally {
    await taskDeps.lease?.release(execution);
  }
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
