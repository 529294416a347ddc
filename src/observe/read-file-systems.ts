/**
 * File systems: one paginated DescribeFileSystems sweep resolves every FileSystem manifest (by id
 * or by selector tags); then, per found file system, its mount targets, lifecycle configuration
 * and (only when managed) backup policy.
 */
import {
  DescribeBackupPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeLifecycleConfigurationCommand,
  DescribeMountTargetsCommand,
  type EFSClient,
  type FileSystemDescription,
  type MountTargetDescription,
} from "@aws-sdk/client-efs";
import type { FileSystemManifest } from "../desired-state/types";
import type { AwsReader } from "./aws-reader";
import { canonicalBackupStatus, canonicalLifecycle, tagMap } from "./canonical";
import type { Limiter } from "./limiter";
import type { ObservedAccessPoint, ObservedFileSystem } from "./types";

/** Every file system in the region (tags included). */
export async function sweepFileSystems(reader: AwsReader, efs: EFSClient): Promise<FileSystemDescription[]> {
  const pages = await reader.pages(
    "efs",
    "DescribeFileSystems",
    (Marker) => efs.send(new DescribeFileSystemsCommand(Marker ? { Marker } : {})),
    (page) => page.NextMarker,
  );
  return pages.flatMap((p) => p.FileSystems ?? []);
}

export type FileSystemResolution =
  | { found: true; fileSystemId: string }
  | { found: false; reason: string; candidates: string[] };

/** States in which a file system can no longer be selected by its tags. */
const GONE_STATES = new Set(["deleting", "deleted"]);

function describeTags(tags: Record<string, string>): string {
  return Object.entries(tags)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

/** Which live file system a manifest designates: by `fileSystemId`, or the one its selector matches. */
export function resolveFileSystem(
  manifest: FileSystemManifest,
  fileSystems: readonly FileSystemDescription[],
  region: string,
): FileSystemResolution {
  const { fileSystemId, selector } = manifest.spec;
  if (fileSystemId !== undefined) {
    const fs = fileSystems.find((f) => f.FileSystemId === fileSystemId && f.LifeCycleState !== "deleted");
    if (fs && GONE_STATES.has(fs.LifeCycleState ?? "")) {
      return {
        found: false,
        reason: `file system ${fileSystemId} in ${region} is being deleted (${fs.LifeCycleState}); point the manifest at the file system that replaces it`,
        candidates: [],
      };
    }
    return fs
      ? { found: true, fileSystemId }
      : {
          found: false,
          reason: `no file system ${fileSystemId} in ${region}; check the id and the region`,
          candidates: [],
        };
  }
  const wanted = selector?.tags ?? {};
  const matches = fileSystems
    .filter((f) => f.FileSystemId && !GONE_STATES.has(f.LifeCycleState ?? ""))
    .filter((f) => {
      const tags = tagMap(f.Tags);
      return Object.entries(wanted).every(([k, v]) => tags[k] === v);
    })
    .map((f) => f.FileSystemId!)
    .sort();
  const wantedText = describeTags(wanted);
  if (matches.length === 1) return { found: true, fileSystemId: matches[0]! };
  if (matches.length === 0) {
    return {
      found: false,
      reason: `no file system in ${region} has the tags ${wantedText}; tag the file system or fix the selector`,
      candidates: [],
    };
  }
  return {
    found: false,
    reason: `${matches.length} file systems in ${region} have the tags ${wantedText} (${matches.join(", ")}); make the selector match exactly one, or set fileSystemId`,
    candidates: matches,
  };
}

export interface FileSystemDetails {
  mountTargets: MountTargetDescription[];
  lifecycle: ObservedFileSystem["lifecycle"];
  backupPolicy?: string;
}

/**
 * Mount targets, lifecycle and (when `readBackup`) backup policy of one file system, each call
 * through `limit`. Undefined when the file system disappeared meanwhile.
 */
export async function readFileSystemDetails(
  reader: AwsReader,
  efs: EFSClient,
  fileSystemId: string,
  readBackup: boolean,
  limit: Limiter,
): Promise<FileSystemDetails | undefined> {
  const gone = ["FileSystemNotFound"];
  const [mountTargets, lifecycle, backup] = await Promise.all([
    limit(() =>
      reader.tryPages(
        "efs",
        "DescribeMountTargets",
        (Marker) =>
          efs.send(
            new DescribeMountTargetsCommand({ FileSystemId: fileSystemId, ...(Marker ? { Marker } : {}) }),
          ),
        (page) => page.NextMarker,
        gone,
      ),
    ),
    limit(() =>
      reader.tryCall(
        "efs",
        "DescribeLifecycleConfiguration",
        () => efs.send(new DescribeLifecycleConfigurationCommand({ FileSystemId: fileSystemId })),
        gone,
      ),
    ),
    readBackup
      ? limit(() =>
          reader.tryCall(
            "efs",
            "DescribeBackupPolicy",
            () => efs.send(new DescribeBackupPolicyCommand({ FileSystemId: fileSystemId })),
            [...gone, "PolicyNotFound"],
          ),
        )
      : undefined,
  ]);
  if (!mountTargets.ok || !lifecycle.ok || (backup && !backup.ok && backup.errorName !== "PolicyNotFound")) {
    return undefined;
  }
  return {
    mountTargets: mountTargets.value.flatMap((p) => p.MountTargets ?? []),
    lifecycle: canonicalLifecycle(lifecycle.value.LifecyclePolicies),
    ...(backup
      ? { backupPolicy: backup.ok ? canonicalBackupStatus(backup.value.BackupPolicy?.Status) : "DISABLED" }
      : {}),
  };
}

/** The snapshot of one file system, but for its mount targets (they need the network's reads). */
export function toObservedFileSystem(
  fs: FileSystemDescription,
  details: FileSystemDetails,
  accessPoints: ObservedAccessPoint[],
): Omit<ObservedFileSystem, "mountTargets"> {
  return {
    fileSystemId: fs.FileSystemId ?? "",
    fileSystemArn: fs.FileSystemArn ?? "",
    ...(fs.Name ? { name: fs.Name } : {}),
    tags: tagMap(fs.Tags),
    encrypted: fs.Encrypted === true,
    performanceMode: fs.PerformanceMode ?? "generalPurpose",
    throughputMode: fs.ThroughputMode ?? "bursting",
    ...(fs.ProvisionedThroughputInMibps !== undefined
      ? { provisionedThroughputInMibps: fs.ProvisionedThroughputInMibps }
      : {}),
    lifeCycleState: fs.LifeCycleState ?? "",
    lifecycle: details.lifecycle,
    ...(details.backupPolicy !== undefined ? { backupPolicy: details.backupPolicy } : {}),
    accessPoints,
  };
}
