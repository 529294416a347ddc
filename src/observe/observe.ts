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
 *   + per 200 mount targets: DescribeNetworkInterfaces; per 200 subnets: DescribeSubnets; per 200
 *     VPCs: DescribeRouteTables (every table of the subnets' VPCs, associated and main)
 *   + ceil(A/100) DescribeAlarms and ceil(A/100) tagging GetResources for A alarms (+ one
 *     ListTagsForResource per alarm the tagging index does not list as efs-reconciler's)
 *   + per execution role: ListRolePolicies, ListAttachedRolePolicies, GetRolePolicy per inline
 *     policy (GetPolicy + GetPolicyVersion once per attached managed policy).
 *
 * Rounds of dependent calls: the sweeps; the per-file-system reads; the network reads (named
 * security groups, interfaces, subnets, route tables) while the checklist's IAM and alarm reads run
 * alongside. A fourth round comes only when a manifest asks for AZs beyond the functions' or a
 * subnet lies in a VPC neither its mount target nor its function names. The rounds are the stages
 * of stages.ts, which the workflow runs as functions of their own.
 */
import type { ObserveClients } from "../aws/clients";
import type { DesiredState } from "../desired-state/types";
import { observeChecklist } from "./observe-checklist";
import { observeNetwork } from "./observe-network";
import { observeSources } from "./observe-sources";
import { type ObserveOptions, stageContext } from "./stage-context";
import { assembleObservation, callsText, foundLine } from "./stages";
import type { ObservedState } from "./types";

export type { ObserveClients } from "../aws/clients";
export { DEFAULT_OBSERVE_RATES } from "./rate-limiter";
export type { ObserveOptions } from "./stage-context";

/** Reads the live state `desired` refers to. Throws `ObserveError` when AWS cannot be read. */
export async function observe(
  desired: DesiredState,
  clients: ObserveClients,
  options: ObserveOptions = {},
): Promise<ObservedState> {
  const context = stageContext(await clients.region(), options);
  const sources = await observeSources(desired, clients, context);
  const [network, checklist] = await Promise.all([
    observeNetwork(desired, sources, clients, context),
    observeChecklist(desired, sources, clients, context),
  ]);
  const observed = assembleObservation({ sources, network, checklist });
  context.log(`${foundLine(desired, observed)} (${callsText(context.reader.calls)} in total)`);
  return observed;
}
