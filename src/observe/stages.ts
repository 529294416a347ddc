/**
 * Observation in three stages, each reading one group of services, and their assembly into the
 * snapshot the diff takes. `observe()` runs them in one process (the CLI); the workflow runs each
 * in a function of its own (ObserveSources, ObserveNetwork, ObserveChecklist), so a function holds
 * only its stage's clients and pays only their cold start. Each stage's result is plain JSON: it
 * passes from state to state.
 *
 *   sources    EFS and Lambda: the region's file systems, access points and functions (one round of
 *              sweeps), then each found file system's mount targets, lifecycle and backup policy.
 *   network    EC2 (EFS only for a mount target whose interface EC2 does not return): the named
 *              security groups, the mount targets' groups, the subnets and their route tables in
 *              one round; the subnets of VPCs and main tables the first round could not cover after.
 *   checklist  IAM, EFS, CloudWatch and tagging: the execution roles' policies, the resource
 *              policies of the file systems functions are bound to, the file systems' alarms.
 *
 * Network and checklist need only the sources, not each other.
 */
import type { MountTargetDescription } from "@aws-sdk/client-efs";
import type { ClientsFor } from "../aws/clients";
import type { DesiredState, FileSystemManifest } from "../desired-state/types";
import { type AwsReader, distinct } from "./aws-reader";
import type { Limiter } from "./limiter";
import { groupAccessPoints, sweepAccessPoints } from "./read-access-points";
import { readAlarms } from "./read-alarms";
import {
  type FileSystemDetails,
  type FileSystemResolution,
  readFileSystemDetails,
  resolveFileSystem,
  sweepFileSystems,
  toObservedFileSystem,
} from "./read-file-systems";
import { matchFunctions, mountedBy, sweepFunctions } from "./read-functions";
import { readIam } from "./read-iam-policies";
import { readMountTargetGroups } from "./read-mount-target-groups";
import { readRouteTables } from "./read-route-tables";
import { readSecurityGroups } from "./read-security-groups";
import { readSubnetsById, readSubnetsOfVpcs } from "./read-subnets";
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
  iam: ObservedIam;
  alarms: Record<string, ObservedAlarm>;
}

/** Every stage's result: what the diff's snapshot is assembled from. */
export interface StagedObservation {
  sources: ObservedSources;
  network: ObservedNetwork;
  checklist: ObservedChecklist;
}

export type SourcesClients = ClientsFor<"efs" | "lambda">;
export type NetworkClients = ClientsFor<"ec2" | "efs">;
export type ChecklistClients = ClientsFor<"iam" | "efs" | "cloudwatch" | "tagging">;

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function callsText(n: number): string {
  return plural(n, "call");
}

