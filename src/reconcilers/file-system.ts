/**
 * File-system settings reconcilers: lifecycle transitions, throughput mode, backup policy.
 * Immutable settings (encryption, performance mode) are never touched.
 */
import {
  DescribeBackupPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeLifecycleConfigurationCommand,
  type LifecyclePolicy,
  PutBackupPolicyCommand,
  PutLifecycleConfigurationCommand,
  type ThroughputMode,
  type TransitionToArchiveRules,
  type TransitionToIARules,
  type TransitionToPrimaryStorageClassRules,
  UpdateFileSystemCommand,
} from "@aws-sdk/client-efs";
import type { ClientsFor } from "../aws/clients";
import { canonicalBackupStatus, canonicalLifecycle } from "../observe/canonical";
import type { Action } from "../plan/types";
import { reconcileAlarms } from "./alarms";
import { classified, isAwsError, wrongFamilyError } from "./classify";
import { RetryableReconcileError, TerminalReconcileError } from "./errors";
import { skipped, succeeded } from "./outcome";
import type { ActionOf, ReconcileOutcome } from "./types";

/** The AWS clients this reconciler family calls. */
export type FileSystemClients = ClientsFor<"efs" | "cloudwatch">;

const NONE = "NONE";

/** Throws a Retryable error for a file system in transition (for example `updating`). */
function rethrowLifeCycle(err: unknown, fileSystemId: string, what: string): never {
  if (isAwsError(err, "IncorrectFileSystemLifeCycleState")) {
    throw new RetryableReconcileError(
      `file system ${fileSystemId} is not available for ${what} yet; retrying later`,
      { cause: err },
    );
  }
  throw err;
}

interface Transitions {
  transitionToIA: string;
  transitionToPrimaryStorageClass: string;
  transitionToArchive: string;
}

function liveTransitions(policies: LifecyclePolicy[]): Transitions {
  const live = canonicalLifecycle(policies);
  return { ...live, transitionToArchive: live.transitionToArchive ?? NONE };
}

function toPolicies(t: Transitions): LifecyclePolicy[] {
  const out: LifecyclePolicy[] = [];
  if (t.transitionToIA !== NONE) out.push({ TransitionToIA: t.transitionToIA as TransitionToIARules });
  if (t.transitionToPrimaryStorageClass !== NONE) {
    out.push({
      TransitionToPrimaryStorageClass:
        t.transitionToPrimaryStorageClass as TransitionToPrimaryStorageClassRules,
    });
  }
  if (t.transitionToArchive !== NONE) {
    out.push({ TransitionToArchive: t.transitionToArchive as TransitionToArchiveRules });
  }
  return out;
}

function describeTransitions(t: Transitions): string {
  return `IA ${t.transitionToIA}, primary ${t.transitionToPrimaryStorageClass}`;
}

/**
 * Puts both managed transitions as one list. The archive transition is not managed: the value
 * live right now is written back unchanged (so a change made since the plan is not reverted).
 */
export async function reconcilePutLifecycleConfiguration(
  action: ActionOf<"PutLifecycleConfiguration">,
  clients: FileSystemClients,
): Promise<ReconcileOutcome> {
  return classified(action, async () => {
    const { fileSystemId } = action.params;
    const out = await clients.efs.send(
      new DescribeLifecycleConfigurationCommand({ FileSystemId: fileSystemId }),
    );
    const live = liveTransitions(out.LifecyclePolicies ?? []);
    const wanted: Transitions = {
      transitionToIA: action.params.transitionToIA,
      transitionToPrimaryStorageClass: action.params.transitionToPrimaryStorageClass,
      transitionToArchive: live.transitionToArchive,
    };
    if (
      live.transitionToIA === wanted.transitionToIA &&
      live.transitionToPrimaryStorageClass === wanted.transitionToPrimaryStorageClass
    ) {
      return skipped(action, `lifecycle of ${fileSystemId} was already ${describeTransitions(live)}`);
    }
    try {
      await clients.efs.send(
        new PutLifecycleConfigurationCommand({
          FileSystemId: fileSystemId,
          LifecyclePolicies: toPolicies(wanted),
        }),
      );
    } catch (err) {
      rethrowLifeCycle(err, fileSystemId, "a lifecycle change");
    }
    return succeeded(
      action,
      `set lifecycle of ${fileSystemId} to ${describeTransitions(wanted)} (was ${describeTransitions(live)})`,
    );
  });
}

