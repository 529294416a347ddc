/**
 * The task functions behind the workflow's Task states, built from injected dependencies and free
 * of transport: the Lambda handlers and the local engine both call these. Each takes its state's
 * JSON input and returns its JSON output; reconcile errors are re-thrown unchanged so the
 * definition's Retry/Catch match on their `name`.
 */
import type { AwsClients } from "../aws/clients";
import type { DesiredState } from "../desired-state/types";
import { type RunLease, skippedRun } from "../lock/run-lease";
import type { ObserveClients, ObserveOptions } from "../observe/observe";
import { DEFAULT_OBSERVE_RATES } from "../observe/rate-limiter";
import {
  assembleObservation,
  type ChecklistClients,
  foundLine,
  type NetworkClients,
  type ObservedChecklist,
  type ObservedNetwork,
  type ObservedSources,
  type SourcesClients,
} from "../observe/stages";
import type { ObservedState } from "../observe/types";
import type { PlanMeta } from "../plan/index";
import { newRunId } from "../plan/run-id";
import type { Action, ApplyReport, Plan } from "../plan/types";
import { plural } from "../plural";
import type { PendingCheck, PendingClients } from "../reconcilers/pending";
import type { PendingResource, ReconcileOutcome } from "../reconcilers/types";
import { describeActionError } from "./action-error";
import { buildApplyReport, incompleteCause, refusedReport, stoppedEarlyReport } from "./apply-report";
import { groupPhases } from "./phases";
import type { RecordRun, RunRecord } from "./run-record";
import {
  addPhaseResults,
  applyCheck,
  emptyRun,
  giveUpWaiting,
  resourcesToCheck,
  toActionResult,
} from "./run-state";
import type { RunStore } from "./run-store";
import {
  isPlanHead,
  isReportHead,
  loadPhaseActions,
  loadPhaseResults,
  loadPlan,
  loadReport,
  loadStage,
  type StoredStage,
  storeLargeStage,
  storeLargeStep,
  storeReportLike,
} from "./stored-documents";
import type {
  LeasedStep,
  ObservationPass,
  ObserveFromSourcesInput,
  PlanStep,
  RecordTaskInput,
  RunState,
  StagedObservationInput,
  StoppedRunState,
  TakeLeaseInput,
  WorkflowInput,
  WorkflowMode,
  WorkflowTasks,
} from "./workflow-types";

/** What the TakeLease task needs: the lease (none: no locking) and how to name a run. */
export interface TakeLeaseTaskDeps {
  /** One run at a time: the run takes this lease before it reads anything. */
  lease?: RunLease;
  /** Receives one past-tense line per task. */
  log?: (message: string) => void;
  newRunId?: () => string;
}

/** What each observation stage's task needs: the manifests, the stage's clients, where large results go. */
export interface ObserveTaskDeps<C> {
  /** The validated desired state (throws when the manifests are invalid). */
  loadDesired: () => Promise<DesiredState>;
  clients: C;
  /** Receives one past-tense line per phase. */
  log?: (message: string) => void;
  /** Where results too large for a state payload go; none: every result stays inline. */
  store?: RunStore;
  /** Results larger than this (JSON bytes) are stored by reference; default INLINE_STAGE_LIMIT_BYTES. */
  inlineStageLimitBytes?: number;
  /**
   * Observation's calls per second per service (inside AWS's rate limits); default
   * DEFAULT_OBSERVE_RATES, `false` for none (an emulator has no limits).
   */
  observeRates?: ObserveOptions["ratePerSecond"];
}

