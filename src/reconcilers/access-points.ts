/**
 * Access-point reconcilers: create (idempotent by identity tags and ClientToken), adopt by tagging,
 * and delete — only a managed access point no function mounts (§5.1).
 */
import {
  type AccessPointDescription,
  CreateAccessPointCommand,
  DeleteAccessPointCommand,
  TagResourceCommand,
} from "@aws-sdk/client-efs";
import { type LambdaClient, paginateListFunctions } from "@aws-sdk/client-lambda";
import middy from "@middy/core";
import type { AwsClients } from "../aws/clients";
import type { Action } from "../plan/types";
import { accessPointTags, MANAGED_BY_TAG, MANAGED_BY_VALUE, NAME_TAG } from "./access-point-identity";
import { describeAccessPoint, findAccessPointByIdentity, tagValue } from "./access-point-lookup";
import { classified, isAwsError, wrongFamilyError } from "./classify";
import { RetryableReconcileError, TerminalReconcileError } from "./errors";
import { clientsFromEnv } from "./lambda-clients";
import { skipped, succeeded } from "./outcome";
import type { ActionOf, ReconcileOutcome } from "./types";

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

export async function reconcileCreateAccessPoint(
  action: ActionOf<"CreateAccessPoint">,
  clients: AwsClients,
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
  clients: AwsClients,
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
      found.push({
        label: published ? `${fn.FunctionName}:${fn.Version}` : (fn.FunctionName ?? "?"),
        published,
      });
    }
  }
  return found;
}

/** Deletes a managed access point no function mounts; refuses anything else. */
export async function reconcileDeleteAccessPoint(
  action: ActionOf<"DeleteAccessPoint">,
  clients: AwsClients,
): Promise<ReconcileOutcome> {
  return classified(action, async () => {
    const { accessPointId, accessPointArn, fileSystemId } = action.params;
    const ap = await describeAccessPoint(clients.efs, accessPointId);
    if (!ap) return skipped(action, `access point ${accessPointId} was already deleted`);
    if (ap.FileSystemId !== undefined && ap.FileSystemId !== fileSystemId) {
      throw new TerminalReconcileError(
        `refused to delete access point ${accessPointId}: it belongs to ${ap.FileSystemId}, not ${fileSystemId}; re-run plan`,
      );
    }
    if (tagValue(ap, MANAGED_BY_TAG) !== MANAGED_BY_VALUE) {
      throw new TerminalReconcileError(
        `refused to delete access point ${accessPointId}: it is not tagged ${MANAGED_BY_TAG}=${MANAGED_BY_VALUE}, ` +
          "so the reconciler does not own it; delete it by hand if it is no longer needed",
      );
    }
    const arns = new Set([accessPointArn, ...(ap.AccessPointArn ? [ap.AccessPointArn] : [])]);
    const mounters = await functionsMounting(clients.lambda, arns);
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
export async function reconcileAccessPoints(action: Action, clients: AwsClients): Promise<ReconcileOutcome> {
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

export const handler = middy(async (event: Action) => reconcileAccessPoints(event, clientsFromEnv()));
