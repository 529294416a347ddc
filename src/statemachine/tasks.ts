/**
 * The task functions behind the workflow's Task states, built from injected dependencies and free
 * of transport: the Lambda handlers and the local engine both call these. Each takes its state's
 * JSON input and returns its JSON output; reconcile errors are re-thrown unchanged so the
 * definition's Retry/Catch match on their `name`.
 */
import type { AwsClients } from "../aws/clients";
import type { DesiredState } from "../desired-state/types";
import { observe } from "../observe/observe";
import type { ObservedState } from "../observe/types";
import { newRunId, planChanges } from "../plan/index";
import type { Action, Plan } from "../plan/types";
import { reconcile } from "../reconcilers/index";
import { checkPending, type PendingCheck } from "../reconcilers/pending";
import type { PendingResource, ReconcileOutcome } from "../reconcilers/types";
import { buildApplyReport, incompleteCause } from "./apply-report";
import { groupPhases } from "./phases";
import type { RecordRun, RunRecord } from "./run-record";
import { addPhaseResults, applyCheck, emptyRun, giveUpWaiting, resourcesToCheck } from "./run-state";
import type { PlanStep, RunState, WorkflowInput, WorkflowMode, WorkflowTasks } from "./workflow-types";

export interface TaskDeps {
  /** The validated desired state (throws when the manifests are invalid). */
  loadDesired: () => Promise<DesiredState>;
  clients: AwsClients;
  record: RecordRun;
  /** Receives one past-tense line per task. */
  log?: (message: string) => void;
  newRunId?: () => string;
  /** Clock for `recordedAt`. */
  now?: () => Date;
}

/** The product functions the tasks run; injectable so the workflow can be exercised without AWS. */
export interface TaskCore {
  observe: (
    desired: DesiredState,
    clients: AwsClients,
    options?: { log?: (message: string) => void },
  ) => Promise<ObservedState>;
  planChanges: (
    desired: DesiredState,
    observed: ObservedState,
    meta: { mode: WorkflowMode; runId: string },
  ) => Plan;
  reconcile: (action: Action, clients: AwsClients) => Promise<ReconcileOutcome>;
  checkPending: (pending: PendingResource[], clients: AwsClients) => Promise<PendingCheck>;
}

export const DEFAULT_TASK_CORE: TaskCore = { observe, planChanges, reconcile, checkPending };

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

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function createTasks(deps: TaskDeps, core: TaskCore = DEFAULT_TASK_CORE): WorkflowTasks {
  const log = deps.log ?? (() => {});
  const makeRunId = deps.newRunId ?? (() => newRunId());
  const now = deps.now ?? (() => new Date());

  async function observeAndPlan(mode: WorkflowMode, runId: string): Promise<Plan> {
    const desired = await deps.loadDesired();
    const observed = await core.observe(desired, deps.clients, { log });
    return core.planChanges(desired, observed, { mode, runId });
  }

  async function check(run: RunState): Promise<RunState> {
    const resources = resourcesToCheck(run);
    if (resources.length === 0) return run;
    const found = await core.checkPending(resources, deps.clients);
    const next = applyCheck(run, found);
    log(
      `checked ${plural(resources.length, "pending resource")}: ${found.pending.length} still pending, ${found.failed.length} failed`,
    );
    return next;
  }

  return {
    async plan(input) {
      const given: WorkflowInput = input?.input ?? {};
      const mode = parseMode(given.mode);
      const maxChanges = parseMaxChanges(given.maxChanges, input?.defaultMaxChanges);
      const plan = await observeAndPlan(mode, makeRunId());
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
      return step;
    },

    async record(input) {
      const recordedAt = now().toISOString();
      const entry: RunRecord =
        input.kind === "plan"
          ? { runId: input.plan.runId, kind: "plan", recordedAt, plan: input.plan }
          : { runId: input.report.runId, kind: "outcome", recordedAt, report: input.report };
      await deps.record(entry);
      log(`recorded the ${entry.kind} of run ${entry.runId}`);
      return { runId: entry.runId, kind: entry.kind };
    },

    async executeAction({ action }) {
      const outcome = await core.reconcile(action, deps.clients);
      log(`${action.type} ${action.resource.id} ${outcome.status}: ${outcome.message}`);
      return {
        actionId: action.id,
        status: outcome.status,
        error: null,
        message: outcome.message,
        pending: outcome.pending,
      };
    },

    async checkPending(input) {
      let run = input.run;
      if (input.giveUp) {
        const next = giveUpWaiting(run);
        log(
          `gave up waiting for ${plural(resourcesToCheck(run).length, "resource")} after ${run.polls} checks`,
        );
        return next;
      }
      if (input.phaseResults) {
        run = addPhaseResults(run, input.phaseResults);
      } else {
        run = { ...run, polls: run.polls + 1 };
      }
      return check(run);
    },

    async verify({ plan, results }) {
      const after = await observeAndPlan("apply", plan.runId);
      const report = buildApplyReport(plan, results, after.drift);
      const failedActions = report.results.filter((r) => r.status === "failed").length;
      const remainingAuto = report.remaining.filter((d) => d.remediation === "auto").length;
      log(
        `verified run ${plan.runId}: ${failedActions} failed actions, ${plural(report.remaining.length, "drift item")} remain (${remainingAuto} auto)`,
      );
      return { report, failedActions, remainingAuto, cause: incompleteCause(report) };
    },
  };
}