/** What the Plan task needs: the manifests, and where large plans go. It reads nothing from AWS. */
export interface PlanTaskDeps {
  /** The validated desired state (throws when the manifests are invalid). */
  loadDesired: () => Promise<DesiredState>;
  /** Receives one past-tense line per task. */
  log?: (message: string) => void;
  /** Names the run when the input names none (TakeLease names it in the workflow). */
  newRunId?: () => string;
  /**
   * Where plans too large for a state payload go (stored-documents.ts); none: every plan stays
   * inline. The local engine keeps one in memory; a deployment uses its run bucket.
   */
  store?: RunStore;
  /** Plan steps larger than this (JSON bytes) are stored by reference; default INLINE_STEP_LIMIT_BYTES. */
  inlineStepLimitBytes?: number;
  /**
   * The only security groups whose ingress the deployment's role may change (template parameter
   * `MountTargetSecurityGroupIds`); absent, every group a manifest names.
   */
  ingressGroups?: readonly string[];
}

/** What the Verify task needs: as Plan, without run ids. */
export type VerifyTaskDeps = Pick<PlanTaskDeps, "loadDesired" | "log" | "store" | "ingressGroups">;

/** What the Record task needs. */
export interface RecordTaskDeps {
  record: RecordRun;
  store?: RunStore;
  log?: (message: string) => void;
  /** Clock for `recordedAt`. */
  now?: () => Date;
}

/** What the check-pending task needs. */
export interface CheckPendingTaskDeps {
  clients: PendingClients;
  store?: RunStore;
  log?: (message: string) => void;
}

/** Every task's dependencies: what the local engine and the tests build the whole workflow from. */
export type TaskDeps = TakeLeaseTaskDeps &
  PlanTaskDeps &
  Omit<ObserveTaskDeps<ObserveClients>, "clients"> &
  RecordTaskDeps & { clients: AwsClients };

/** Observation's three stages (stages.ts), each under its options' rate limits. */
export interface ObserveStages {
  sources: (
    desired: DesiredState,
    clients: SourcesClients,
    options: ObserveOptions,
  ) => Promise<ObservedSources>;
  network: (
    desired: DesiredState,
    sources: ObservedSources,
    clients: NetworkClients,
    options: ObserveOptions,
  ) => Promise<ObservedNetwork>;
  checklist: (
    desired: DesiredState,
    sources: ObservedSources,
    clients: ChecklistClients,
    options: ObserveOptions,
  ) => Promise<ObservedChecklist>;
}

/** The product functions the tasks run; injectable so the workflow can be exercised without AWS. */
export interface TaskCore {
  observe: ObserveStages;
  planChanges: (desired: DesiredState, observed: ObservedState, meta: PlanMeta) => Plan;
  reconcile: (action: Action, clients: AwsClients) => Promise<ReconcileOutcome>;
  checkPending: (pending: PendingResource[], clients: PendingClients) => Promise<PendingCheck>;
}

/** The limit of actions per apply when neither the input nor the deployment sets one (contract §3). */
export const DEFAULT_MAX_CHANGES = 25;

/** Names of the errors the tasks themselves throw (besides the reconcilers' and AWS's). */
export const TASK_ERROR_NAMES = ["WorkflowInputError"] as const;

export class WorkflowInputError extends Error {
  override name = "WorkflowInputError";
}

function parseMode(mode: unknown): WorkflowMode {
  if (mode === undefined) return "dry-run";
  if (mode === "dry-run" || mode === "apply") return mode;
  throw new WorkflowInputError(
    `execution input mode is ${JSON.stringify(mode)}: start the workflow with {"mode": "dry-run"} or {"mode": "apply"}`,
  );
}

function parseMaxChanges(value: unknown, fallback: string | undefined): number {
  if (value === undefined || value === null) {
    if (fallback === undefined || fallback.trim() === "") return DEFAULT_MAX_CHANGES;
    const parsed = Number(fallback);
    if (Number.isInteger(parsed) && parsed >= 0) return parsed;
    throw new WorkflowInputError(
      `the deployment's MaxChanges is ${JSON.stringify(fallback)}: set it to a whole number of actions (0 or more)`,
    );
  }
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  throw new WorkflowInputError(
    `execution input maxChanges is ${JSON.stringify(value)}: pass a whole number of actions (0 or more), or leave it out`,
  );
}

