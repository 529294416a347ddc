/**
 * What the Plan and Verify functions both build from their environment: the packaged manifests,
 * observation's clients, the log, the run bucket's store (when `RUN_BUCKET` is set), and the groups
 * whose ingress the deployment may change (when `MOUNT_TARGET_SECURITY_GROUP_IDS` is set).
 */
import { clientConfig, createObserveClients } from "../aws/clients";
import { createS3Objects } from "../aws/s3-objects";
import { compiledManifestsLoader, type HandlerEnv, logLine, manifestDirFromEnv } from "./handlers";
import { runStoreFromEnv } from "./s3-run-store";
import type { VerifyTaskDeps } from "./tasks";

export function observeTaskDepsFromEnv(env: HandlerEnv): VerifyTaskDeps {
  const store = runStoreFromEnv(env, () => createS3Objects(clientConfig()));
  const ingressGroups = ingressGroupsFromEnv(env);
  return {
    loadDesired: compiledManifestsLoader(manifestDirFromEnv(env)),
    clients: createObserveClients(),
    log: (message) => logLine(message),
    ...(store ? { store } : {}),
    ...(ingressGroups ? { ingressGroups } : {}),
  };
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
