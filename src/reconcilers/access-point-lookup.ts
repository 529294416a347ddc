/**
 * Finding access points again at apply time: by id, or by the identity tags a managed one carries.
 */
import {
  type AccessPointDescription,
  DescribeAccessPointsCommand,
  type EFSClient,
  paginateDescribeAccessPoints,
} from "@aws-sdk/client-efs";
import { NAME_TAG, SPEC_HASH_TAG } from "./access-point-identity";
import { isAwsError } from "./classify";

const GONE_STATES = new Set(["deleting", "deleted"]);

export function isGone(ap: AccessPointDescription): boolean {
  return GONE_STATES.has(ap.LifeCycleState ?? "");
}

export function tagValue(ap: AccessPointDescription, key: string): string | undefined {
  return ap.Tags?.find((t) => t.Key === key)?.Value;
}

/** The access point with this id, or undefined when AWS no longer has it (or is deleting it). */
export async function describeAccessPoint(
  efs: EFSClient,
  accessPointId: string,
): Promise<AccessPointDescription | undefined> {
  try {
    const out = await efs.send(new DescribeAccessPointsCommand({ AccessPointId: accessPointId }));
    const ap = out.AccessPoints?.find((a) => a.AccessPointId === accessPointId);
    return ap && !isGone(ap) ? ap : undefined;
  } catch (err) {
    if (isAwsError(err, "AccessPointNotFound")) return undefined;
    throw err;
  }
}

/** Whether `ap` carries the identity tags of this name and spec hash (the phase-2 repoint finds it by them). */
export function hasIdentity(ap: AccessPointDescription, name: string, specHash: string): boolean {
  return tagValue(ap, NAME_TAG) === name && tagValue(ap, SPEC_HASH_TAG) === specHash;
}

/** The live access point of `fileSystemId` tagged with this name and spec hash (all pages read). */
export async function findAccessPointByIdentity(
  efs: EFSClient,
  fileSystemId: string,
  name: string,
  specHash: string,
): Promise<AccessPointDescription | undefined> {
  for await (const page of paginateDescribeAccessPoints({ client: efs }, { FileSystemId: fileSystemId })) {
    for (const ap of page.AccessPoints ?? []) {
      if (isGone(ap)) continue;
      if (hasIdentity(ap, name, specHash)) return ap;
    }
  }
  return undefined;
}