/** The shape of a run id (see newRunId): what names an execution too. */
const RUN_ID_PATTERN = /^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$/;

function parseRunId(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && RUN_ID_PATTERN.test(value)) return value;
  throw new WorkflowInputError(
    `execution input runId is ${JSON.stringify(value)}: pass an id like 20261128T043000Z-9f2c41ab, or leave it out`,
  );
}

/** Plans the changes from the manifests and the observation's stages (Plan and Verify). */
function planFromObservation(
  deps: VerifyTaskDeps,
  core: Pick<TaskCore, "planChanges">,
  log: (message: string) => void,
): (observation: StagedObservationInput, mode: WorkflowMode, runId: string) => Promise<Plan> {
  return async (observation, mode, runId) => {
    const desired = await deps.loadDesired();
    const [sources, network, checklist] = await Promise.all([
      loadStage(observation.sources, deps.store),
      loadStage(observation.network, deps.store),
      loadStage(observation.checklist, deps.store),
    ]);
    const observed: ObservedState = assembleObservation({ sources, network, checklist });
    log(foundLine(desired, observed));
    return core.planChanges(desired, observed, { mode, runId, ingressGroups: deps.ingressGroups });
  };
}

/** One stage's task: its options, its result stored when large. */
function stageTask<C, I extends { runId: string; pass: ObservationPass }, T extends object>(
  deps: ObserveTaskDeps<C>,
  stage: string,
  read: (desired: DesiredState, input: I, options: ObserveOptions) => Promise<T>,
): (input: I) => Promise<T | StoredStage> {
  const options: ObserveOptions = {
    log: deps.log ?? noLog,
    ratePerSecond: deps.observeRates ?? DEFAULT_OBSERVE_RATES,
  };
  return async (input) => {
    const result = await read(await deps.loadDesired(), input, options);
    return storeLargeStage(
      result,
      { runId: input.runId, pass: input.pass, stage },
      deps.store,
      deps.inlineStageLimitBytes,
    );
  };
}

/** The ObserveSources states: EFS and Lambda. */
export function createObserveSourcesTask(
  deps: ObserveTaskDeps<SourcesClients>,
  stages: Pick<ObserveStages, "sources">,
): WorkflowTasks["observeSources"] {
  return stageTask(deps, "sources", (desired, _input, options) =>
    stages.sources(desired, deps.clients, options),
  );
}

/** A stage that reads from the sources stage's result (network, checklist). */
function fromSourcesTask<C, T extends object>(
  deps: ObserveTaskDeps<C>,
  stage: string,
  read: (desired: DesiredState, sources: ObservedSources, clients: C, options: ObserveOptions) => Promise<T>,
): (input: ObserveFromSourcesInput) => Promise<T | StoredStage> {
  return stageTask(deps, stage, async (desired, input: ObserveFromSourcesInput, options) =>
    read(desired, await loadStage(input.sources, deps.store), deps.clients, options),
  );
}

/** The ObserveNetwork states: EC2. */
export function createObserveNetworkTask(
  deps: ObserveTaskDeps<NetworkClients>,
  stages: Pick<ObserveStages, "network">,
): WorkflowTasks["observeNetwork"] {
  return fromSourcesTask(deps, "network", stages.network);
}

/** The ObserveChecklist states: IAM, CloudWatch and tagging. */
export function createObserveChecklistTask(
  deps: ObserveTaskDeps<ChecklistClients>,
  stages: Pick<ObserveStages, "checklist">,
): WorkflowTasks["observeChecklist"] {
  return fromSourcesTask(deps, "checklist", stages.checklist);
}

function noLog(): void {}

/** The execution input checked and complete: mode, the limit of actions, the run's id. */
function startOf(
  input: Omit<TakeLeaseInput, "execution"> | undefined,
  makeRunId: () => string,
): LeasedStep["input"] {
  const given: WorkflowInput = input?.input ?? {};
  const mode = parseMode(given.mode);
  const maxChanges = parseMaxChanges(given.maxChanges, input?.defaultMaxChanges);
  return { mode, maxChanges, runId: parseRunId(given.runId) ?? makeRunId() };
}

