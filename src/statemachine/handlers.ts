/**
 * The Lambda handlers behind the deployed workflow's Task states: middy-wrapped task functions.
 * Clients, the manifest loader and the tasks are created once per execution environment, on the
 * first invocation, from the environment:
 * - `MANIFEST_DIR`: the manifests packaged with the function (default `desired-state`, relative to
 *   the bundle's directory);
 * - `EVENTS_TABLE` (else `STATE_DIR`), `EVENT_BUS_NAME`: where the record step writes drift events
 *   and status (see src/events/record-target.ts);
 * - `RUNS_TABLE`: the DynamoDB table of run state; when set, the Plan task takes the run lease
 *   there (one run at a time);
 * - region and endpoints as the AWS SDK reads them (`AWS_REGION`, `AWS_ENDPOINT_URL[_<SERVICE>]`).
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import middy from "@middy/core";
import { createClients, DEFAULT_MAX_ATTEMPTS } from "../aws/clients";
import { formatManifestError, loadDesiredState } from "../desired-state/index";
import type { DesiredState, ManifestError } from "../desired-state/types";
import { recordTargetFromEnv } from "../events/record-target";
import { createRunRecorder } from "../events/run-recorder";
import { createDynamoLease } from "../lock/dynamodb-lease";
import type { RecordRun } from "./run-record";
import { createTasks, DEFAULT_TASK_CORE, type TaskCore, type TaskDeps } from "./tasks";
import type {
  CheckPendingInput,
  ExecuteActionInput,
  PlanTaskInput,
  RecordTaskInput,
  VerifyInput,
  WorkflowTasks,
} from "./workflow-types";

export type HandlerEnv = Record<string, string | undefined>;

export const DEFAULT_MANIFEST_DIR = "desired-state";

function bundleDir(env: HandlerEnv): string {
  const url = import.meta.url;
  if (typeof url === "string" && url.startsWith("file:")) return dirname(fileURLToPath(url));
  return env.LAMBDA_TASK_ROOT ?? process.cwd();
}

/** The manifest directory: `MANIFEST_DIR`, relative paths resolved against the bundle's directory. */
export function manifestDirFromEnv(env: HandlerEnv, base: string = bundleDir(env)): string {
  return resolve(base, env.MANIFEST_DIR || DEFAULT_MANIFEST_DIR);
}

/** One structured log line (CloudWatch Logs reads stdout). */
function logLine(message: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ level: "INFO", message, ...fields })}\n`);
}

/** Loads the manifests once; the packaged manifests do not change within a deployment. */
function cachedLoader(dir: string): () => Promise<DesiredState> {
  let loaded: DesiredState | undefined;
  return async () => {
    if (loaded) return loaded;
    const result = await loadDesiredState(dir);
    if (!result.ok) throw new InvalidManifestsError(dir, result.errors);
    loaded = result.state;
    return loaded;
  };
}

/**
 * Records drift events and status (DynamoDB when `EVENTS_TABLE` is set, else `STATE_DIR`), plus
 * one log line per record. The target is built on first use: only the record task needs it.
 */
function recorderFromEnv(env: HandlerEnv, loadDesired: () => Promise<DesiredState>): RecordRun {
  let record: RecordRun | undefined;
  return async (entry) => {
    record ??= createRunRecorder(recordTargetFromEnv(env), { loadDesired });
    await record(entry);
    const summary = entry.kind === "plan" ? entry.plan.summary : entry.report.summary;
    logLine(`recorded ${entry.kind}`, { runId: entry.runId, kind: entry.kind, summary });
  };
}

export function taskDepsFromEnv(env: HandlerEnv): TaskDeps {
  const clients = createClients();
  const loadDesired = cachedLoader(manifestDirFromEnv(env));
  const lease = env.RUNS_TABLE
    ? createDynamoLease({
        dynamo: new DynamoDBClient({ maxAttempts: DEFAULT_MAX_ATTEMPTS, retryMode: "standard" }),
        sfn: clients.sfn,
        tableName: env.RUNS_TABLE,
      })
    : undefined;
  return {
    loadDesired,
    clients,
    record: recorderFromEnv(env, loadDesired),
    log: (message) => logLine(message),
    ...(lease ? { lease } : {}),
  };
}

let tasks: WorkflowTasks | undefined;

function tasksFromEnv(): WorkflowTasks {
  tasks ??= createTasks(taskDepsFromEnv(process.env));
  return tasks;
}

export const planHandler = middy(async (event: PlanTaskInput) => tasksFromEnv().plan(event));
export const recordHandler = middy(async (event: RecordTaskInput) => tasksFromEnv().record(event));
export const executeActionHandler = middy(async (event: ExecuteActionInput) =>
  tasksFromEnv().executeAction(event),
);
export const checkPendingHandler = middy(async (event: CheckPendingInput) =>
  tasksFromEnv().checkPending(event),
);
export const verifyHandler = middy(async (event: VerifyInput) => tasksFromEnv().verify(event));

/**
 * The executeAction task of one reconciler family (its function's role permits only that
 * family's writes); the family's reconciler refuses actions of other families.
 */
export function familyActionHandler(reconcile: TaskCore["reconcile"]) {
  let familyTasks: WorkflowTasks | undefined;
  return middy(async (event: ExecuteActionInput) => {
    familyTasks ??= createTasks(taskDepsFromEnv(process.env), { ...DEFAULT_TASK_CORE, reconcile });
    return familyTasks.executeAction(event);
  });
}

export class InvalidManifestsError extends Error {
  override name = "InvalidManifestsError";
  readonly errors: ManifestError[];
  constructor(dir: string, errors: ManifestError[]) {
    super(
      `the manifests in ${dir} are invalid; fix them and redeploy:\n${errors.map((e) => formatManifestError(e)).join("\n")}`,
    );
    this.errors = errors;
  }
}