/** Stage 1: EFS and Lambda. */
export async function observeSources(
  desired: DesiredState,
  clients: SourcesClients,
  context: StageContext,
): Promise<ObservedSources> {
  const { reader, limit, log } = context;
  const region = reader.region;
  const wantFileSystems = desired.fileSystems.length > 0;
  const wantFunctions = wantFileSystems || desired.functions.length > 0;

  // Region-wide sweeps, concurrently.
  const sweeps = reader.phase();
  const [fileSystems, accessPoints, functions] = await Promise.all([
    wantFileSystems ? sweepFileSystems(sweeps, clients.efs) : [],
    wantFileSystems ? sweepAccessPoints(sweeps, clients.efs) : [],
    wantFunctions ? sweepFunctions(sweeps, clients.lambda) : [],
  ]);
  log(
    `observed ${plural(fileSystems.length, "file system")}, ${plural(accessPoints.length, "access point")}, ` +
      `${plural(functions.length, "function")} in ${region} (${callsText(sweeps.calls)})`,
  );

  const resolutions = new Map<string, FileSystemResolution>();
  // One manifest per file system: a second manifest that resolves to a file system an earlier one
  // already designates is not matched (two manifests would fight over its settings).
  const claimedBy = new Map<string, string>();
  for (const m of desired.fileSystems) {
    const r = resolveFileSystem(m, fileSystems, region);
    const first = r.found ? claimedBy.get(r.fileSystemId) : undefined;
    if (r.found && first !== undefined) {
      resolutions.set(m.name, {
        found: false,
        reason: `${r.fileSystemId} is already managed by FileSystem/${first}; keep one manifest per file system`,
        candidates: [r.fileSystemId],
      });
      continue;
    }
    if (r.found) claimedBy.set(r.fileSystemId, m.name);
    resolutions.set(m.name, r);
  }
  const foundIds = distinct([...resolutions.values()].map((r) => (r.found ? r.fileSystemId : undefined)));
  const backupManaged = new Set<string>();
  for (const m of desired.fileSystems) {
    const r = resolutions.get(m.name);
    if (r?.found && m.spec.backupPolicy !== undefined) backupManaged.add(r.fileSystemId);
  }

  // Per-file-system reads, bounded.
  const detailsPhase = reader.phase();
  const detailEntries = await Promise.all(
    foundIds.map(
      async (id) =>
        [
          id,
          await readFileSystemDetails(detailsPhase, clients.efs, id, backupManaged.has(id), limit),
        ] as const,
    ),
  );
  const details = new Map<string, FileSystemDetails>();
  for (const [id, d] of detailEntries) if (d) details.set(id, d);
  if (foundIds.length > 0) {
    const mountTargets = [...details.values()].reduce((n, d) => n + d.mountTargets.length, 0);
    log(
      `observed ${plural(mountTargets, "mount target")}, lifecycle of ${plural(details.size, "file system")}, ` +
        `backup policy of ${backupManaged.size} (${callsText(detailsPhase.calls)})`,
    );
  }

  const accessPointsByFs = groupAccessPoints(accessPoints, new Set(details.keys()));
  const lookups: Record<string, SourceFileSystemLookup> = {};
  for (const m of desired.fileSystems) {
    const r = resolutions.get(m.name);
    if (!r) continue;
    if (!r.found) {
      lookups[m.name] = r;
      continue;
    }
    const fs = fileSystems.find((f) => f.FileSystemId === r.fileSystemId);
    const d = details.get(r.fileSystemId);
    lookups[m.name] =
      fs && d
        ? {
            found: true,
            fileSystem: toObservedFileSystem(fs, d, accessPointsByFs.get(r.fileSystemId) ?? []),
            mountTargets: d.mountTargets,
          }
        : {
            found: false,
            reason: `file system ${r.fileSystemId} disappeared while it was being read; run again`,
            candidates: [r.fileSystemId],
          };
  }
  return {
    region,
    fileSystems: lookups,
    functions: matchFunctions(desired.functions, functions),
    mountedBy: mountedBy(functions),
  };
}

function matchedFunctions(
  desired: DesiredState,
  sources: ObservedSources,
): { manifest: DesiredState["functions"][number]; fn: ObservedFunction }[] {
  return desired.functions.flatMap((m) => {
    const lookup = sources.functions[m.name];
    return lookup?.found ? [{ manifest: m, fn: lookup.fn }] : [];
  });
}

function sourceMountTargets(sources: ObservedSources): MountTargetDescription[] {
  return Object.values(sources.fileSystems).flatMap((l) => (l.found ? l.mountTargets : []));
}

/** Ids of the file systems found. */
function foundFileSystemIds(sources: ObservedSources): string[] {
  return distinct(
    Object.values(sources.fileSystems).map((l) => (l.found ? l.fileSystem.fileSystemId : undefined)),
  );
}

