/**
 * The Lambda handlers behind the deployed workflow's Task states: middy-wrapped task functions.
 * Clients, the manifest loader and the tasks are created once per execution environment, on the
 * first invocation, from the environment:
 * - `MANIFEST_DIR`: the manifests packaged with the function (default `desired-state`, relative to
 *   the bundle's directory);
 * - `STATE_DIR`: when set, run records are also appended to `<STATE_DIR>/runs.jsonl`;
 * - region and endpoints as the AWS SDK reads them (`AWS_REGION`, `AWS_ENDPOINT_URL[_<SERVICE>]`).
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import middy from "@middy/core";
import { createClients } from "../aws/clients";
import { formatManifestError, loadDesiredState } from "../desired-state/index";
import type { DesiredState, ManifestError } from "../desired-state/types";
import { createFileRecorder, type RecordRun } from "./run-record";
import { createTasks, type TaskDeps } from "./tasks";
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

/** Records: one log line per record, and the JSON Lines file when `STATE_DIR` is set. */
function recorderFromEnv(env: HandlerEnv): RecordRun {
  const toFile = env.STATE_DIR ? createFileRecorder(env.STATE_DIR) : undefined;
  return async (entry) => {
    const summary = entry.kind === "plan" ? entry.plan.summary : entry.report.summary;
    logLine(`recorded ${entry.kind}`, { runId: entry.runId, kind: entry.kind, summary });
    if (toFile) await toFile(entry);
  };
}

export function taskDepsFromEnv(env: HandlerEnv): TaskDeps {
  return {
    loadDesired: cachedLoader(manifestDirFromEnv(env)),
    clients: createClients(),
    record: recorderFromEnv(env),
    log: (message) => logLine(message),
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
