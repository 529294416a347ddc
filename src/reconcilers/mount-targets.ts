/**
 * Mount-target reconcilers: create the missing mount target of an AZ, add the manifest's security
 * group to an existing one. Mount targets are never deleted (§5.4).
 */
import {
  CreateMountTargetCommand,
  DescribeMountTargetSecurityGroupsCommand,
  type EFSClient,
  ModifyMountTargetSecurityGroupsCommand,
  type MountTargetDescription,
  paginateDescribeMountTargets,
} from "@aws-sdk/client-efs";
import type { ClientsFor } from "../aws/clients";
import type { Action } from "../plan/types";
import { classified, isAwsError, wrongFamilyError } from "./classify";
import { RetryableReconcileError, TerminalReconcileError } from "./errors";
import { skipped, succeeded } from "./outcome";
import type { ActionOf, PendingResource, ReconcileOutcome } from "./types";

/** The AWS clients this reconciler family calls. */
export type MountTargetsClients = ClientsFor<"efs">;

/** EFS allows at most this many security groups on one mount target. */
export const MAX_MOUNT_TARGET_SECURITY_GROUPS = 5;

const GONE_STATES = new Set(["deleted"]);

async function mountTargetInAz(
  efs: EFSClient,
  fileSystemId: string,
  availabilityZone: string,
): Promise<MountTargetDescription | undefined> {
  for await (const page of paginateDescribeMountTargets({ client: efs }, { FileSystemId: fileSystemId })) {
    for (const mt of page.MountTargets ?? []) {
      if (mt.AvailabilityZoneName === availabilityZone && !GONE_STATES.has(mt.LifeCycleState ?? ""))
        return mt;
    }
  }
  return undefined;
}

function pendingMountTarget(
  fileSystemId: string,
  mt: MountTargetDescription,
  securityGroupIds?: readonly string[],
): PendingResource[] {
  const state = mt.LifeCycleState ?? "available";
  if (state === "available" || !mt.MountTargetId) return [];
  return [
    {
      type: "mountTarget",
      fileSystemId,
      mountTargetId: mt.MountTargetId,
      ...(securityGroupIds ? { securityGroupIds: [...securityGroupIds] } : {}),
    },
  ];
}

/**
 * The outcome for a mount target already present in the AZ, or an error when it can never serve.
 * An available one made by someone else may lack the manifest's security group, which the
 * functions' NFS rules are on: it gets the action's groups it lacks before the action counts as done.
 */
async function existingOutcome(
  action: ActionOf<"CreateMountTarget">,
  mt: MountTargetDescription,
  how: string,
  efs: EFSClient,
): Promise<ReconcileOutcome> {
  const { fileSystemId, availabilityZone } = action.params;
  const state = mt.LifeCycleState ?? "available";
  if (state === "deleting") {
    throw new RetryableReconcileError(
      `mount target ${mt.MountTargetId} of ${fileSystemId} in ${availabilityZone} is being deleted; ` +
        "a new one is created once it is gone",
    );
  }
  if (state === "error") {
    throw new TerminalReconcileError(
      `mount target ${mt.MountTargetId} of ${fileSystemId} in ${availabilityZone} is in state error; ` +
        "delete it by hand (the reconciler never deletes mount targets) and re-run apply",
    );
  }
  if (state === "available") {
    const added = mt.MountTargetId
      ? await addSecurityGroups(efs, mt.MountTargetId, action.params.securityGroupIds)
      : [];
    return added.length > 0
      ? succeeded(
          action,
          `mount target ${mt.MountTargetId} of ${fileSystemId} in ${availabilityZone} ${how}; added security group ${added.join(", ")} to it`,
        )
      : skipped(
          action,
          `mount target ${mt.MountTargetId} of ${fileSystemId} in ${availabilityZone} ${how} (${state})`,
        );
  }
  // Still being created: the action is to wait for it, and then to find the manifest's groups on
  // it (its creator chose them; the check fails the wait when one is missing).
  return succeeded(
    action,
    `mount target ${mt.MountTargetId} of ${fileSystemId} in ${availabilityZone} ${how} (${state}); waiting until it is available with security group ${action.params.securityGroupIds.join(", ")}`,
    pendingMountTarget(fileSystemId, mt, action.params.securityGroupIds),
  );
}