/**
 * The TakeLease state: checks the execution input, names the run, and takes the run lease; a run
 * that finds another holding it ends as skipped, having read nothing.
 */
export function createTakeLeaseTask(deps: TakeLeaseTaskDeps): WorkflowTasks["takeLease"] {
  const log = deps.log ?? noLog;
  const makeRunId = deps.newRunId ?? (() => newRunId());
  return async (input) => {
    const start = startOf(input, makeRunId);
    if (deps.lease) {
      const request = {
        holder: input?.execution ?? `run:${start.runId}`,
        runId: start.runId,
        mode: start.mode,
      };
      const lease = await deps.lease.acquire(request);
      if (!lease.acquired) {
        const skipped = skippedRun(request, lease.heldBy, lease.where);
        log(skipped.message);
        return { skipped };
      }
      log(`took the run lease for run ${start.runId} (${start.mode})`);
    }
    return { input: start };
  };
}

/** The Plan state: plans from the observation's stages, and stores a plan too large to pass inline. */
export function createPlanTask(
  deps: PlanTaskDeps,
  core: Pick<TaskCore, "planChanges">,
): WorkflowTasks["plan"] {
  const log = deps.log ?? noLog;
  const makeRunId = deps.newRunId ?? (() => newRunId());
  const planFrom = planFromObservation(deps, core, log);
  return async (input) => {
    const { mode, maxChanges, runId } = startOf(input, makeRunId);
    const plan = await planFrom(input.observation, mode, runId);
    const phases = groupPhases(plan.actions);
    const actions = plan.actions.length;
    log(
      `planned run ${plan.runId} (${mode}): ${plural(plan.drift.length, "drift item")}, ${plural(actions, "action")} in ${plural(phases.length, "phase")}`,
    );
    const step: PlanStep = {
      plan,
      maxChanges,
      counts: { actions, autoDrift: plan.drift.filter((d) => d.remediation === "auto").length },
      refusal: `the plan has ${plural(actions, "action")}, more than the limit of ${maxChanges} (--max-changes): nothing was changed; review the plan, then raise the limit or fix part of the drift first`,
      phases,
      phaseCount: phases.length,
      cursor: { next: 0 },
      run: emptyRun(),
    };
    return deps.store ? storeLargeStep(step, deps.store, deps.inlineStepLimitBytes) : step;
  };
}

/**
 * The RecordPlan, RecordRefusal, RecordStoppedRun and RecordOutcome states: records the plan, a
 * refused run's outcome, the unverified outcome of a run a task's error stopped, or an apply's
 * verified outcome.
 */
export function createRecordTask(deps: RecordTaskDeps): WorkflowTasks["record"] {
  const log = deps.log ?? noLog;
  const now = deps.now ?? (() => new Date());
  const entryOf = async (input: RecordTaskInput, recordedAt: string): Promise<RunRecord> => {
    switch (input.kind) {
      case "plan": {
        const plan = await loadPlan(input.plan, deps.store);
        return { runId: plan.runId, kind: "plan", recordedAt, plan };
      }
      case "refused": {
        const plan = await loadPlan(input.plan, deps.store);
        return { runId: plan.runId, kind: "outcome", recordedAt, report: refusedReport(plan, input.refusal) };
      }
      case "stopped": {
        const report = await stoppedReport(input.state, deps.store);
        return { runId: report.runId, kind: "outcome", recordedAt, report, verified: false };
      }
      case "outcome": {
        const report = await loadReport(input.report, deps.store);
        return { runId: report.runId, kind: "outcome", recordedAt, report };
      }
    }
  };
  return async (input) => {
    const entry = await entryOf(input, now().toISOString());
    await deps.record(entry);
    log(`recorded the ${entry.kind} of run ${entry.runId}`);
    return { runId: entry.runId, kind: entry.kind };
  };
}