function describeThroughput(mode: string, mibps: number | undefined): string {
  return mode === "provisioned" ? `provisioned ${mibps ?? "?"} MiB/s` : mode;
}

export async function reconcileUpdateThroughputMode(
  action: ActionOf<"UpdateThroughputMode">,
  clients: FileSystemClients,
): Promise<ReconcileOutcome> {
  return classified(action, async () => {
    const { fileSystemId, throughputMode, provisionedThroughputInMibps } = action.params;
    const out = await clients.efs.send(new DescribeFileSystemsCommand({ FileSystemId: fileSystemId }));
    const fs = out.FileSystems?.find((f) => f.FileSystemId === fileSystemId);
    if (!fs) {
      throw new TerminalReconcileError(`file system ${fileSystemId} no longer exists; re-run plan`);
    }
    const liveMode = fs.ThroughputMode ?? "bursting";
    const same =
      liveMode === throughputMode &&
      (throughputMode !== "provisioned" || fs.ProvisionedThroughputInMibps === provisionedThroughputInMibps);
    const wanted = describeThroughput(throughputMode, provisionedThroughputInMibps);
    if (same) return skipped(action, `throughput of ${fileSystemId} was already ${wanted}`);
    try {
      await clients.efs.send(
        new UpdateFileSystemCommand({
          FileSystemId: fileSystemId,
          ThroughputMode: throughputMode as ThroughputMode,
          ...(throughputMode === "provisioned"
            ? { ProvisionedThroughputInMibps: provisionedThroughputInMibps }
            : {}),
        }),
      );
    } catch (err) {
      if (isAwsError(err, "TooManyRequests")) {
        throw new TerminalReconcileError(
          `EFS refused to change the throughput of ${fileSystemId} to ${wanted} now: the throughput mode (or a ` +
            "decrease of provisioned throughput) can change only once per 24 hours after the last change; " +
            "the mode can change again later — re-run apply then",
          { cause: err },
        );
      }
      rethrowLifeCycle(err, fileSystemId, "a throughput change");
    }
    return succeeded(
      action,
      `changed throughput of ${fileSystemId} to ${wanted} (was ${describeThroughput(liveMode, fs.ProvisionedThroughputInMibps)})`,
    );
  });
}

export async function reconcilePutBackupPolicy(
  action: ActionOf<"PutBackupPolicy">,
  clients: FileSystemClients,
): Promise<ReconcileOutcome> {
  return classified(action, async () => {
    const { fileSystemId, status } = action.params;
    let live: string;
    try {
      const out = await clients.efs.send(new DescribeBackupPolicyCommand({ FileSystemId: fileSystemId }));
      live = canonicalBackupStatus(out.BackupPolicy?.Status);
    } catch (err) {
      if (!isAwsError(err, "PolicyNotFound")) throw err;
      live = "DISABLED";
    }
    if (live === status) return skipped(action, `backup policy of ${fileSystemId} was already ${status}`);
    try {
      await clients.efs.send(
        new PutBackupPolicyCommand({ FileSystemId: fileSystemId, BackupPolicy: { Status: status } }),
      );
    } catch (err) {
      rethrowLifeCycle(err, fileSystemId, "a backup policy change");
    }
    return succeeded(action, `set backup policy of ${fileSystemId} to ${status} (was ${live})`);
  });
}

/** Runs one file-system action; refuses actions of other families. */
export async function reconcileFileSystem(
  action: Action,
  clients: FileSystemClients,
): Promise<ReconcileOutcome> {
  switch (action.type) {
    case "PutLifecycleConfiguration":
      return reconcilePutLifecycleConfiguration(action, clients);
    case "UpdateThroughputMode":
      return reconcileUpdateThroughputMode(action, clients);
    case "PutBackupPolicy":
      return reconcilePutBackupPolicy(action, clients);
    // The file system's alarms run in this family (see src/statemachine/action-families.ts).
    case "PutMetricAlarm":
    case "DeleteAlarm":
      return reconcileAlarms(action, clients);
    default:
      throw wrongFamilyError("file-system", action);
  }
}
