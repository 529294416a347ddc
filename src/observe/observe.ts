/**
 * `observe()`: the only place that reads AWS for planning. It builds the read-only snapshot the
 * diff needs with the minimum number of calls AWS's APIs allow — region-wide sweeps for file
 * systems, access points and functions, per-file-system reads under a concurrency bound, and
 * batched EC2 reads for network interfaces, subnets and security groups — and, when given rate
 * limits (the workflow's tasks pass DEFAULT_OBSERVE_RATES), paces every call under them. It never
 * sends a mutating call.
 *
 * Calls for a converged region (bench/README.md compares them with the API minimum):
 *   ceil(FS/100) DescribeFileSystems + ceil(AP/100) DescribeAccessPoints + ceil(FN/50) ListFunctions
 *   + per file system: DescribeMountTargets + DescribeLifecycleConfiguration
 *     (+ DescribeBackupPolicy when the manifest manages it, + DescribeFileSystemPolicy when a
 *     manifest's function mounts it)
 *   + per 200 named security groups: DescribeSecurityGroups + DescribeSecurityGroupRules
 *   + per 200 mount targets: DescribeNetworkInterfaces; per 200 subnets: DescribeSubnets and two
 *     DescribeRouteTables (associated and main tables)
 *   + ceil(A/100) DescribeAlarms and ceil(A/100) tagging GetResources for A alarms (+ one
 *     ListTagsForResource per alarm the tagging index does not list as efs-reconciler's)
 *   + per execution role: ListRolePolicies, ListAttachedRolePolicies, GetRolePolicy per inline
 *     policy (GetPolicy + GetPolicyVersion once per attached managed policy).
 *
 * Rounds of dependent calls: the sweeps; the per-file-system reads and the named security groups;
 * the network reads (interfaces, subnets, route tables) — while the checklist's IAM and alarm reads
 * run alongside the last two. A fourth round comes only when a manifest asks for AZs beyond the
 * functions' or a subnet lies in a VPC neither its mount target nor its function names.
 */
import type { MountTargetDescription } from "@aws-sdk/client-efs";
import type { ObserveClients, ServiceName } from "../aws/clients";
import type { DesiredState, FileSystemManifest } from "../desired-state/types";
import { AwsReader, distinct } from "./aws-reader";
import { createLimiter } from "./limiter";
import { createRateLimiter, type Throttle } from "./rate-limiter";
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
  ObservedIam,
  ObservedMountTarget,
  ObservedRouteTable,
  ObservedSecurityGroup,
  ObservedState,
  ObservedSubnet,
} from "./types";

export interface ObserveOptions {
  /** Per-file-system reads in flight at once. Default 4. */
  concurrency?: number;
  /**
   * Calls per second per service (a token bucket holding one second of calls); absent or `false`:
   * as fast as `concurrency` allows. The workflow's tasks pass `DEFAULT_OBSERVE_RATES`.
   */
  ratePerSecond?: Partial<Record<ServiceName, number>> | false;
  /** Receives one past-tense progress line per phase. */
  log?: (message: string) => void;
}

export const DEFAULT_OBSERVE_CONCURRENCY = 4;

export type { ObserveClients } from "../aws/clients";
export { DEFAULT_OBSERVE_RATES } from "./rate-limiter";

