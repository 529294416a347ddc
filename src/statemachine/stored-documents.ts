/**
 * Plans by reference: a plan whose execution state would come near Step Functions' 256 KiB
 * payload limit is kept in the run store, and the states carry only its head (mode, run id,
 * summary) and where it is. Each phase's actions are stored as one JSON array, which the
 * RunStoredActions Distributed Map reads with its ItemReader; the Map's ResultWriter stores the
 * action results, which SettlePhase reads back; the verified report is stored like the plan.
 *
 * A ResultWriter writes under `<Prefix>/<map run id>/`: a `manifest.json` listing the results
 * files by status (`SUCCEEDED_0.json`, `FAILED_0.json`, … each a JSON array of child executions,
 * named by their whole key) and returns where the manifest is. The local engine writes the same.
 */
import { randomUUID } from "node:crypto";
import type { Action, ApplyReport, Plan } from "../plan/types";
import type { StateExit } from "./run-report";
import type { RunStore, RunStoreReader, StoredRef } from "./run-store";
import type { ActionRunResult, CaughtError, PhaseBatch, PlanStep, VerifyOutput } from "./workflow-types";

/**
 * Above this size (JSON bytes) the Plan step goes by reference. A run's largest inline state is
 * about 2.5 times its Plan step (the step, one phase's actions again, their results), so this
 * keeps every inline state well under 256 KiB.
 */
export const INLINE_STEP_LIMIT_BYTES = 96 * 1024;

/**
 * Above this size (JSON bytes) an observation stage's result goes by reference. The three results
 * ride on the execution state until Plan or Verify takes them, so together (96 KiB) with the
 * largest inline run state before Verify they stay under 256 KiB.
 */
export const INLINE_STAGE_LIMIT_BYTES = 32 * 1024;

/** An observation stage's result kept in the run store: where it is, and which stage it is. */
export interface StoredStage {
  stored: StoredRef;
  stage: string;
}

/** RunStoredActions' child states are RunActions' states, each name with this prefix (names are unique per definition). */
export const STORED_STATE_PREFIX = "Stored";

/** The plan without its drift and actions, and where the whole plan is stored. */
export type PlanHead = Omit<Plan, "drift" | "actions"> & { stored: StoredRef };

/** The report without its drift, actions, results and remaining drift, and where it is stored. */
export type ReportHead = Omit<ApplyReport, "drift" | "actions" | "results" | "remaining"> & {
  stored: StoredRef;
};

/** One phase whose actions are stored: the ItemReader reads `items`, the ResultWriter writes under `resultPrefix`. */
export interface StoredPhaseBatch {
  phase: 1 | 2 | 3;
  count: number;
  items: StoredRef;
  resultPrefix: string;
}

export type StoredPlanStep = Omit<PlanStep, "plan" | "phases"> & {
  plan: PlanHead;
  phases: StoredPhaseBatch[];
};

export type StoredVerifyOutput = Omit<VerifyOutput, "report"> & { report: ReportHead };

/** What a Distributed Map with a ResultWriter returns: where its results manifest is. */
export interface StoredMapResults {
  ResultWriterDetails: StoredRef;
}

/** One entry of a ResultWriter results file (one child execution). */
export interface MapResultEntry {
  Input: string;
  Output?: string;
  Status: "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";
  Error?: string;
  Cause?: string;
}

/** The manifest a ResultWriter writes next to its results files, in the same bucket (their keys are whole keys). */
export interface MapResultManifest {
  ResultFiles: Partial<Record<"SUCCEEDED" | "FAILED" | "PENDING", { Key: string; Size?: number }[]>>;
}

export class RunStoreRequiredError extends Error {
  override name = "RunStoreRequiredError";
  constructor(what: string) {
    super(
      `${what} is stored by reference, but this task has no run store: configure the deployment's run bucket (or run locally, where the engine keeps one)`,
    );
  }
}

export function isPlanHead(plan: Plan | PlanHead): plan is PlanHead {
  return "stored" in plan;
}

export function isReportHead(report: ApplyReport | ReportHead): report is ReportHead {
  return "stored" in report;
}

export function isStoredPlanStep(step: PlanStep | StoredPlanStep): step is StoredPlanStep {
  return isPlanHead(step.plan);
}

