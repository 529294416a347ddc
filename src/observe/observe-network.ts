/** Observation's second stage (stages.ts): EC2. */
import type { MountTargetDescription } from "@aws-sdk/client-efs";
import type { DesiredState, FileSystemManifest } from "../desired-state/types";
import { plural } from "../plural";
import { distinct } from "./aws-reader";
import { readMountTargetGroups } from "./read-mount-target-groups";
import { readRouteTables } from "./read-route-tables";
import { readSecurityGroups } from "./read-security-groups";
import { readSubnetsById, readSubnetsOfVpcs } from "./read-subnets";
import { type ObserveOptions, stageContext } from "./stage-context";
import {
  callsText,
  matchedFunctions,
  type NetworkClients,
  type ObservedNetwork,
  type ObservedSources,
  type StageContext,
  sourceMountTargets,
} from "./stages";
import type { FunctionLookup, ObservedRouteTable, ObservedSecurityGroup, ObservedSubnet } from "./types";

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
  // and every route table of the VPCs the mount targets and the functions name (those that decide
  // whether the subnets are public are kept) — all concurrently.
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
    subnetIds.length > 0 && namedVpcs.length > 0
      ? readRouteTables(routePhase, clients.ec2, namedVpcs)
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
  // AZs beyond the functions', and the route tables of VPCs only the subnets named.
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
  const [vpcSubnets, unnamedTables] = await Promise.all([
    vpcIds.length > 0
      ? readSubnetsOfVpcs(vpcPhase, clients.ec2, vpcIds)
      : ({} as Record<string, ObservedSubnet[]>),
    unnamedVpcs.length > 0
      ? readRouteTables(routePhase, clients.ec2, unnamedVpcs)
      : ({} as Record<string, ObservedRouteTable>),
  ]);
  const routeTables = routeTablesOf({ ...namedRouteTables, ...unnamedTables }, routedSubnets, routedVpcs);
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

/** The stage on its own, as a function of its own runs it: its own reader, rate limits and bound. */
export function observeNetworkAlone(
  desired: DesiredState,
  sources: ObservedSources,
  clients: NetworkClients,
  options: ObserveOptions,
): Promise<ObservedNetwork> {
  return observeNetwork(desired, sources, clients, stageContext(sources.region, options));
}

/**
 * The route tables that decide whether the subnets are public: those associated with one of them,
 * and the main tables of their VPCs (of the tables read, every table of their VPCs). Sorted by id.
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
      .filter(([, t]) => t.subnetIds.some((id) => subnets.has(id)) || (t.main && vpcs.has(t.vpcId)))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
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
