/** The events of the split-observation design option's functions (bench/split). */
import type { MountTargetDescription } from "@aws-sdk/client-efs";
import { DEFAULT_OBSERVE_CONCURRENCY } from "../../src/observe/observe";

/** The same bound on calls in flight as observation's. */
export const SPLIT_CONCURRENCY = DEFAULT_OBSERVE_CONCURRENCY;

export interface SplitFileSystemsEvent {
  fileSystemId: string;
  readBackup: boolean;
}

export interface SplitNetworkEvent {
  groupIds: string[];
  mountTargets: MountTargetDescription[];
  subnetIds: string[];
  vpcIds: string[];
}

export interface SplitChecklistEvent {
  roleArns: string[];
  fileSystemIds: string[];
}
