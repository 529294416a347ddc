/**
 * What the Lambda entries of the deployed workflow share (src/statemachine/lambda/*.ts). Each entry
 * composes its own task from the pieces it needs, so its bundle holds only its own AWS clients and
 * code. Everything is created once per execution environment, on the first invocation, from the
 * environment:
 * - `MANIFEST_DIR`: the packaged, compiled manifests (default `desired-state`, relative to the
 *   bundle's directory; the manifests layer is /opt/desired-state);
 * - `EVENTS_TABLE` (else `STATE_DIR`), `EVENT_BUS_NAME`: where the record step writes drift events
 *   and status (see src/events/record-target.ts);
 * - `RUNS_TABLE`: the DynamoDB table of run state; when set, the TakeLease task takes the run lease
 *   there (one run at a time);
 * - `RUN_BUCKET`: the S3 bucket of documents too large for a state payload;
 * - region and endpoints as the AWS SDK reads them (`AWS_REGION`, `AWS_ENDPOINT_URL[_<SERVICE>]`).
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import middy from "@middy/core";
import { clientConfig } from "../aws/clients";
import { readCompiledManifests } from "../desired-state/compiled";
import type { DesiredState } from "../desired-state/types";
import type { Action } from "../plan/types";
import type { ReconcileOutcome } from "../reconcilers/types";
import { sourceMappedStacks } from "./error-stack";
import { createExecuteActionTask } from "./tasks";

export type HandlerEnv = Record<string, string | undefined>;

/** The configuration of every client a function creates (region and endpoints from the environment). */
export type LambdaClientConfig = ReturnType<typeof clientConfig>;

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
export function logLine(message: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ level: "INFO", message, ...fields })}\n`);
}

/** The compiled manifests of `dir`, read once: the packaged manifests do not change within a deployment. */
export function compiledManifestsLoader(dir: string): () => Promise<DesiredState> {
  let loaded: Promise<DesiredState> | undefined;
  return () => {
    loaded ??= readCompiledManifests(dir).catch((err: unknown) => {
      loaded = undefined;
      throw err;
    });
    return loaded;
  };
}

/**
 * A middy handler around a task built on the first invocation (clients and configuration are then
 * kept for the life of the execution environment).
 */
export function lambdaHandler<I, O>(build: (env: HandlerEnv) => (input: I) => Promise<O>) {
  let task: ((input: I) => Promise<O>) | undefined;
  return middy(async (event: I) => {
    try {
      task ??= build(process.env);
      return await task(event);
    } catch (error) {
      // Lambda reports the error's stack: name the TypeScript sources in it.
      mapStacks(error);
      throw error;
    }
  });
}

const mapStacks = sourceMappedStacks(typeof import.meta.url === "string" ? import.meta.url : "");

/**
 * The ExecuteAction task of one reconciler family: its function's role permits only that family's
 * writes, and its bundle holds only the clients `clients` creates. The family's reconciler refuses
 * actions of other families.
 */
export function familyActionHandler<C>(
  reconcile: (action: Action, clients: C) => Promise<ReconcileOutcome>,
  clients: (config: LambdaClientConfig) => C,
) {
  return lambdaHandler(() =>
    createExecuteActionTask(
      { clients: clients(clientConfig()), log: (message) => logLine(message) },
      reconcile,
    ),
  );
}