/** Stage 2: EC2. */
export async function observeNetwork(
  desired: DesiredState,
  sources: ObservedSources,
  clients: NetworkClients,
  context: StageContext,
): Promise<ObservedNetwork> {
  const { reader, limit, log } = context;
  const matched = matchedFunctions(desired, sources);
  const rawMountTargets = sourceMountTargets(sources);

  // The named security groups, the mount targets' security groups, every subnet the diff needs,
  // and the route tables that decide whether those subnets are public — the tables associated with
  // the subnets and the main tables of their VPCs, the VPCs as the mount targets and the functions
  // name them — all concurrently.
  const groupsPhase = reader.phase();
  const networkPhase = reader.phase();
  const routePhase = reader.phase();
  const groupIds = distinct([
    ...desired.fileSystems.flatMap((m) => [
      m.spec.mountTargets.securityGroupId,
      ...m.spec.mountTargets.allowedSecurityGroupIds,
    ]),
    ...matched.flatMap(({ manifest, fn }) => [
      ...(fn.vpcConfig?.securityGroupIds ?? []),
      ...(manifest.spec.vpc?.securityGroupIds ?? []),
    ]),
  ]);
  const subnetIds = distinct([
    ...matched.flatMap(({ fn }) => fn.vpcConfig?.subnetIds ?? []),
    ...desired.functions.flatMap((m) => m.spec.vpc?.subnetIds ?? []),
    ...rawMountTargets.map((mt) => mt.SubnetId),
  ]);
  const namedVpcs = distinct([
    ...rawMountTargets.map((mt) => mt.VpcId),
    ...matched.map(({ fn }) => fn.vpcConfig?.vpcId),
  ]);
  const [securityGroups, mountTargetGroups, subnets, namedRouteTables] = await Promise.all([
    groupIds.length > 0
      ? readSecurityGroups(groupsPhase, clients.ec2, groupIds)
      : ({} as Record<string, ObservedSecurityGroup>),
    rawMountTargets.length > 0
      ? readMountTargetGroups(networkPhase, clients, rawMountTargets, limit)
      : new Map<string, string[]>(),
    subnetIds.length > 0
      ? readSubnetsById(networkPhase, clients.ec2, subnetIds)
      : ({} as Record<string, ObservedSubnet>),
    subnetIds.length > 0
      ? readRouteTables(routePhase, clients.ec2, subnetIds, namedVpcs)
      : ({} as Record<string, ObservedRouteTable>),
  ]);
  if (groupIds.length > 0) {
    const ruleCount = Object.values(securityGroups).reduce((n, g) => n + g.rules.length, 0);
    log(
      `observed ${Object.keys(securityGroups).length} of ${plural(groupIds.length, "named security group")} ` +
        `with ${plural(ruleCount, "rule")} (${callsText(groupsPhase.calls)})`,
    );
  }
  if (rawMountTargets.length > 0 || subnetIds.length > 0) {
    log(
      `observed security groups of ${plural(mountTargetGroups.size, "mount target")}, ` +
        `${Object.keys(subnets).length} of ${plural(subnetIds.length, "subnet")} (${callsText(networkPhase.calls)})`,
    );
  }

  // Only when the first round could not cover them: subnets of the VPCs where a manifest asks for
  // AZs beyond the functions', and the main route tables of VPCs only the subnets named.
  const vpcPhase = reader.phase();
  const vpcIds = distinct(
    desired.fileSystems.flatMap((m) => {
      const lookup = sources.fileSystems[m.name];
      if (!lookup?.found || m.spec.mountTargets.availabilityZones.length === 0) return [];
      return fileSystemVpcs(m, lookup.mountTargets, desired, sources.functions, subnets);
    }),
  );
  const routedSubnets = subnetIds.filter((id) => subnets[id] !== undefined);
  const routedVpcs = distinct(routedSubnets.map((id) => subnets[id]?.vpcId));
  const unnamedVpcs = routedVpcs.filter((id) => !namedVpcs.includes(id));
  const [vpcSubnets, unnamedMainTables] = await Promise.all([
    vpcIds.length > 0
      ? readSubnetsOfVpcs(vpcPhase, clients.ec2, vpcIds)
      : ({} as Record<string, ObservedSubnet[]>),
    unnamedVpcs.length > 0
      ? readRouteTables(routePhase, clients.ec2, [], unnamedVpcs)
      : ({} as Record<string, ObservedRouteTable>),
  ]);
  const routeTables = routeTablesOf({ ...namedRouteTables, ...unnamedMainTables }, routedSubnets, routedVpcs);
  if (vpcIds.length > 0) {
    const count = Object.values(vpcSubnets).reduce((n, list) => n + list.length, 0);
    log(
      `observed ${plural(count, "subnet")} of ${plural(vpcIds.length, "VPC")} (${callsText(vpcPhase.calls)})`,
    );
  }
  if (routedSubnets.length > 0) {
    log(
      `observed ${plural(Object.keys(routeTables).length, "route table")} of ${plural(routedSubnets.length, "subnet")} ` +
        `(${callsText(routePhase.calls)})`,
    );
  }
  return {
    securityGroups,
    mountTargetGroups: Object.fromEntries(mountTargetGroups),
    subnets,
    vpcSubnets,
    routeTables,
  };
}

