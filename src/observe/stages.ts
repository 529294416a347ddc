/**
 * Observation in three stages (observe-sources.ts, observe-network.ts, observe-checklist.ts), each
 * reading one group of services, and their assembly into the snapshot the diff takes. `observe()`
 * runs them in one process (the CLI); the workflow runs each in a function of its own
 * (ObserveSources, ObserveNetwork, ObserveChecklist), so a function holds only its stage's clients
 * and pays only their cold start. Each stage's result is plain JSON: it passes from state to state.
 *
 *   sources    EFS and Lambda: the region's file systems, access points and functions (one round of
 *              sweeps), then each found file system's mount targets, lifecycle and backup policy,
 *              and the resource policies of the file systems functions are bound to.
 *   network    EC2 (EFS only for a mount target whose interface EC2 does not return): the named
 *              security groups, the mount targets' groups, the subnets and their route tables in
 *              one round; the subnets of VPCs and main tables the first round could not cover after.
 *   checklist  IAM, CloudWatch and tagging: the execution roles' policies, the file systems' alarms
 *              and their tags.
 *
 * Network and checklist need only the sources, not each other.
 */
import type { MountTargetDescription } from "@aws-sdk/client-efs";
import type { AwsClients, ClientsFor } from "../aws/clients";
import type { DesiredState } from "../desired-state/types";
import { plural } from "../plural";
import { type AwsReader, distinct } from "./aws-reader";
import type { Limiter } from "./limiter";
import type {
  FileSystemLookup,
  FunctionLookup,
  ObservedAlarm,
  ObservedFileSystem,
  ObservedFunction,
  ObservedIam,
  ObservedMountTarget,
  ObservedRouteTable,
  ObservedSecurityGroup,
  ObservedState,
  ObservedSubnet,
} from "./types";

/** What every stage reads through: one reader (calls counted, rate limits), one bound on calls in flight. */
export interface StageContext {
  reader: AwsReader;
  limit: Limiter;
  log: (message: string) => void;
}

/** A found file system as the sources stage reads it: all but its mount targets' groups and subnets. */
export type SourceFileSystemLookup =
  | {
      found: true;
      fileSystem: Omit<ObservedFileSystem, "mountTargets">;
      /** As EFS describes them (strings only). */
      mountTargets: MountTargetDescription[];
    }
  | Extract<FileSystemLookup, { found: false }>;

/** The sources stage's result. */
export interface ObservedSources {
  region: string;
  /** Keyed by FileSystem manifest name. */
  fileSystems: Record<string, SourceFileSystemLookup>;
  /** Keyed by LambdaFunction manifest name. */
  functions: Record<string, FunctionLookup>;
  mountedBy: Record<string, string[]>;
  /** The resource policies of the file systems functions are bound to (null: none), by id. */
  fileSystemPolicies: Record<string, string | null>;
}

/** The network stage's result. */
export interface ObservedNetwork {
  securityGroups: Record<string, ObservedSecurityGroup>;
  /** Mount target id → its security group ids; a mount target deleted meanwhile is absent. */
  mountTargetGroups: Record<string, string[]>;
  subnets: Record<string, ObservedSubnet>;
  vpcSubnets: Record<string, ObservedSubnet[]>;
  routeTables: Record<string, ObservedRouteTable>;
}

/** The checklist stage's result. */
export interface ObservedChecklist {
  /** The execution roles' policies, by role ARN. */
  roles: ObservedIam["roles"];
  alarms: Record<string, ObservedAlarm>;
}

/** Every stage's result: what the diff's snapshot is assembled from. */
export interface StagedObservation {
  sources: ObservedSources;
  network: ObservedNetwork;
  checklist: ObservedChecklist;
}

export type SourcesClients = ClientsFor<"efs" | "lambda"> & Pick<AwsClients, "region">;
export type NetworkClients = ClientsFor<"ec2" | "efs">;
export type ChecklistClients = ClientsFor<"iam" | "cloudwatch" | "tagging">;

export function callsText(n: number): string {
  return plural(n, "call");
}

export function matchedFunctions(
  desired: DesiredState,
  sources: ObservedSources,
): { manifest: DesiredState["functions"][number]; fn: ObservedFunction }[] {
  return desired.functions.flatMap((m) => {
    const lookup = sources.functions[m.name];
    return lookup?.found ? [{ manifest: m, fn: lookup.fn }] : [];
  });
}

