/**
 * One look at the resources actions left in transition. The workflow calls this between Wait
 * states until nothing is pending; it never sleeps itself.
 */
import { DescribeMountTargetSecurityGroupsCommand, DescribeMountTargetsCommand } from "@aws-sdk/client-efs";
import { GetFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import type { ClientsFor } from "../aws/clients";
import { isAwsError, toReconcileError } from "./classify";
import type { PendingResource } from "./types";

/** The AWS clients this reconciler family calls. */
export type PendingClients = ClientsFor<"efs" | "lambda">;

export interface PendingCheck {
  /** True when nothing is still in transition (resources that can never become ready are in `failed`). */
  ready: boolean;
  /** Still in transition: check again after a Wait. */
  pending: PendingResource[];
  /** One line per resource that will not become ready, with the reason. */
  failed: string[];
}

type Verdict = { state: "done" } | { state: "pending" } | { state: "failed"; reason: string };

const MOUNT_TARGET_IN_TRANSITION = new Set(["creating", "updating"]);

async function checkMountTarget(
  clients: PendingClients,
  r: Extract<PendingResource, { type: "mountTarget" }>,
): Promise<Verdict> {
  try {
    const out = await clients.efs.send(new DescribeMountTargetsCommand({ MountTargetId: r.mountTargetId }));
    const mt = out.MountTargets?.find((m) => m.MountTargetId === r.mountTargetId);
    const state = mt?.LifeCycleState ?? "deleted";
    if (state === "available") return await groupsVerdict(clients, r);
    if (MOUNT_TARGET_IN_TRANSITION.has(state)) return { state: "pending" };
    return {
      state: "failed",
      reason: `mount target ${r.mountTargetId} of ${r.fileSystemId} is ${state}; check it in the EFS console and re-run apply`,
    };
  } catch (err) {
    if (isAwsError(err, "MountTargetNotFound")) {
      return {
        state: "failed",
        reason: `mount target ${r.mountTargetId} of ${r.fileSystemId} no longer exists; re-run apply`,
      };
    }
    throw toReconcileError(err, { action: "CheckPending", resource: r.mountTargetId });
  }
}

/**
 * An available mount target someone else created: done when it has the groups it must have, failed
 * when it lacks one (the functions' NFS rules are on those groups: nothing may be repointed to it).
 */
async function groupsVerdict(
  clients: PendingClients,
  r: Extract<PendingResource, { type: "mountTarget" }>,
): Promise<Verdict> {
  const wanted = r.securityGroupIds ?? [];
  if (wanted.length === 0) return { state: "done" };
  const out = await clients.efs.send(
    new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: r.mountTargetId }),
  );
  const has = out.SecurityGroups ?? [];
  const missing = wanted.filter((g) => !has.includes(g));
  if (missing.length === 0) return { state: "done" };
  return {
    state: "failed",
    reason: `mount target ${r.mountTargetId} of ${r.fileSystemId} became available without security group ${missing.join(", ")} (its creator gave it ${has.join(", ") || "none"}): nothing is repointed to it in this run; the next run adds the group`,
  };
}

async function checkFunction(
  clients: PendingClients,
  r: Extract<PendingResource, { type: "function" }>,
): Promise<Verdict> {
  try {
    const fn = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: r.functionName }),
    );
    // Absent fields (older functions, emulators) mean the function is settled.
    const update = fn.LastUpdateStatus ?? "Successful";
    const state = fn.State ?? "Active";
    if (update === "Failed") {
      return {
        state: "failed",
        reason:
          `update of function ${r.functionName} failed: ${fn.LastUpdateStatusReasonCode ?? ""} ${fn.LastUpdateStatusReason ?? ""}`.trim(),
      };
    }
    if (state === "Failed") {
      return {
        state: "failed",
        reason:
          `function ${r.functionName} is in state Failed: ${fn.StateReasonCode ?? ""} ${fn.StateReason ?? ""}`.trim(),
      };
    }
    if (update === "InProgress" || state === "Pending") return { state: "pending" };
    return { state: "done" };
  } catch (err) {
    if (isAwsError(err, "ResourceNotFoundException")) {
      return { state: "failed", reason: `function ${r.functionName} no longer exists; re-run plan` };
    }
    throw toReconcileError(err, { action: "CheckPending", resource: r.functionName });
  }
}

/** Re-reads each pending resource once. Read errors that a retry may fix throw RetryableReconcileError. */
export async function checkPending(
  pending: PendingResource[],
  clients: PendingClients,
): Promise<PendingCheck> {
  const verdicts = await Promise.all(
    pending.map((r) => (r.type === "mountTarget" ? checkMountTarget(clients, r) : checkFunction(clients, r))),
  );
  const still: PendingResource[] = [];
  const failed: string[] = [];
  verdicts.forEach((v, i) => {
    const r = pending[i];
    if (!r) return;
    if (v.state === "pending") still.push(r);
    if (v.state === "failed") failed.push(v.reason);
  });
  return { ready: still.length === 0, pending: still, failed };
}
