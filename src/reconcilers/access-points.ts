/**
 * Access-point reconcilers: create (idempotent by identity tags and ClientToken), adopt by tagging,
 * and delete — only a managed access point no function mounts (§5.1).
 */
import {
  type AccessPointDescription,
  CreateAccessPointCommand,
  DeleteAccessPointCommand,
  type EFSClient,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-efs";
import { type LambdaClient, paginateListFunctions } from "@aws-sdk/client-lambda";
import type { ClientsFor } from "../aws/clients";
import type { Action } from "../plan/types";
import {
  accessPointTags,
  MANAGED_BY_TAG,
  MANAGED_BY_VALUE,
  NAME_TAG,
  OWNERSHIP_TAG_KEYS,
  SPEC_HASH_TAG,
} from "./access-point-identity";
import { describeAccessPoint, findAccessPointByIdentity, hasIdentity, tagValue } from "./access-point-lookup";
import { classified, isAwsError, wrongFamilyError } from "./classify";
import { RetryableReconcileError, TerminalReconcileError } from "./errors";
import { skipped, succeeded } from "./outcome";
import type { ActionOf, ReconcileOutcome } from "./types";

/** The AWS clients this reconciler family calls. */
export type AccessPointsClients = ClientsFor<"efs" | "lambda">;

function alreadyThere(
  action: ActionOf<"CreateAccessPoint">,
  ap: AccessPointDescription,
  how: string,
): ReconcileOutcome {
  const { definition } = action.params;
  if (ap.LifeCycleState === "error") {
    throw new TerminalReconcileError(
      `access point ${ap.AccessPointId} (${definition.name} on ${definition.fileSystemId}) is in state error; ` +
        "delete it by hand and re-run apply",
    );
  }
  return skipped(
    action,
    `access point ${ap.AccessPointId} for ${definition.name} on ${definition.fileSystemId} ${how}`,
  );
}

/**
 * The access point a client token names lacks the identity tags (released because a function outside
 * the manifests mounts it, or untagged by hand): it is not this spec's, and the repoint could never
 * find it, so the action fails and says how to settle it.
 */
function tokenHeldByUnmanaged(
  id: string | undefined,
  action: ActionOf<"CreateAccessPoint">,
): TerminalReconcileError {
  const { definition, specHash } = action.params;
  const ap = id ?? "(no id given)";
  return new TerminalReconcileError(
    `access point ${ap} on ${definition.fileSystemId} holds the client token of ${definition.name}'s spec but not efs-reconciler's ` +
      `tags (${NAME_TAG}, ${SPEC_HASH_TAG}: released, or removed by hand), so ${definition.name} cannot be created; ` +
      `delete ${ap}, or tag it ${NAME_TAG}=${definition.name} and ${SPEC_HASH_TAG}=${specHash} for efs-reconciler to manage it, and re-run apply`,
  );
}

export async function reconcileCreateAccessPoint(
  action: ActionOf<"CreateAccessPoint">,
  clients: AccessPointsClients,
): Promise<ReconcileOutcome> {
  return classified(action, async () => {
    const { definition, specHash, clientToken } = action.params;
    const { fileSystemId, name, posixUser, rootDirectory } = definition;
    const existing = await findAccessPointByIdentity(clients.efs, fileSystemId, name, specHash);
    if (existing) return alreadyThere(action, existing, "already existed");
    try {
      const out = await clients.efs.send(
        new CreateAccessPointCommand({
          ClientToken: clientToken,
          FileSystemId: fileSystemId,
          PosixUser: {
            Uid: posixUser.uid,
            Gid: posixUser.gid,
            ...(posixUser.secondaryGids.length > 0 ? { SecondaryGids: posixUser.secondaryGids } : {}),
          },
          RootDirectory: {
            Path: rootDirectory.path,
            CreationInfo: {
              OwnerUid: rootDirectory.creationInfo.ownerUid,
              OwnerGid: rootDirectory.creationInfo.ownerGid,
              Permissions: rootDirectory.creationInfo.permissions,
            },
          },
          Tags: accessPointTags(name, specHash),
        }),
      );
      // EFS answers a repeated client token with the access point it made then, as it is now.
      if (!hasIdentity(out, name, specHash)) throw tokenHeldByUnmanaged(out.AccessPointId, action);
      return succeeded(
        action,
        `created access point ${out.AccessPointId} for ${name} on ${fileSystemId} (root ${rootDirectory.path})`,
      );
    } catch (err) {
      if (isAwsError(err, "AccessPointAlreadyExists")) {
        const now = await findAccessPointByIdentity(clients.efs, fileSystemId, name, specHash);
        if (now) return alreadyThere(action, now, "was already created");
        const id = (err as { AccessPointId?: string }).AccessPointId;
        const byToken = id ? await describeAccessPoint(clients.efs, id) : undefined;
        if (byToken && !hasIdentity(byToken, name, specHash)) throw tokenHeldByUnmanaged(id, action);
        if (byToken) return alreadyThere(action, byToken, "was already created with this client token");
        throw new RetryableReconcileError(
          `access point for ${name} on ${fileSystemId} was reported as existing but is not visible yet; retrying`,
          { cause: err },
        );
      }
      if (isAwsError(err, "AccessPointLimitExceeded")) {
        throw new TerminalReconcileError(
          `file system ${fileSystemId} has reached its access point limit, so ${name} cannot be created; ` +
            "delete unused access points and re-run apply",
          { cause: err },
        );
      }
      if (isAwsError(err, "IncorrectFileSystemLifeCycleState")) {
        throw new RetryableReconcileError(
          `file system ${fileSystemId} is not available yet for access point ${name}; retrying later`,
          { cause: err },
        );
      }
      throw err;
    }
  });
}

/** Adoption: gives an access point a bound function already mounts the managed identity tags. */
export async function reconcileTagAccessPoint(
  action: ActionOf<"TagAccessPoint">,
  clients: AccessPointsClients,
): Promise<ReconcileOutcome> {
  return classified(action, async () => {
    const { accessPointId, name } = action.params;
    const ap = await describeAccessPoint(clients.efs, accessPointId);
    // Gone (typically replaced by an earlier run of this plan): there is nothing left to adopt.
    if (!ap)
      return skipped(action, `access point ${accessPointId} no longer exists; nothing to adopt as ${name}`);
    const currentName = tagValue(ap, NAME_TAG);
    if (currentName !== undefined && currentName !== name) {
      throw new TerminalReconcileError(
        `refused to adopt access point ${accessPointId} as ${name}: it is already tagged ${NAME_TAG}=${currentName}; re-run plan`,
      );
    }
    if (currentName === name && tagValue(ap, MANAGED_BY_TAG) === MANAGED_BY_VALUE) {
      return skipped(action, `access point ${accessPointId} was already adopted as ${name}`);
    }
    await clients.efs.send(
      new TagResourceCommand({
        ResourceId: accessPointId,
        Tags: [
          { Key: NAME_TAG, Value: name },
          { Key: MANAGED_BY_TAG, Value: MANAGED_BY_VALUE },
        ],
      }),
    );
    return succeeded(
      action,
      `adopted access point ${accessPointId} as ${name} (tagged ${NAME_TAG}, ${MANAGED_BY_TAG})`,
    );
  });
}

interface Mounter {
  functionName: string;
  /** Function name, with `:VERSION` for a published version. */
  label: string;
  published: boolean;
}

/** Every function version in the region whose file system configs mount one of `arns`. */
async function functionsMounting(lambda: LambdaClient, arns: Set<string>): Promise<Mounter[]> {
  const found: Mounter[] = [];
  for await (const page of paginateListFunctions({ client: lambda }, { FunctionVersion: "ALL" })) {
    for (const fn of page.Functions ?? []) {
      if (!(fn.FileSystemConfigs ?? []).some((c) => c.Arn !== undefined && arns.has(c.Arn))) continue;
      const published = fn.Version !== undefined && fn.Version !== "$LATEST";
      const functionName = fn.FunctionName ?? "?";
      found.push({
        functionName,
        label: published ? `${functionName}:${fn.Version}` : functionName,
        published,
      });
    }
  }
  return found;
}

function notOwnedError(accessPointId: string): TerminalReconcileError {
  return new TerminalReconcileError(
    `refused to delete access point ${accessPointId}: it is not tagged ${MANAGED_BY_TAG}=${MANAGED_BY_VALUE}, ` +
      "so the reconciler does not own it; delete it by hand if it is no longer needed",
  );
}

/**
 * Functions no manifest binds mount the access point: it is kept, and efs-reconciler gives up
 * ownership (removes the tags in `ownTags`, if any are left) so that it never manages or deletes
 * it again and the name stays unique. Always ends the action as failed: the planned deletion did
 * not happen, and the user must hear why.
 */
async function release(
  efs: EFSClient,
  accessPointId: string,
  ownTags: string[],
  foreign: Mounter[],
): Promise<never> {
  if (ownTags.length > 0) {
    await efs.send(new UntagResourceCommand({ ResourceId: accessPointId, TagKeys: ownTags }));
  }
  const who = foreign.map((m) => m.label).join(", ");
  const still =
    foreign.length === 1
      ? "still mounts it and no manifest binds it"
      : "still mount it and no manifest binds them";
  const removed =
    ownTags.length > 0
      ? `removed its tags ${ownTags.join(", ")}`
      : "its efs-reconciler tags were already removed";
  throw new TerminalReconcileError(
    `kept access point ${accessPointId} instead of deleting it: ${who} ${still}; ` +
      `released it from efs-reconciler management (${removed}), so efs-reconciler will not change or delete it again; ` +
      "delete it by hand once nothing mounts it",
  );
}

/**
 * Deletes a managed access point no function mounts. A function of the manifests still mounting it
 * (a repoint settling) is waited for; a function outside the manifests mounting it keeps it, and
 * efs-reconciler releases it (see `release`). Refuses anything else.
 */
export async function reconcileDeleteAccessPoint(
  action: ActionOf<"DeleteAccessPoint">,
  clients: AccessPointsClients,
): Promise<ReconcileOutcome> {
  return classified(action, async () => {
    const { accessPointId, accessPointArn, fileSystemId, manifestFunctions } = action.params;
    const ap = await describeAccessPoint(clients.efs, accessPointId);
    if (!ap) return skipped(action, `access point ${accessPointId} was already deleted`);
    if (ap.FileSystemId !== undefined && ap.FileSystemId !== fileSystemId) {
      throw new TerminalReconcileError(
        `refused to delete access point ${accessPointId}: it belongs to ${ap.FileSystemId}, not ${fileSystemId}; re-run plan`,
      );
    }
    const owned = tagValue(ap, MANAGED_BY_TAG) === MANAGED_BY_VALUE;
    const ownTags = OWNERSHIP_TAG_KEYS.filter((key) => tagValue(ap, key) !== undefined);
    // Carrying some of the tags without managed-by: tagged by someone else, not ours to untag.
    if (!owned && ownTags.length > 0) throw notOwnedError(accessPointId);
    const arns = new Set([accessPointArn, ...(ap.AccessPointArn ? [ap.AccessPointArn] : [])]);
    const mounters = await functionsMounting(clients.lambda, arns);
    const bound = new Set(manifestFunctions);
    const foreign = mounters.filter((m) => !bound.has(m.functionName));
    // Mounted from outside the manifests: kept and released (or, with no tags left, released by an
    // earlier attempt of this action).
    if (foreign.length > 0) await release(clients.efs, accessPointId, ownTags, foreign);
    if (!owned) throw notOwnedError(accessPointId);
    const versions = mounters.filter((m) => m.published).map((m) => m.label);
    if (versions.length > 0) {
      throw new TerminalReconcileError(
        `refused to delete access point ${accessPointId}: published function versions mount it (${versions.join(", ")}); ` +
          "delete those versions or keep the access point",
      );
    }
    if (mounters.length > 0) {
      throw new RetryableReconcileError(
        `access point ${accessPointId} is still mounted by ${mounters.map((m) => m.label).join(", ")}; ` +
          "not deleting it while a repoint may still be settling; if it stays mounted, re-run plan",
      );
    }
    try {
      await clients.efs.send(new DeleteAccessPointCommand({ AccessPointId: accessPointId }));
    } catch (err) {
      if (isAwsError(err, "AccessPointNotFound")) {
        return skipped(action, `access point ${accessPointId} was already deleted`);
      }
      throw err;
    }
    return succeeded(action, `deleted access point ${accessPointId} of ${fileSystemId}`);
  });
}

/** Runs one access-point action; refuses actions of other families. */
export async function reconcileAccessPoints(
  action: Action,
  clients: AccessPointsClients,
): Promise<ReconcileOutcome> {
  switch (action.type) {
    case "CreateAccessPoint":
      return reconcileCreateAccessPoint(action, clients);
    case "TagAccessPoint":
      return reconcileTagAccessPoint(action, clients);
    case "DeleteAccessPoint":
      return reconcileDeleteAccessPoint(action, clients);
    default:
      throw wrongFamilyError("access-point", action);
  }
}
