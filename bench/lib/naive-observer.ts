/**
 * The baseline: a naive observer that reads the same snapshot the way per-resource policy engines
 * do — one call per resource per attribute, one call at a time, no region sweeps, no batching:
 *
 * - per file system: DescribeFileSystems (by id), DescribeLifecycleConfiguration,
 *   DescribeBackupPolicy, DescribeMountTargets, DescribeAccessPoints (by file system),
 *   DescribeFileSystemPolicy, DescribeAlarms (by its alarms' names), and per mount target
 *   DescribeMountTargetSecurityGroups, per alarm ListTagsForResource;
 * - per function: GetFunctionConfiguration, and its role's ListRolePolicies,
 *   ListAttachedRolePolicies, GetRolePolicy per inline policy (GetPolicy and GetPolicyVersion per
 *   managed one);
 * - per subnet: DescribeSubnets and DescribeRouteTables (its own table, else its VPC's main one);
 *   per security group: DescribeSecurityGroups and DescribeSecurityGroupRules.
 *
 * It returns an `ObservedState` like `observe()`, so the bench can check both plan the same.
 */
import { DescribeAlarmsCommand, ListTagsForResourceCommand } from "@aws-sdk/client-cloudwatch";
import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type SecurityGroupRule as Ec2Rule,
  type SecurityGroup,
} from "@aws-sdk/client-ec2";
import {
  DescribeAccessPointsCommand,
  DescribeBackupPolicyCommand,
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeLifecycleConfigurationCommand,
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
} from "@aws-sdk/client-efs";
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { type FunctionConfiguration, GetFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import type { AwsClients } from "../../src/aws/clients";
import type { DesiredState } from "../../src/desired-state/types";
import { canonicalBackupStatus, canonicalLifecycle, toObservedAlarm } from "../../src/observe/canonical";
import { toObservedAccessPoint } from "../../src/observe/read-access-points";
import { toObservedFileSystem } from "../../src/observe/read-file-systems";
import { mountedBy, toObservedFunction } from "../../src/observe/read-functions";
import { decodePolicyDocument, roleNameOf } from "../../src/observe/read-iam-policies";
import { toObservedRouteTable } from "../../src/observe/read-route-tables";
import { assembleSecurityGroups } from "../../src/observe/read-security-groups";
import type {
  FileSystemLookup,
  FunctionLookup,
  ObservedAlarm,
  ObservedPolicy,
  ObservedRole,
  ObservedRouteTable,
  ObservedState,
  ObservedSubnet,
} from "../../src/observe/types";
import { ALARM_KINDS, alarmName } from "../../src/plan/alarm-definitions";

async function orNotFound<T>(send: () => Promise<T>): Promise<T | undefined> {
  try {
    return await send();
  } catch (err) {
    const name = (err as { name?: string }).name ?? "";
    if (/NotFound/.test(name)) return undefined;
    throw err;
  }
}

export async function naiveObserve(desired: DesiredState, clients: AwsClients): Promise<ObservedState> {
  const { ec2, efs, lambda, iam, cloudwatch } = clients;
  const region = await clients.region();
  const fileSystems: Record<string, FileSystemLookup> = {};
  const subnetIds = new Set<string>();
  const groupIds = new Set<string>();

  for (const m of desired.fileSystems) {
    groupIds.add(m.spec.mountTargets.securityGroupId);
    for (const g of m.spec.mountTargets.allowedSecurityGroupIds) groupIds.add(g);
    const id = m.spec.fileSystemId;
    const described = id
      ? await orNotFound(() => efs.send(new DescribeFileSystemsCommand({ FileSystemId: id })))
      : undefined;
    const fs = described?.FileSystems?.[0];
    if (!id || !fs) {
      fileSystems[m.name] = { found: false, reason: `no file system ${id}`, candidates: [] };
      continue;
    }
    const lifecycle = await efs.send(new DescribeLifecycleConfigurationCommand({ FileSystemId: id }));
    const backup = await orNotFound(() => efs.send(new DescribeBackupPolicyCommand({ FileSystemId: id })));
    const mts = (await efs.send(new DescribeMountTargetsCommand({ FileSystemId: id }))).MountTargets ?? [];
    const mountTargets = [];
    for (const mt of mts) {
      const groups = await efs.send(
        new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: mt.MountTargetId ?? "" }),
      );
      if (mt.SubnetId) subnetIds.add(mt.SubnetId);
      mountTargets.push({
        mountTargetId: mt.MountTargetId ?? "",
        fileSystemId: id,
        subnetId: mt.SubnetId ?? "",
        vpcId: mt.VpcId ?? "",
        availabilityZone: mt.AvailabilityZoneName ?? "",
        lifeCycleState: mt.LifeCycleState ?? "",
        ...(mt.NetworkInterfaceId ? { networkInterfaceId: mt.NetworkInterfaceId } : {}),
        securityGroupIds: [...new Set(groups.SecurityGroups ?? [])].sort(),
      });
    }
    const aps = (await efs.send(new DescribeAccessPointsCommand({ FileSystemId: id }))).AccessPoints ?? [];
    fileSystems[m.name] = {
      found: true,
      fileSystem: {
        ...toObservedFileSystem(
          fs,
          {
            mountTargets: mts,
            lifecycle: canonicalLifecycle(lifecycle.LifecyclePolicies),
            ...(m.spec.backupPolicy !== undefined
              ? { backupPolicy: canonicalBackupStatus(backup?.BackupPolicy?.Status) }
              : {}),
          },
          aps.map(toObservedAccessPoint).sort((a, b) => a.accessPointId.localeCompare(b.accessPointId)),
        ),
        mountTargets: mountTargets.sort((a, b) =>
          a.availabilityZone === b.availabilityZone
            ? a.mountTargetId.localeCompare(b.mountTargetId)
            : a.availabilityZone.localeCompare(b.availabilityZone),
        ),
      },
    };
  }

  const functions: Record<string, FunctionLookup> = {};
  const configs: FunctionConfiguration[] = [];
  for (const m of desired.functions) {
    const fn = await orNotFound(() =>
      lambda.send(new GetFunctionConfigurationCommand({ FunctionName: m.spec.functionName })),
    );
    if (!fn) {
      functions[m.name] = { found: false };
      continue;
    }
    configs.push(fn);
    for (const s of fn.VpcConfig?.SubnetIds ?? []) subnetIds.add(s);
    for (const g of fn.VpcConfig?.SecurityGroupIds ?? []) groupIds.add(g);
    for (const s of m.spec.vpc?.subnetIds ?? []) subnetIds.add(s);
    for (const g of m.spec.vpc?.securityGroupIds ?? []) groupIds.add(g);
    functions[m.name] = { found: true, fn: toObservedFunction(fn) };
  }

  // Alarms (by name, per file system) and their tags, one by one.
  const alarms: Record<string, ObservedAlarm> = {};
  for (const lookup of Object.values(fileSystems)) {
    if (!lookup.found) continue;
    const fsId = lookup.fileSystem.fileSystemId;
    const names = ALARM_KINDS.map((k) => alarmName(fsId, k));
    const described = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }));
    for (const alarm of described.MetricAlarms ?? []) {
      const tagged = await orNotFound(() =>
        cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: alarm.AlarmArn })),
      );
      const tags: Record<string, string> = {};
      for (const t of tagged?.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? "";
      const observed = toObservedAlarm(alarm, tags);
      if (observed) alarms[observed.alarmName] = observed;
    }
  }

  // Each function's role, read for each function; the policies of the file systems they mount.
  const roles: Record<string, ObservedRole> = {};
  const fileSystemPolicies: Record<string, string | null> = {};
  for (const m of desired.functions) {
    const lookup = functions[m.name];
    const roleArn = lookup?.found ? lookup.fn.role : undefined;
    const roleName = roleArn ? roleNameOf(roleArn) : undefined;
    if (!roleArn || !roleName) continue;
    const inline = await orNotFound(() => iam.send(new ListRolePoliciesCommand({ RoleName: roleName })));
    const attached = await orNotFound(() =>
      iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName })),
    );
    const policies: ObservedPolicy[] = [];
    for (const name of [...(inline?.PolicyNames ?? [])].sort()) {
      const doc = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
      policies.push({ kind: "inline", name, document: decodePolicyDocument(doc.PolicyDocument ?? "") });
    }
    for (const p of attached?.AttachedPolicies ?? []) {
      if (!p.PolicyArn) continue;
      const policy = await iam.send(new GetPolicyCommand({ PolicyArn: p.PolicyArn }));
      const version = await iam.send(
        new GetPolicyVersionCommand({ PolicyArn: p.PolicyArn, VersionId: policy.Policy?.DefaultVersionId }),
      );
      policies.push({
        kind: "managed",
        name: p.PolicyName ?? p.PolicyArn,
        arn: p.PolicyArn,
        document: decodePolicyDocument(version.PolicyVersion?.Document ?? ""),
      });
    }
    roles[roleArn] = { roleArn, roleName, found: inline !== undefined && attached !== undefined, policies };
    const apm = desired.accessPoints.find((a) => a.name === m.spec.accessPoint);
    const fsLookup = apm ? fileSystems[apm.spec.fileSystem] : undefined;
    if (fsLookup?.found) {
      const fsId = fsLookup.fileSystem.fileSystemId;
      const policy = await orNotFound(() =>
        efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: fsId })),
      );
      fileSystemPolicies[fsId] = policy?.Policy ?? null;
    }
  }

  const subnets: Record<string, ObservedSubnet> = {};
  for (const id of [...subnetIds].sort()) {
    const out = await orNotFound(() => ec2.send(new DescribeSubnetsCommand({ SubnetIds: [id] })));
    const s = out?.Subnets?.[0];
    if (s?.SubnetId) {
      subnets[s.SubnetId] = {
        subnetId: s.SubnetId,
        vpcId: s.VpcId ?? "",
        availabilityZone: s.AvailabilityZone ?? "",
      };
    }
  }
  // Each subnet's route table: its own, else its VPC's main table.
  const routeTables: Record<string, ObservedRouteTable> = {};
  for (const s of Object.values(subnets)) {
    const own = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: "association.subnet-id", Values: [s.subnetId] }] }),
    );
    let tables = own.RouteTables ?? [];
    if (tables.length === 0) {
      const main = await ec2.send(
        new DescribeRouteTablesCommand({
          Filters: [
            { Name: "vpc-id", Values: [s.vpcId] },
            { Name: "association.main", Values: ["true"] },
          ],
        }),
      );
      tables = main.RouteTables ?? [];
    }
    for (const t of tables) {
      const observed = toObservedRouteTable(t);
      if (observed) routeTables[observed.routeTableId] = observed;
    }
  }
  for (const lookup of Object.values(functions)) {
    if (!lookup.found || !lookup.fn.vpcConfig) continue;
    const vpcId = subnets[lookup.fn.vpcConfig.subnetIds[0] ?? ""]?.vpcId;
    if (vpcId) lookup.fn.vpcConfig.vpcId = vpcId;
  }

  const groups: SecurityGroup[] = [];
  const rules: Ec2Rule[] = [];
  for (const id of [...groupIds].sort()) {
    const g = await orNotFound(() => ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] })));
    groups.push(...(g?.SecurityGroups ?? []));
    const r = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [id] }] }),
    );
    rules.push(...(r.SecurityGroupRules ?? []));
  }

  return {
    region,
    fileSystems,
    functions,
    mountedBy: mountedBy(configs),
    subnets,
    vpcSubnets: {},
    securityGroups: assembleSecurityGroups(groups, rules),
    routeTables,
    iam: { roles, fileSystemPolicies },
    alarms: Object.fromEntries(Object.entries(alarms).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}