export function isStoredMapResults(results: unknown): results is StoredMapResults {
  return typeof results === "object" && results !== null && "ResultWriterDetails" in results;
}

const ACTIONS_FILE = "actions.json";

function runKey(runId: string, name: string): string {
  return `runs/${runId}/${name}`;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/** The step as it is when it fits `limit`; else the plan and each phase's actions stored, the step carrying their references. */
export async function storeLargeStep(
  step: PlanStep,
  store: RunStore,
  limit: number = INLINE_STEP_LIMIT_BYTES,
): Promise<PlanStep | StoredPlanStep> {
  if (jsonBytes(step) <= limit) return step;
  const { drift: _drift, actions: _actions, ...head } = step.plan;
  const runId = step.plan.runId;
  const stored = await store.put(runKey(runId, "plan.json"), step.plan);
  const phases = await Promise.all(
    step.phases.map(async (batch) => {
      const items = await store.put(runKey(runId, `phase-${batch.phase}/${ACTIONS_FILE}`), batch.actions);
      // Next to the actions, under the store's own key prefix (if any).
      const resultPrefix = `${items.Key.slice(0, -ACTIONS_FILE.length)}results`;
      return { phase: batch.phase, count: batch.actions.length, items, resultPrefix };
    }),
  );
  return { ...step, plan: { ...head, stored }, phases };
}

/** A stage's result as it is when it fits `limit` (or there is no store); else stored under the run's key. */
export async function storeLargeStage<T extends object>(
  value: T,
  at: { runId: string; pass: string; stage: string },
  store: RunStore | undefined,
  limit: number = INLINE_STAGE_LIMIT_BYTES,
): Promise<T | StoredStage> {
  if (!store || jsonBytes(value) <= limit) return value;
  const stored = await store.put(runKey(at.runId, `observed-for-${at.pass}/${at.stage}.json`), value);
  return { stored, stage: at.stage };
}

/** A stage's result: inline, or read back from where its stage stored it. */
export async function loadStage<T extends object>(
  value: T | StoredStage,
  store: RunStoreReader | undefined,
): Promise<T> {
  if (!isStoredStage(value)) return value;
  if (!store) throw new RunStoreRequiredError(`the ${value.stage} stage's observation`);
  return store.get<T>(value.stored);
}

function isStoredStage(value: object): value is StoredStage {
  return "stored" in value && "stage" in value;
}

export async function loadPlan(plan: Plan | PlanHead, store: RunStoreReader | undefined): Promise<Plan> {
  if (!isPlanHead(plan)) return plan;
  if (!store) throw new RunStoreRequiredError(`the plan of run ${plan.runId}`);
  return store.get<Plan>(plan.stored);
}

/** The whole step: plan and phases read back from the store. */
export async function loadPlanStep(
  step: PlanStep | StoredPlanStep,
  store: RunStoreReader | undefined,
): Promise<PlanStep> {
  if (!isStoredPlanStep(step)) return step;
  const plan = await loadPlan(step.plan, store);
  const phases = step.phases.map((batch) => ({
    phase: batch.phase,
    actions: plan.actions.filter((a) => a.phase === batch.phase),
  }));
  return { ...step, plan, phases };
}

/** The report stored when its plan was (the report is the plan and more); else as it is. */
export async function storeReportLike(
  report: ApplyReport,
  planWasStored: boolean,
  store: RunStore | undefined,
): Promise<ApplyReport | ReportHead> {
  if (!planWasStored) return report;
  if (!store) throw new RunStoreRequiredError(`the report of run ${report.runId}`);
  const { drift: _d, actions: _a, results: _r, remaining: _m, ...head } = report;
  return { ...head, stored: await store.put(runKey(report.runId, "report.json"), report) };
}

export async function loadReport(
  report: ApplyReport | ReportHead,
  store: RunStoreReader | undefined,
): Promise<ApplyReport> {
  if (!isReportHead(report)) return report;
  if (!store) throw new RunStoreRequiredError(`the report of run ${report.runId}`);
  return store.get<ApplyReport>(report.stored);
}

/** An execution's output (its plan, or its report) read back from the store when it is only the head. */
export async function loadRunOutput(
  output: Plan | ApplyReport | PlanHead | ReportHead,
  store: RunStoreReader | undefined,
): Promise<Plan | ApplyReport> {
  if (!("stored" in output)) return output;
  if (!store) throw new RunStoreRequiredError(`the outcome of run ${output.runId}`);
  return store.get<Plan | ApplyReport>(output.stored);
}

/** The exits of Plan and Verify with a plan or report stored by reference read back from the store. */
export async function loadStoredExits(
  exits: readonly StateExit[],
  store: RunStoreReader | undefined,
): Promise<StateExit[]> {
  return Promise.all(
    exits.map(async (exit) => {
      const output = exit.output as { plan?: unknown; report?: unknown } | null;
      if (
        exit.name === "Plan" &&
        output?.plan &&
        typeof output.plan === "object" &&
        "stored" in output.plan
      ) {
        return { ...exit, output: await loadPlanStep(output as StoredPlanStep, store) };
      }
      const report = output?.report as ApplyReport | ReportHead | undefined;
      if (exit.name === "Verify" && report && isReportHead(report)) {
        return { ...exit, output: { ...output, report: await loadReport(report, store) } };
      }
      return exit;
    }),
  );
}

function caught(entry: MapResultEntry): CaughtError {
  return { Error: entry.Error ?? entry.Status, ...(entry.Cause ? { Cause: entry.Cause } : {}) };
}

/** A child execution's entry as an action result (a child that did not succeed failed its action). */
function toRunResult(entry: MapResultEntry): ActionRunResult | undefined {
  if (entry.Status === "SUCCEEDED" && entry.Output) return JSON.parse(entry.Output) as ActionRunResult;
  const input = JSON.parse(entry.Input) as { action?: { id?: string } };
  const actionId = input.action?.id;
  return actionId ? { actionId, status: "failed", error: caught(entry), pending: [] } : undefined;
}

/** A phase's actions: inline, or read back from where the Plan state stored them. */
export async function loadPhaseActions(
  phase: PhaseBatch | StoredPhaseBatch,
  store: RunStoreReader | undefined,
): Promise<Action[]> {
  if ("actions" in phase) return phase.actions;
  if (!store) throw new RunStoreRequiredError(`the actions of phase ${phase.phase}`);
  return store.get<Action[]>(phase.items);
}

/** A phase's results: inline (a Map's array), or read back from a ResultWriter's manifest. */
export async function loadPhaseResults(
  results: ActionRunResult[] | StoredMapResults,
  store: RunStoreReader | undefined,
): Promise<ActionRunResult[]> {
  if (!isStoredMapResults(results)) return results;
  if (!store) throw new RunStoreRequiredError("the results of a phase");
  const details = results.ResultWriterDetails;
  const manifest = await store.get<MapResultManifest>(details);
  const files = [...(manifest.ResultFiles.SUCCEEDED ?? []), ...(manifest.ResultFiles.FAILED ?? [])];
  const out: ActionRunResult[] = [];
  for (const file of files) {
    const entries = await store.get<MapResultEntry[]>({ Bucket: details.Bucket, Key: file.Key });
    for (const entry of entries) {
      const r = toRunResult(entry);
      if (r) out.push(r);
    }
  }
  return out;
}

/**
 * Writes child execution entries as a ResultWriter does (results files and manifest under
 * `<prefix>/<map run id>/`); returns the Map's output.
 */
export async function writeMapResults(
  store: RunStore,
  prefix: string,
  entries: readonly MapResultEntry[],
  mapRunId: string = randomUUID(),
): Promise<StoredMapResults> {
  const folder = `${prefix}/${mapRunId}`;
  const succeeded = entries.filter((e) => e.Status === "SUCCEEDED");
  const failed = entries.filter((e) => e.Status !== "SUCCEEDED");
  const resultFiles: MapResultManifest["ResultFiles"] = { SUCCEEDED: [], FAILED: [], PENDING: [] };
  for (const [status, list] of [
    ["SUCCEEDED", succeeded],
    ["FAILED", failed],
  ] as const) {
    if (list.length === 0) continue;
    const ref = await store.put(`${folder}/${status}_0.json`, list);
    resultFiles[status]?.push({ Key: ref.Key, Size: jsonBytes(list) });
  }
  const manifest = await store.put(`${folder}/manifest.json`, { ResultFiles: resultFiles });
  return { ResultWriterDetails: manifest };
}