function throttlesFor(rates: ObserveOptions["ratePerSecond"]): Partial<Record<ServiceName, Throttle>> {
  if (!rates) return {};
  const out: Partial<Record<ServiceName, Throttle>> = {};
  for (const [service, perSecond] of Object.entries(rates)) {
    if (perSecond !== undefined) out[service as ServiceName] = createRateLimiter(perSecond);
  }
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function policiesText(n: number): string {
  return `${n} file-system ${n === 1 ? "policy" : "policies"}`;
}

function callsText(n: number): string {
  return plural(n, "call");
}

/** Reads the live state `desired` refers to. Throws `ObserveError` when AWS cannot be read. */
export async function observe(
  desired: DesiredState,
  clients: ObserveClients,
  options: ObserveOptions = {},
): Promise<ObservedState> {
  const region = await clients.region();
  const log = options.log ?? (() => {});
  const limit = createLimiter(options.concurrency ?? DEFAULT_OBSERVE_CONCURRENCY);
  const reader = new AwsReader(region, undefined, throttlesFor(options.ratePerSecond));
  const wantFileSystems = desired.fileSystems.length > 0;
  const wantFunctions = wantFileSystems || desired.functions.length > 0;

  // Phase 1: region-wide sweeps, concurrently.
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
  const functionLookups = matchFunctions(desired.functions, functions);
  const matchedFunctions = desired.functions.flatMap((m) => {
    const lookup = functionLookups[m.name];
    return lookup?.found ? [{ manifest: m, fn: lookup.fn }] : [];
  });

  const noGroups: Record<string, ObservedSecurityGroup> = {};
  const noSubnets: Record<string, ObservedSubnet> = {};

  // The checklist's reads of phase 2: the execution roles' policies and the resource policies of
  // the file systems functions are bound to (least privilege), and the file systems' alarms.
  const checklistPhase = reader.phase();
  const roleArns = distinct(matchedFunctions.map(({ fn }) => fn.role));
  const boundFileSystemIds = distinct(
    desired.functions.map((f) => {
      const ap = desired.accessPoints.find((a) => a.name === f.spec.accessPoint);
      const r = ap ? resolutions.get(ap.spec.fileSystem) : undefined;
      return functionLookups[f.name]?.found && r?.found ? r.fileSystemId : undefined;
    }),
  );
  const noIam: ObservedIam = { roles: {}, fileSystemPolicies: {} };
  const checklist = Promise.all([
    roleArns.length > 0 || boundFileSystemIds.length > 0
      ? readIam(checklistPhase, clients, roleArns, boundFileSystemIds, limit)
      : noIam,
    foundIds.length > 0
      ? readAlarms(checklistPhase, clients, foundIds, limit)
      : ({} as Record<string, ObservedAlarm>),
  ]);

  // Phase 2: per-file-system reads (bounded) and the named security groups, concurrently.
  const detailsPhase = reader.phase();
  const groupsPhase = reader.phase();
  const groupIds = distinct([
    ...desired.fileSystems.flatMap((m) => [
      m.spec.mountTargets.securityGroupId,
      ...m.spec.mountTargets.allowedSecurityGroupIds,
    ]),
    ...matchedFunctions.flatMap(({ manifest, fn }) => [
      ...(fn.vpcConfig?.securityGroupIds ?? []),
      ...(manifest.spec.vpc?.securityGroupIds ?? []),
    ]),
  ]);
  const [detailEntries, securityGroups] = await Promise.all([
    Promise.all(
      foundIds.map(
        async (id) =>
          [
            id,
            await readFileSystemDetails(detailsPhase, clients.efs, id, backupManaged.has(id), limit),
          ] as const,
      ),
    ),
    groupIds.length > 0 ? readSecurityGroups(groupsPhase, clients.ec2, groupIds) : noGroups,
  ]);
  const details = new Map<string, FileSystemDetails>();
  for (const [id, d] of detailEntries) if (d) details.set(id, d);
  const rawMountTargets: MountTargetDescription[] = [...details.values()].flatMap((d) => d.mountTargets);
  if (foundIds.length > 0) {
    log(
      `observed ${plural(rawMountTargets.length, "mount target")}, lifecycle of ${plural(details.size, "file system")}, ` +
        `backup policy of ${backupManaged.size} (${callsText(detailsPhase.calls)})`,
    );
  }
  if (groupIds.length > 0) {
    const ruleCount = Object.values(securityGroups).reduce((n, g) => n + g.rules.length, 0);
    log(
      `observed ${Object.keys(securityGroups).length} of ${plural(groupIds.length, "named security group")} ` +
        `with ${plural(ruleCount, "rule")} (${callsText(groupsPhase.calls)})`,
    );
  }

  // Phase 3: mount targets' security groups, every subnet the diff needs, and the route tables
  // that decide whether those subnets are public — the tables associated with the subnets and the
  // main tables of their VPCs, the VPCs as the mount targets and the functions name them — all
  // concurrently, while the checklist's reads go on.
  const networkPhase = reader.phase();
  const routePhase = reader.phase();
  const subnetIds = distinct([
    ...matchedFunctions.flatMap(({ fn }) => fn.vpcConfig?.subnetIds ?? []),
    ...desired.functions.flatMap((m) => m.spec.vpc?.subnetIds ?? []),
    ...rawMountTargets.map((mt) => mt.SubnetId),
  ]);
  const namedVpcs = distinct([
    ...rawMountTargets.map((mt) => mt.VpcId),
    ...matchedFunctions.map(({ fn }) => fn.vpcConfig?.vpcId),
  ]);
  const [mountTargetGroups, subnets, namedRouteTables] = await Promise.all([
    rawMountTargets.length > 0
      ? readMountTargetGroups(networkPhase, clients, rawMountTargets, limit)
      : new Map<string, string[]>(),
    subnetIds.length > 0 ? readSubnetsById(networkPhase, clients.ec2, subnetIds) : noSubnets,
    subnetIds.length > 0
      ? readRouteTables(routePhase, clients.ec2, subnetIds, namedVpcs)
      : ({} as Record<string, ObservedRouteTable>),
  ]);
  if (rawMountTargets.length > 0 || subnetIds.length > 0) {
    log(
      `observed security groups of ${plural(mountTargetGroups.size, "mount target")}, ` +
        `${Object.keys(subnets).length} of ${plural(subnetIds.length, "subnet")} (${callsText(networkPhase.calls)})`,
    );
  }

  // The subnets' VPC is authoritative for a function; its own VpcId is the fallback.
  for (const { fn } of matchedFunctions) {
    const first = fn.vpcConfig?.subnetIds[0];
    const vpcId = first ? subnets[first]?.vpcId : undefined;
    if (fn.vpcConfig && vpcId) fn.vpcConfig.vpcId = vpcId;
  }

  // Phase 4, only when phase 3 could not cover them: subnets of the VPCs where a manifest asks for
  // AZs beyond the functions', and the main route tables of VPCs only the subnets named.
  const vpcPhase = reader.phase();
  const vpcIds = distinct(
    desired.fileSystems.flatMap((m) => {
      const r = resolutions.get(m.name);
      const d = r?.found ? details.get(r.fileSystemId) : undefined;
      if (!d || m.spec.mountTargets.availabilityZones.length === 0) return [];
      return fileSystemVpcs(m, d.mountTargets, desired, functionLookups, subnets);
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

  const [iam, alarms] = await checklist;
  if (roleArns.length > 0 || foundIds.length > 0) {
    const policyCount = Object.values(iam.roles).reduce((n, r) => n + r.policies.length, 0);
    log(
      `observed ${plural(Object.keys(iam.roles).length, "execution role")} with ${plural(policyCount, "policy document")}, ` +
        `${policiesText(Object.values(iam.fileSystemPolicies).filter((p) => p !== null).length)}, ` +
        `${plural(Object.keys(alarms).length, "alarm")} (${callsText(checklistPhase.calls)})`,
    );
  }
  const allSubnets: Record<string, ObservedSubnet> = { ...subnets };
  for (const list of Object.values(vpcSubnets)) for (const s of list) allSubnets[s.subnetId] ??= s;

  // Assembly.
  const accessPointsByFs = groupAccessPoints(accessPoints, new Set(details.keys()));
  const fileSystemLookups: Record<string, FileSystemLookup> = {};
  for (const m of desired.fileSystems) {
    const r = resolutions.get(m.name);
    if (!r) continue;
    if (!r.found) {
      fileSystemLookups[m.name] = r;
      continue;
    }
    const fs = fileSystems.find((f) => f.FileSystemId === r.fileSystemId);
    const d = details.get(r.fileSystemId);
    if (!fs || !d) {
      fileSystemLookups[m.name] = {
        found: false,
        reason: `file system ${r.fileSystemId} disappeared while it was being read; run again`,
        candidates: [r.fileSystemId],
      };
      continue;
    }
    const mountTargets = d.mountTargets
      .flatMap((mt) => toObservedMountTarget(mt, mountTargetGroups, allSubnets))
      .sort((a, b) =>
        a.availabilityZone !== b.availabilityZone
          ? a.availabilityZone < b.availabilityZone
            ? -1
            : 1
          : a.mountTargetId < b.mountTargetId
            ? -1
            : 1,
      );
    fileSystemLookups[m.name] = {
      found: true,
      fileSystem: toObservedFileSystem(fs, d, mountTargets, accessPointsByFs.get(r.fileSystemId) ?? []),
    };
  }

  const foundFs = Object.values(fileSystemLookups).filter((l) => l.found).length;
  log(
    `observed ${region}: ${foundFs} of ${plural(desired.fileSystems.length, "file system")} and ` +
      `${matchedFunctions.length} of ${plural(desired.functions.length, "function")} found (${callsText(reader.calls)} in total)`,
  );

  return {
    region,
    fileSystems: fileSystemLookups,
    functions: functionLookups,
    mountedBy: mountedBy(functions),
    subnets: allSubnets,
    vpcSubnets,
    securityGroups,
    routeTables,
    iam,
    alarms,
  };
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
  groups: ReadonlyMap<string, string[]>,
  subnets: Record<string, ObservedSubnet>,
): ObservedMountTarget[] {
  if (!mt.MountTargetId) return [];
  const securityGroupIds = groups.get(mt.MountTargetId);
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