export function sourceMountTargets(sources: ObservedSources): MountTargetDescription[] {
  return Object.values(sources.fileSystems).flatMap((l) => (l.found ? l.mountTargets : []));
}

/** Ids of the file systems found. */
export function foundFileSystemIds(sources: ObservedSources): string[] {
  return distinct(
    Object.values(sources.fileSystems).map((l) => (l.found ? l.fileSystem.fileSystemId : undefined)),
  );
}

/** The diff's snapshot from the three stages' results (pure). */
export function assembleObservation(observation: StagedObservation): ObservedState {
  const { sources, network, checklist } = observation;
  const allSubnets: Record<string, ObservedSubnet> = { ...network.subnets };
  for (const list of Object.values(network.vpcSubnets)) for (const s of list) allSubnets[s.subnetId] ??= s;

  const fileSystems: Record<string, FileSystemLookup> = {};
  for (const [name, lookup] of Object.entries(sources.fileSystems)) {
    if (!lookup.found) {
      fileSystems[name] = lookup;
      continue;
    }
    const mountTargets = lookup.mountTargets
      .flatMap((mt) => toObservedMountTarget(mt, network.mountTargetGroups, allSubnets))
      .sort((a, b) =>
        a.availabilityZone !== b.availabilityZone
          ? a.availabilityZone < b.availabilityZone
            ? -1
            : 1
          : a.mountTargetId < b.mountTargetId
            ? -1
            : 1,
      );
    fileSystems[name] = { found: true, fileSystem: { ...lookup.fileSystem, mountTargets } };
  }

  // The subnets' VPC is authoritative for a function; its own VpcId is the fallback.
  const functions: Record<string, FunctionLookup> = {};
  for (const [name, lookup] of Object.entries(sources.functions)) {
    const vpcConfig = lookup.found ? lookup.fn.vpcConfig : undefined;
    const first = vpcConfig?.subnetIds[0];
    const vpcId = first ? network.subnets[first]?.vpcId : undefined;
    functions[name] =
      lookup.found && vpcConfig && vpcId
        ? { found: true, fn: { ...lookup.fn, vpcConfig: { ...vpcConfig, vpcId } } }
        : lookup;
  }

  return {
    region: sources.region,
    fileSystems,
    functions,
    mountedBy: sources.mountedBy,
    subnets: allSubnets,
    vpcSubnets: network.vpcSubnets,
    securityGroups: network.securityGroups,
    routeTables: network.routeTables,
    iam: { roles: checklist.roles, fileSystemPolicies: sources.fileSystemPolicies },
    alarms: checklist.alarms,
  };
}

/** One line: how many of the manifests' file systems and functions were found. */
export function foundLine(desired: DesiredState, observed: ObservedState): string {
  const foundFs = Object.values(observed.fileSystems).filter((l) => l.found).length;
  const foundFn = Object.values(observed.functions).filter((l) => l.found).length;
  return (
    `observed ${observed.region}: ${foundFs} of ${plural(desired.fileSystems.length, "file system")} and ` +
    `${foundFn} of ${plural(desired.functions.length, "function")} found`
  );
}

function toObservedMountTarget(
  mt: MountTargetDescription,
  groups: Record<string, string[]>,
  subnets: Record<string, ObservedSubnet>,
): ObservedMountTarget[] {
  if (!mt.MountTargetId) return [];
  const securityGroupIds = groups[mt.MountTargetId];
  // Absent from `groups`: the mount target was deleted while being read.
  if (!securityGroupIds) return [];
  const subnet = mt.SubnetId ? subnets[mt.SubnetId] : undefined;
  return [
    {
      mountTargetId: mt.MountTargetId,
      fileSystemId: mt.FileSystemId ?? "",
      subnetId: mt.SubnetId ?? "",
      vpcId: mt.VpcId ?? subnet?.vpcId ?? "",
      availabilityZone: mt.AvailabilityZoneName ?? subnet?.availabilityZone ?? "",
      lifeCycleState: mt.LifeCycleState ?? "",
      ...(mt.NetworkInterfaceId ? { networkInterfaceId: mt.NetworkInterfaceId } : {}),
      securityGroupIds,
    },
  ];
}