/**
 * The outcome of a run a task's error stopped: the results so far (the last phase's too, when
 * SettlePhase itself failed before adding them), the rest not attempted, no verifying observation.
 */
async function stoppedReport(state: StoppedRunState, store: RunStore | undefined): Promise<ApplyReport> {
  const plan = await loadPlan(state.plan, store);
  const known = new Set(state.run.results.map((r) => r.actionId));
  const last = state.phaseResults ? await loadPhaseResults(state.phaseResults, store) : [];
  const unseen = last.filter((r) => !known.has(r.actionId)).map(toActionResult);
  return stoppedEarlyReport(plan, [...state.run.results, ...unseen], {
    error: describeActionError(state.failure) ?? state.failure.Error,
  });
}

/**
 * The ExecuteAction states: one action through `reconcile`. A reconciler family's function passes
 * its family's reconciler and only the clients that family calls.
 */
export function createExecuteActionTask<C>(
  deps: { clients: C; log?: (message: string) => void },
  reconcileAction: (action: Action, clients: C) => Promise<ReconcileOutcome>,
): WorkflowTasks["executeAction"] {
  const log = deps.log ?? noLog;
  return async ({ action }) => {
    const outcome = await reconcileAction(action, deps.clients);
    log(`${action.type} ${action.resource.id} ${outcome.status}: ${outcome.message}`);
    return {
      actionId: action.id,
      status: outcome.status,
      error: null,
      message: outcome.message,
      pending: outcome.pending,
    };
  };
}

/** The SettlePhase, PollPending and GiveUpWaiting states: collects results and checks what is pending. */
export function createCheckPendingTask(
  deps: CheckPendingTaskDeps,
  checkResources: TaskCore["checkPending"],
): WorkflowTasks["checkPending"] {
  const log = deps.log ?? noLog;
  async function check(run: RunState): Promise<RunState> {
    const resources = resourcesToCheck(run);
    if (resources.length === 0) return run;
    const found = await checkResources(resources, deps.clients);
    const next = applyCheck(run, found);
    log(
      `checked ${plural(resources.length, "pending resource")}: ${found.pending.length} still pending, ${found.failed.length} failed`,
    );
    return next;
  }
  return async (input) => {
    let run = input.run;
    if (input.giveUp) {
      const next = giveUpWaiting(run);
      log(
        `gave up waiting for ${plural(resourcesToCheck(run).length, "resource")} after ${run.polls} checks`,
      );
      return next;
    }
    if (input.phaseResults) {
      const actions = input.phase ? await loadPhaseActions(input.phase, deps.store) : [];
      run = addPhaseResults(run, await loadPhaseResults(input.phaseResults, deps.store), actions);
    } else {
      run = { ...run, polls: run.polls + 1 };
    }
    return check(run);
  };
}

/** The Verify state: from the observation after the actions, reports what the run fixed, failed and left. */
export function createVerifyTask(
  deps: VerifyTaskDeps,
  core: Pick<TaskCore, "planChanges">,
): WorkflowTasks["verify"] {
  const log = deps.log ?? noLog;
  const planFrom = planFromObservation(deps, core, log);
  return async ({ plan: given, results, observation }) => {
    const plan = await loadPlan(given, deps.store);
    const after = await planFrom(observation, "apply", plan.runId);
    const report = buildApplyReport(plan, results, after.drift);
    const failedActions = report.results.filter((r) => r.status === "failed").length;
    const remainingAuto = report.remaining.filter((d) => d.remediation === "auto").length;
    log(
      `verified run ${plan.runId}: ${failedActions} failed actions, ${plural(report.remaining.length, "drift item")} remain (${remainingAuto} auto)`,
    );
    const outcome = { failedActions, remainingAuto, cause: incompleteCause(report) };
    const kept = await storeReportLike(report, isPlanHead(given), deps.store);
    return isReportHead(kept) ? { ...outcome, report: kept } : { ...outcome, report: kept };
  };
}
