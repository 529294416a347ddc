/**
 * Access points: one paginated DescribeAccessPoints sweep of the account and region (no
 * FileSystemId), grouped by file system.
 */
import {
  type AccessPointDescription,
  DescribeAccessPointsCommand,
  type EFSClient,
} from "@aws-sdk/client-efs";
import type { AwsReader } from "./aws-reader";
import { tagMap } from "./canonical";
import type { ObservedAccessPoint } from "./types";

/** Every access point in the region. */
export async function sweepAccessPoints(
  reader: AwsReader,
  efs: EFSClient,
): Promise<AccessPointDescription[]> {
  const pages = await reader.pages(
    "efs",
    "DescribeAccessPoints",
    (NextToken) => efs.send(new DescribeAccessPointsCommand(NextToken ? { NextToken } : {})),
    (page) => page.NextToken,
  );
  return pages.flatMap((p) => p.AccessPoints ?? []);
}

export function toObservedAccessPoint(ap: AccessPointDescription): ObservedAccessPoint {
  const creation = ap.RootDirectory?.CreationInfo;
  return {
    accessPointId: ap.AccessPointId ?? "",
    accessPointArn: ap.AccessPointArn ?? "",
    fileSystemId: ap.FileSystemId ?? "",
    lifeCycleState: ap.LifeCycleState ?? "",
    tags: tagMap(ap.Tags),
    ...(ap.PosixUser
      ? {
          posixUser: {
            uid: ap.PosixUser.Uid ?? 0,
            gid: ap.PosixUser.Gid ?? 0,
            secondaryGids: [...(ap.PosixUser.SecondaryGids ?? [])],
          },
        }
      : {}),
    rootDirectory: {
      path: ap.RootDirectory?.Path ?? "/",
      ...(creation
        ? {
            creationInfo: {
              ownerUid: creation.OwnerUid ?? 0,
              ownerGid: creation.OwnerGid ?? 0,
              permissions: creation.Permissions ?? "",
            },
          }
        : {}),
    },
  };
}

/** Access points of the wanted file systems, by file system id, sorted by access point id. */
export function groupAccessPoints(
  accessPoints: readonly AccessPointDescription[],
  fileSystemIds: ReadonlySet<string>,
): Map<string, ObservedAccessPoint[]> {
  const out = new Map<string, ObservedAccessPoint[]>();
  for (const ap of accessPoints) {
    if (!ap.FileSystemId || !fileSystemIds.has(ap.FileSystemId)) continue;
    const list = out.get(ap.FileSystemId) ?? [];
    list.push(toObservedAccessPoint(ap));
    out.set(ap.FileSystemId, list);
  }
  for (const list of out.values()) list.sort((a, b) => (a.accessPointId < b.accessPointId ? -1 : 1));
  return out;
}
