/**
 * The JSON documents the remediation workflow's states pass to each other (definition.asl.json):
 * what each task receives and returns. Plain data only: every value crosses a Lambda boundary.
 */

import type { SkippedRun } from "../lock/run-lease";
import type { ObservedChecklist, ObservedNetwork, ObservedSources } from "../observe/stages";
import type { Action, ActionResult, ActionStatus, ApplyReport, Plan } from "../plan/types";
import type { PendingResource } from "../reconcilers/types";
import type {
  PlanHead,
  ReportHead,
  StoredMapResults,
  StoredPhaseBatch,
  StoredPlanStep,
  StoredStage,
  StoredVerifyOutput,
} from "./stored-documents";

export type WorkflowMode = "dry-run" | "apply";

/**
 * The execution input: `{"mode": "apply"}`; `maxChanges` overrides the deployment's default;
 * `runId` names the run (`efs-reconciler run` passes the id it named the execution after).
 */
export interface WorkflowInput {
  mode?: WorkflowMode;
  maxChanges?: number;
  runId?: string;
}

/**
 * Input of the TakeLease state: the execution input, the `${MaxChanges}` substitution (a string)
 * and the execution's id (`$$.Execution.Id`), which holds the run lease.
 */
export interface TakeLeaseInput {
  input: WorkflowInput;
  defaultMaxChanges?: string;
  execution?: string;
}

/**
 * Output of the TakeLease state when the run holds the lease (or runs without one): the execution
 * input checked and complete, the run named.
 */
export interface LeasedStep {
  input: { mode: WorkflowMode; maxChanges: number; runId: string };
}

/** Which observation of the run a stage belongs to: the plan's, or the one that verifies the run. */
export type ObservationPass = "plan" | "verify";

/** Input of the ObserveSources states (ObserveSources, ObserveSourcesAgain). */
export interface ObserveSourcesInput {
  runId: string;
  pass: ObservationPass;
}

/** Input of the ObserveNetwork and ObserveChecklist states (and their Again states): the sources stage's result. */
export interface ObserveFromSourcesInput extends ObserveSourcesInput {
  sources: ObservedSources | StoredStage;
}

/** The three stages' results as the Plan and Verify states receive them (each inline or stored). */
export interface StagedObservationInput {
  sources: ObservedSources | StoredStage;
  network: ObservedNetwork | StoredStage;
  checklist: ObservedChecklist | StoredStage;
}

/**
 * Input of the Plan state: the execution input (TakeLease's, complete), `${MaxChanges}` and the
 * observation's stages.
 */
export interface PlanTaskInput extends Omit<TakeLeaseInput, "execution"> {
  observation: StagedObservationInput;
}

/** One non-empty phase of the plan, its actions in plan order. */
export interface PhaseBatch {
  phase: 1 | 2 | 3;
  actions: Action[];
}

/** A resource an action left pending, with the action that is waiting for it. */
export interface PendingEntry {
  actionId: string;
  resource: PendingResource;
  /** Whether the action, if its resource fails, holds the later phases back (phases.ts `holdsLaterPhases`). */
  holdsLaterPhases: boolean;
}

/** The run's progress through the phases (state `$.run`). */
export interface RunState {
  /** One result per executed action, in execution order. */
  results: ActionResult[];
  /** Resources the current phase waits for. */
  pending: PendingEntry[];
  /** Checks of `pending` made after the first one (the definition bounds them). */
  polls: number;
  /**
   * The failed actions later phases build on (phases.ts `holdsLaterPhases`): while there is one, the
   * later phases do not run.
   */
  holding: string[];
}

/** Output of the Plan state: the whole execution state from there on. */
export interface PlanStep {
  plan: Plan;
  maxChanges: number;
  counts: { actions: number; autoDrift: number };
  /** The cause the workflow fails with when `counts.actions > maxChanges`. */
  refusal: string;
  phases: PhaseBatch[];
  phaseCount: number;
  cursor: { next: number };
  run: RunState;
}

/** Output of the TakeLease state when another run holds the lease: the run ends as skipped. */
export interface SkippedStep {
  skipped: SkippedRun;
}

export interface ExecuteActionInput {
  action: Action;
}

/** The error a Catch hands over: `Error` is the thrown error's name. */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

/** One action's result as the RunActions Map collects it (ExecuteAction or ActionFailed). */
export interface ActionRunResult {
  actionId: string;
  status: ActionStatus;
  error: string | CaughtError | null;
  message?: string;
  pending: PendingResource[];
}

/** Input of the check-pending task (states SettlePhase, PollPending, GiveUpWaiting). */
export interface CheckPendingInput {
  run: RunState;
  /** SettlePhase: the results of the phase that just ran (stored by a Distributed Map's ResultWriter for a stored plan). */
  phaseResults?: ActionRunResult[] | StoredMapResults;
  /** SettlePhase: the phase that just ran (its actions stored for a stored plan). */
  phase?: PhaseBatch | StoredPhaseBatch;
  /** GiveUpWaiting: stop waiting and mark the actions of every pending resource failed. */
  giveUp?: boolean;
}

export interface VerifyInput {
  plan: Plan | PlanHead;
  results: ActionResult[];
  /** The stages of the observation after the actions. */
  observation: StagedObservationInput;
}

export interface VerifyOutput {
  report: ApplyReport;
  failedActions: number;
  remainingAuto: number;
  /** One line for the RemediationIncomplete failure. */
  cause: string;
}

export type RecordTaskInput =
  | { kind: "plan"; plan: Plan | PlanHead }
  | { kind: "outcome"; report: ApplyReport | ReportHead }
  /** A run refused for more actions than its limit: its outcome, every action not attempted. */
  | { kind: "refused"; plan: Plan | PlanHead; refusal: string }
  /** A run a task's error stopped after its actions began: the outcome known so far, unverified. */
  | { kind: "stopped"; state: StoppedRunState };

/** The execution state where a task's error stopped the run (`$` with the Catch's `$.failure`). */
export interface StoppedRunState {
  plan: Plan | PlanHead;
  run: RunState;
  /** The last phase's results, folded into `run` unless SettlePhase itself failed. */
  phaseResults?: ActionRunResult[] | StoredMapResults;
  failure: CaughtError;
}

export interface RecordTaskOutput {
  runId: string;
  kind: "plan" | "outcome";
}

/** The task functions behind the definition's Task states, free of transport. */
export interface WorkflowTasks {
  takeLease(input: TakeLeaseInput): Promise<LeasedStep | SkippedStep>;
  /** Each stage's result comes back stored by reference when it is large (stored-documents.ts). */
  observeSources(input: ObserveSourcesInput): Promise<ObservedSources | StoredStage>;
  observeNetwork(input: ObserveFromSourcesInput): Promise<ObservedNetwork | StoredStage>;
  observeChecklist(input: ObserveFromSourcesInput): Promise<ObservedChecklist | StoredStage>;
  /** A plan too large for the state payload comes back stored by reference (stored-documents.ts). */
  plan(input: PlanTaskInput): Promise<PlanStep | StoredPlanStep>;
  record(input: RecordTaskInput): Promise<RecordTaskOutput>;
  executeAction(input: ExecuteActionInput): Promise<ActionRunResult>;
  checkPending(input: CheckPendingInput): Promise<RunState>;
  verify(input: VerifyInput): Promise<VerifyOutput | StoredVerifyOutput>;
}

export type TaskName = keyof WorkflowTasks;