export async function reconcileCreateMountTarget(
  action: ActionOf<"CreateMountTarget">,
  clients: MountTargetsClients,
): Promise<ReconcileOutcome> {
  return classified(action, async () => {
    const { fileSystemId, availabilityZone, subnetId, securityGroupIds } = action.params;
    const existing = await mountTargetInAz(clients.efs, fileSystemId, availabilityZone);
    if (existing) return existingOutcome(action, existing, "already existed", clients.efs);
    try {
      const created = await clients.efs.send(
        new CreateMountTargetCommand({
          FileSystemId: fileSystemId,
          SubnetId: subnetId,
          SecurityGroups: securityGroupIds,
        }),
      );
      return succeeded(
        action,
        `created mount target ${created.MountTargetId} of ${fileSystemId} in ${availabilityZone} (subnet ${subnetId})`,
        pendingMountTarget(fileSystemId, created),
      );
    } catch (err) {
      if (isAwsError(err, "MountTargetConflict")) {
        const now = await mountTargetInAz(clients.efs, fileSystemId, availabilityZone);
        if (now) return existingOutcome(action, now, "was already created", clients.efs);
        throw new TerminalReconcileError(
          `CreateMountTarget on ${fileSystemId} in ${availabilityZone} conflicts with existing mount targets ` +
            `(the file system may have mount targets in another VPC than subnet ${subnetId}); fix the manifests or ` +
            "the file system's mount targets and re-run plan",
          { cause: err },
        );
      }
      if (isAwsError(err, "IncorrectFileSystemLifeCycleState")) {
        throw new RetryableReconcileError(
          `file system ${fileSystemId} is not available yet for a mount target in ${availabilityZone}; retrying later`,
          { cause: err },
        );
      }
      throw err;
    }
  });
}

/**
 * Gives mount target `mountTargetId` the groups of `wanted` it lacks (keeping its others); returns
 * the ones it added (none: nothing was written).
 */
async function addSecurityGroups(
  efs: EFSClient,
  mountTargetId: string,
  wanted: readonly string[],
): Promise<string[]> {
  let current: string[];
  try {
    const out = await efs.send(
      new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: mountTargetId }),
    );
    current = out.SecurityGroups ?? [];
  } catch (err) {
    if (isAwsError(err, "MountTargetNotFound")) {
      throw new TerminalReconcileError(
        `mount target ${mountTargetId} no longer exists; re-run plan (a missing AZ gets a new mount target)`,
        { cause: err },
      );
    }
    throw err;
  }
  const missing = wanted.filter((g) => !current.includes(g));
  if (missing.length === 0) return [];
  if (current.length + missing.length > MAX_MOUNT_TARGET_SECURITY_GROUPS) {
    throw new TerminalReconcileError(
      `mount target ${mountTargetId} already has ${current.length} security groups (${current.join(", ")}), ` +
        `the EFS maximum is ${MAX_MOUNT_TARGET_SECURITY_GROUPS}: remove one by hand to make room for ` +
        `${missing.join(", ")}, then re-run apply`,
    );
  }
  try {
    await efs.send(
      new ModifyMountTargetSecurityGroupsCommand({
        MountTargetId: mountTargetId,
        SecurityGroups: [...current, ...missing],
      }),
    );
  } catch (err) {
    if (isAwsError(err, "IncorrectMountTargetState")) {
      throw new RetryableReconcileError(
        `mount target ${mountTargetId} is not available yet to change its security groups; retrying later`,
        { cause: err },
      );
    }
    throw err;
  }
  return missing;
}

export async function reconcileAddMountTargetSecurityGroup(
  action: ActionOf<"AddMountTargetSecurityGroup">,
  clients: MountTargetsClients,
): Promise<ReconcileOutcome> {
  return classified(action, async () => {
    const { mountTargetId, securityGroupId } = action.params;
    const added = await addSecurityGroups(clients.efs, mountTargetId, [securityGroupId]);
    if (added.length === 0) {
      return skipped(
        action,
        `mount target ${mountTargetId} already carried security group ${securityGroupId}`,
      );
    }
    return succeeded(action, `added security group ${securityGroupId} to mount target ${mountTargetId}`);
  });
}

/** Runs one mount-target action; refuses actions of other families. */
export async function reconcileMountTargets(
  action: Action,
  clients: MountTargetsClients,
): Promise<ReconcileOutcome> {
  switch (action.type) {
    case "CreateMountTarget":
      return reconcileCreateMountTarget(action, clients);
    case "AddMountTargetSecurityGroup":
      return reconcileAddMountTargetSecurityGroup(action, clients);
    default:
      throw wrongFamilyError("mount-target", action);
  }
}