/** Stage 3: the checklist's IAM, EFS, CloudWatch and tagging reads. */
export async function observeChecklist(
  desired: DesiredState,
  sources: ObservedSources,
  clients: ChecklistClients,
  context: StageContext,
): Promise<ObservedChecklist> {
  const { reader, limit, log } = context;
  const phase = reader.phase();
  const roleArns = distinct(matchedFunctions(desired, sources).map(({ fn }) => fn.role));
  // The resource policies of the file systems functions are bound to (least privilege).
  const boundFileSystemIds = distinct(
    desired.functions.map((f) => {
      const ap = desired.accessPoints.find((a) => a.name === f.spec.accessPoint);
      const lookup = ap ? sources.fileSystems[ap.spec.fileSystem] : undefined;
      return sources.functions[f.name]?.found && lookup?.found ? lookup.fileSystem.fileSystemId : undefined;
    }),
  );
  const foundIds = foundFileSystemIds(sources);
  const [iam, alarms] = await Promise.all([
    roleArns.length > 0 || boundFileSystemIds.length > 0
      ? readIam(phase, clients, roleArns, boundFileSystemIds, limit)
      : { roles: {}, fileSystemPolicies: {} },
    foundIds.length > 0 ? readAlarms(phase, clients, foundIds, limit) : ({} as Record<string, ObservedAlarm>),
  ]);
  if (roleArns.length > 0 || foundIds.length > 0) {
    const policyCount = Object.values(iam.roles).reduce((n, r) => n + r.policies.length, 0);
    const fsPolicies = Object.values(iam.fileSystemPolicies).filter((p) => p !== null).length;
    log(
      `observed ${plural(Object.keys(iam.roles).length, "execution role")} with ${plural(policyCount, "policy document")}, ` +
        `${fsPolicies} file-system ${fsPolicies === 1 ? "policy" : "policies"}, ` +
        `${plural(Object.keys(alarms).length, "alarm")} (${callsText(phase.calls)})`,
    );
  }
  return { iam, alarms };
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
    iam: checklist.iam,
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

/**
 * The route tables read, but for the main tables of VPCs none of the subnets is in (read for a VPC
 * only named, e.g. by a function's stale configuration) unless a subnet is associated with them.
 * Sorted by id.
 */
function routeTablesOf(
  read: Record<string, ObservedRouteTable>,
  subnetIds: readonly string[],
  vpcIds: readonly string[],
): Record<string, ObservedRouteTable> {
  const subnets = new Set(subnetIds);
  const vpcs = new Set(vpcIds);
  return Object.fromEntries(
    Object.entries(read)
      .filter(([, t]) => !t.main || vpcs.has(t.vpcId) || t.subnetIds.some((id) => subnets.has(id)))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
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

/**
 * The VPC(s) a file system lives in: those of its mount targets; without mount targets, those of
 * the functions bound to it (their live subnets, else the subnets their manifest asks for).
 */
function fileSystemVpcs(
  manifest: FileSystemManifest,
  mountTargets: readonly MountTargetDescription[],
  desired: DesiredState,
  functionLookups: Record<string, FunctionLookup>,
  subnets: Record<string, ObservedSubnet>,
): string[] {
  const vpcOfSubnet = (id: string | undefined): string | undefined => (id ? subnets[id]?.vpcId : undefined);
  const fromMountTargets = distinct(mountTargets.map((mt) => mt.VpcId || vpcOfSubnet(mt.SubnetId)));
  if (fromMountTargets.length > 0) return fromMountTargets;
  const accessPoints = new Set(
    desired.accessPoints.filter((ap) => ap.spec.fileSystem === manifest.name).map((ap) => ap.name),
  );
  return distinct(
    desired.functions
      .filter((f) => accessPoints.has(f.spec.accessPoint))
      .flatMap((f) => {
        const lookup = functionLookups[f.name];
        const live = lookup?.found ? lookup.fn.vpcConfig : undefined;
        if (live) {
          const vpcs = distinct(live.subnetIds.map(vpcOfSubnet));
          return vpcs.length > 0 ? vpcs : [live.vpcId];
        }
        return (f.spec.vpc?.subnetIds ?? []).map(vpcOfSubnet);
      }),
  );
}
