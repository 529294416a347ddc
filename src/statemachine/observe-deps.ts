/**
 * What the observation stages' functions and the Plan and Verify functions build from their
 * environment: the packaged manifests, the log, the run bucket's store (when `RUN_BUCKET` is set);
 * a stage's function its own clients, Plan and Verify the groups whose ingress the deployment may
 * change (when `MOUNT_TARGET_SECURITY_GROUP_IDS` is set).
 */
import { clientConfig } from "../aws/clients";
import { createS3Objects } from "../aws/s3-objects";
import {
  compiledManifestsLoader,
  type HandlerEnv,
  type LambdaClientConfig,
  logLine,
  manifestDirFromEnv,
} from "./handlers";
import { runStoreFromEnv } from "./s3-run-store";
import type { ObserveTaskDeps, VerifyTaskDeps } from "./tasks";

function commonDepsFromEnv(env: HandlerEnv): Pick<VerifyTaskDeps, "loadDesired" | "log" | "store"> {
  const store = runStoreFromEnv(env, () => createS3Objects(clientConfig()));
  return {
    loadDesired: compiledManifestsLoader(manifestDirFromEnv(env)),
    log: (message) => logLine(message),
    ...(store ? { store } : {}),
  };
}

/** An observation stage's function: its clients only, created from the environment's configuration. */
export function stageTaskDepsFromEnv<C>(
  env: HandlerEnv,
  clients: (config: LambdaClientConfig) => C,
): ObserveTaskDeps<C> {
  return { ...commonDepsFromEnv(env), clients: clients(clientConfig()) };
}

/** The Plan and Verify functions: no AWS client but the run bucket's. */
export function planTaskDepsFromEnv(env: HandlerEnv): VerifyTaskDeps {
  const ingressGroups = ingressGroupsFromEnv(env);
  return { ...commonDepsFromEnv(env), ...(ingressGroups ? { ingressGroups } : {}) };
}

/**
 * `MOUNT_TARGET_SECURITY_GROUP_IDS`: the template's `MountTargetSecurityGroupIds`, comma-separated,
 * the only groups whose ingress the deployment's role may change; unset or blank: no such limit.
 */
export function ingressGroupsFromEnv(env: HandlerEnv): string[] | undefined {
  const ids = (env.MOUNT_TARGET_SECURITY_GROUP_IDS ?? "")
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
  return ids.length > 0 ? ids : undefined;
}
