/**
 * What the Plan and Verify functions both build from their environment: the packaged manifests,
 * observation's clients, the log, and the run bucket's store (when `RUN_BUCKET` is set).
 */
import { clientConfig, createObserveClients } from "../aws/clients";
import { createS3Objects } from "../aws/s3-objects";
import { compiledManifestsLoader, type HandlerEnv, logLine, manifestDirFromEnv } from "./handlers";
import { runStoreFromEnv } from "./s3-run-store";
import type { VerifyTaskDeps } from "./tasks";

export function observeTaskDepsFromEnv(env: HandlerEnv): VerifyTaskDeps {
  const store = runStoreFromEnv(env, () => createS3Objects(clientConfig()));
  return {
    loadDesired: compiledManifestsLoader(manifestDirFromEnv(env)),
    clients: createObserveClients(),
    log: (message) => logLine(message),
    ...(store ? { store } : {}),
  };
}
