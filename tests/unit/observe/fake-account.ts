/**
 * An in-memory AWS account answering the read calls of `observe()` through aws-sdk-client-mock:
 * listings are paginated at `pageSize`, EC2 filters are applied like EC2 does (unknown ids are
 * simply not returned). Tests change the account, then check the snapshot.
 */
import {
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  type MetricAlarm,
  ResourceNotFoundException,
  type Tag,
} from "@aws-sdk/client-cloudwatch";
import {
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type SecurityGroupRule as Ec2SecurityGroupRule,
  type Filter,
  type NetworkInterface,
  type RouteTable,
  type SecurityGroup,
  type Subnet,
} from "@aws-sdk/client-ec2";
import {
  type AccessPointDescription,
  DescribeAccessPointsCommand,
  DescribeBackupPolicyCommand,
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeLifecycleConfigurationCommand,
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
  type FileSystemDescription,
  FileSystemNotFound,
  type LifecyclePolicy,
  type MountTargetDescription,
  MountTargetNotFound,
  PolicyNotFound,
} from "@aws-sdk/client-efs";
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
} from "@aws-sdk/client-iam";
import { type FunctionConfiguration, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { GetResourcesCommand } from "@aws-sdk/client-resource-groups-tagging-api";
import { mockClient } from "aws-sdk-client-mock";
import { type AwsClients, createClients } from "../../../src/aws/clients";
import type {
  AccessPointManifest,
  DesiredState,
  FileSystemManifest,
  FileSystemSpec,
  LambdaFunctionManifest,
  LambdaFunctionSpec,
} from "../../../src/desired-state/types";

export const REGION = "us-east-1";
export const ACCOUNT = "123456789012";
export const FS_ID = "fs-00000000000000001";
export const OTHER_FS_ID = "fs-00000000000000099";
export const MT_SG = "sg-0efs0000000000001";
export const FN_SG = "sg-0fn00000000000001";
export const AP_ID = "fsap-00000000000000001";
export const AP_ARN = apArn(AP_ID);
export const OTHER_AP_ARN = apArn("fsap-00000000000000099");

export function apArn(id: string): string {
  return `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:access-point/${id}`;
}

export function fnArn(name: string, region = REGION, account = ACCOUNT): string {
  return `arn:aws:lambda:${region}:${account}:function:${name}`;
}

export interface Account {
  fileSystems: FileSystemDescription[];
  accessPoints: AccessPointDescription[];
  mountTargets: MountTargetDescription[];
  lifecycle: Record<string, LifecyclePolicy[]>;
  /** File system id → backup status; absent: no policy (PolicyNotFound). */
  backup: Record<string, string>;
  /** Mount target id → security groups, as DescribeMountTargetSecurityGroups answers. */
  mountTargetGroups: Record<string, string[]>;
  functions: FunctionConfiguration[];
  networkInterfaces: NetworkInterface[];
  subnets: Subnet[];
  securityGroups: SecurityGroup[];
  rules: Ec2SecurityGroupRule[];
  routeTables: RouteTable[];
  /** Role name → its inline policies (name → JSON text) and attached managed policy ARNs. */
  roles: Record<string, { inline: Record<string, string>; attached: string[] }>;
  /** Managed policy ARN → its default version's JSON text. */
  managedPolicies: Record<string, string>;
  /** File system id → its resource policy JSON text; absent: none (PolicyNotFound). */
  fileSystemPolicies: Record<string, string>;
  alarms: MetricAlarm[];
  /** Alarm ARN → tags. */
  alarmTags: Record<string, Tag[]>;
  /** Items per page of every listing (EC2 also honours a smaller MaxResults). */
  pageSize: number;
  /** Awaited before each per-file-system EFS reply (lets a test hold calls in flight). */
  beforePerFileSystemReply?: () => Promise<void>;
  /**
   * Awaited before each reply to the network reads and the IAM role listing, with the operation's
   * name (DescribeNetworkInterfaces, DescribeSubnets, DescribeRouteTables, ListRolePolicies): lets a
   * test see which calls are sent while another is unanswered.
   */
  beforeReply?: (operation: string) => Promise<void>;
}

export function fileSystem(
  id: string,
  tags: Record<string, string>,
  extra: Partial<FileSystemDescription> = {},
) {
  return {
    FileSystemId: id,
    FileSystemArn: `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/${id}`,
    OwnerId: ACCOUNT,
    CreationToken: id,
    CreationTime: new Date(0),
    LifeCycleState: "available",
    NumberOfMountTargets: 0,
    SizeInBytes: { Value: 0 },
    PerformanceMode: "generalPurpose",
    ThroughputMode: "bursting",
    Encrypted: true,
    ...(tags.Name ? { Name: tags.Name } : {}),
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    ...extra,
  } satisfies FileSystemDescription;
}

export function subnet(id: string, vpcId: string, az: string): Subnet {
  return { SubnetId: id, VpcId: vpcId, AvailabilityZone: az };
}

export function mountTarget(id: string, fsId: string, subnetId: string, az: string, eni?: string) {
  return {
    MountTargetId: id,
    FileSystemId: fsId,
    SubnetId: subnetId,
    VpcId: "vpc-1",
    AvailabilityZoneName: az,
    LifeCycleState: "available",
    ...(eni ? { NetworkInterfaceId: eni } : {}),
  } satisfies MountTargetDescription;
}

export function lambdaFunction(
  name: string,
  extra: Partial<FunctionConfiguration> = {},
): FunctionConfiguration {
  return {
    FunctionName: name,
    FunctionArn: fnArn(name),
    Role: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    Timeout: 45,
    ...extra,
  };
}

export const FS_ARN = `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/${FS_ID}`;
export const SHARED_POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/lambda-basics`;

/** The least-privilege statement for read-write access to `fileSystemArn`, as a policy document. */
export function efsClientPolicy(fileSystemArn = FS_ARN): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        Resource: fileSystemArn,
      },
    ],
  });
}

export function alarmArn(name: string): string {
  return `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
}

/** The alarm efs-reconciler wants on FS_ID by default (PercentIOLimit ≥ 90). */
export function percentIOLimitAlarm(fsId = FS_ID, threshold = 90): MetricAlarm {
  const name = `efs-reconciler-${fsId}-percent-io-limit`;
  return {
    AlarmName: name,
    AlarmArn: alarmArn(name),
    AlarmDescription: `EFS ${fsId} used ${threshold}% or more of its I/O limit for 5 minutes (managed by efs-reconciler)`,
    Namespace: "AWS/EFS",
    MetricName: "PercentIOLimit",
    Dimensions: [{ Name: "FileSystemId", Value: fsId }],
    Statistic: "Maximum",
    Period: 60,
    EvaluationPeriods: 5,
    DatapointsToAlarm: 5,
    Threshold: threshold,
    ComparisonOperator: "GreaterThanOrEqualToThreshold",
    TreatMissingData: "notBreaching",
    ActionsEnabled: true,
  };
}

/** Two functions in vpc-1 (AZs a and b) mounting one access point of one file system, plus bystanders. */
export function convergedAccount(): Account {
  return {
    pageSize: 1000,
    fileSystems: [
      fileSystem(FS_ID, { Name: "ml-data", team: "ml" }),
      fileSystem(OTHER_FS_ID, { Name: "unrelated" }),
    ],
    accessPoints: [
      {
        AccessPointId: AP_ID,
        AccessPointArn: AP_ARN,
        FileSystemId: FS_ID,
        LifeCycleState: "available",
        Tags: [{ Key: "efs-reconciler.io/name", Value: "lambda" }],
        PosixUser: { Uid: 1000, Gid: 1000 },
        RootDirectory: {
          Path: "/lambda",
          CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: "755" },
        },
      },
      {
        AccessPointId: "fsap-00000000000000099",
        AccessPointArn: OTHER_AP_ARN,
        FileSystemId: OTHER_FS_ID,
        LifeCycleState: "available",
        RootDirectory: { Path: "/" },
      },
    ],
    mountTargets: [
      mountTarget("fsmt-b", FS_ID, "subnet-b", "us-east-1b", "eni-b"),
      mountTarget("fsmt-a", FS_ID, "subnet-a", "us-east-1a", "eni-a"),
      mountTarget("fsmt-other", OTHER_FS_ID, "subnet-a", "us-east-1a", "eni-other"),
    ],
    lifecycle: {
      [FS_ID]: [{ TransitionToIA: "AFTER_30_DAYS" }, { TransitionToPrimaryStorageClass: "AFTER_1_ACCESS" }],
    },
    backup: { [FS_ID]: "ENABLED" },
    mountTargetGroups: { "fsmt-a": [MT_SG], "fsmt-b": [MT_SG] },
    functions: [
      lambdaFunction("search", {
        VpcConfig: { VpcId: "vpc-1", SubnetIds: ["subnet-a", "subnet-b"], SecurityGroupIds: [FN_SG] },
        FileSystemConfigs: [{ Arn: AP_ARN, LocalMountPath: "/mnt/efs" }],
      }),
      lambdaFunction("embed", {
        VpcConfig: { VpcId: "vpc-1", SubnetIds: ["subnet-b", "subnet-a"], SecurityGroupIds: [FN_SG] },
        FileSystemConfigs: [{ Arn: AP_ARN, LocalMountPath: "/mnt/efs" }],
      }),
      lambdaFunction("legacy-batch", {
        VpcConfig: { VpcId: "vpc-1", SubnetIds: ["subnet-a"], SecurityGroupIds: ["sg-0legacy000000001"] },
        FileSystemConfigs: [{ Arn: AP_ARN, LocalMountPath: "/mnt/data" }],
      }),
      lambdaFunction("unrelated", {
        VpcConfig: { VpcId: "vpc-2", SubnetIds: ["subnet-z"], SecurityGroupIds: ["sg-0unrelated000001"] },
        FileSystemConfigs: [{ Arn: OTHER_AP_ARN, LocalMountPath: "/mnt/other" }],
      }),
      lambdaFunction("no-vpc"),
    ],
    networkInterfaces: [
      { NetworkInterfaceId: "eni-a", Groups: [{ GroupId: MT_SG }] },
      { NetworkInterfaceId: "eni-b", Groups: [{ GroupId: MT_SG }] },
      { NetworkInterfaceId: "eni-other", Groups: [{ GroupId: "sg-0other000000001" }] },
    ],
    subnets: [
      subnet("subnet-a", "vpc-1", "us-east-1a"),
      subnet("subnet-b", "vpc-1", "us-east-1b"),
      subnet("subnet-c", "vpc-1", "us-east-1c"),
      subnet("subnet-z", "vpc-2", "us-east-1a"),
    ],
    securityGroups: [
      { GroupId: MT_SG, VpcId: "vpc-1", GroupName: "efs-mount-targets" },
      { GroupId: FN_SG, VpcId: "vpc-1", GroupName: "functions" },
      { GroupId: "sg-0unrelated000001", VpcId: "vpc-2", GroupName: "unrelated" },
    ],
    rules: [
      {
        SecurityGroupRuleId: "sgr-2",
        GroupId: MT_SG,
        IsEgress: false,
        IpProtocol: "tcp",
        FromPort: 2049,
        ToPort: 2049,
        ReferencedGroupInfo: { GroupId: FN_SG },
      },
      {
        SecurityGroupRuleId: "sgr-1",
        GroupId: MT_SG,
        IsEgress: true,
        IpProtocol: "-1",
        FromPort: -1,
        ToPort: -1,
        CidrIpv4: "0.0.0.0/0",
      },
      {
        SecurityGroupRuleId: "sgr-3",
        GroupId: FN_SG,
        IsEgress: true,
        IpProtocol: "-1",
        FromPort: -1,
        ToPort: -1,
        CidrIpv4: "0.0.0.0/0",
      },
      {
        SecurityGroupRuleId: "sgr-9",
        GroupId: "sg-0unrelated000001",
        IsEgress: true,
        IpProtocol: "-1",
        CidrIpv4: "0.0.0.0/0",
      },
    ],
    routeTables: [
      {
        RouteTableId: "rtb-main",
        VpcId: "vpc-1",
        Associations: [{ Main: true, RouteTableId: "rtb-main", AssociationState: { State: "associated" } }],
        Routes: [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" }],
      },
      {
        RouteTableId: "rtb-nat",
        VpcId: "vpc-1",
        Associations: [
          {
            Main: false,
            RouteTableId: "rtb-nat",
            SubnetId: "subnet-b",
            AssociationState: { State: "associated" },
          },
        ],
        Routes: [
          { DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" },
          { DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-1", State: "active" },
        ],
      },
      {
        RouteTableId: "rtb-vpc2",
        VpcId: "vpc-2",
        Associations: [{ Main: true, RouteTableId: "rtb-vpc2", AssociationState: { State: "associated" } }],
        Routes: [{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-2", State: "active" }],
      },
    ],
    roles: {
      search: { inline: { "efs-client": efsClientPolicy() }, attached: [SHARED_POLICY_ARN] },
      embed: { inline: { "efs-client": efsClientPolicy() }, attached: [SHARED_POLICY_ARN] },
    },
    managedPolicies: {
      [SHARED_POLICY_ARN]: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "logs:CreateLogStream", Resource: "*" }],
      }),
    },
    fileSystemPolicies: {},
    alarms: [percentIOLimitAlarm(), percentIOLimitAlarm(OTHER_FS_ID)],
    alarmTags: {
      [alarmArn(`efs-reconciler-${FS_ID}-percent-io-limit`)]: [
        { Key: "efs-reconciler.io/managed-by", Value: "efs-reconciler" },
      ],
    },
  };
}

const src = { file: "desired-state/test.yaml", line: 1, col: 1 };

export function fsManifest(name: string, spec: Partial<FileSystemSpec> = {}): FileSystemManifest {
  return {
    kind: "FileSystem",
    name,
    labels: {},
    source: src,
    spec: {
      encrypted: true,
      performanceMode: "generalPurpose",
      throughputMode: "bursting",
      lifecyclePolicy: { transitionToIA: "AFTER_30_DAYS", transitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
      mountTargets: { securityGroupId: MT_SG, availabilityZones: [], allowedSecurityGroupIds: [] },
      alarms: { percentIOLimit: 90, burstCreditBalanceBytes: false },
      ...(spec.fileSystemId === undefined && spec.selector === undefined
        ? { selector: { tags: { Name: "ml-data" } } }
        : {}),
      ...spec,
    },
  };
}

export function apManifest(name: string, fileSystem: string): AccessPointManifest {
  return {
    kind: "AccessPoint",
    name,
    labels: {},
    source: src,
    spec: {
      fileSystem,
      posixUser: { uid: 1000, gid: 1000, secondaryGids: [] },
      rootDirectory: {
        path: "/lambda",
        creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "0755" },
      },
    },
  };
}

export function fnManifest(
  name: string,
  functionName: string,
  spec: Partial<LambdaFunctionSpec> = {},
): LambdaFunctionManifest {
  return {
    kind: "LambdaFunction",
    name,
    labels: {},
    source: src,
    spec: {
      functionName,
      accessPoint: "lambda",
      mountPath: "/mnt/efs",
      timeoutSeconds: { min: 30, max: 60 },
      minAvailabilityZones: 2,
      access: "readWrite",
      logFormat: "JSON",
      ...spec,
    },
  };
}

/** ml-data (by selector, backup managed), access point "lambda", functions "search" and "embed". */
export function convergedDesired(): DesiredState {
  return {
    revision: "sha256:test",
    fileSystems: [fsManifest("ml-data", { backupPolicy: "ENABLED" })],
    accessPoints: [apManifest("lambda", "ml-data")],
    functions: [fnManifest("search", "search"), fnManifest("embed", "embed")],
  };
}

function page<T>(
  items: readonly T[],
  token: string | undefined,
  size: number,
): { items: T[]; next?: string } {
  const start = token ? Number(token.replace("page-", "")) : 0;
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length ? { next: `page-${end}` } : {}) };
}

function filterValues(filters: Filter[] | undefined, name: string): string[] | undefined {
  return filters?.find((f) => f.Name === name)?.Values;
}

function byFilter<T>(
  items: readonly T[],
  filters: Filter[] | undefined,
  name: string,
  key: (t: T) => unknown,
): T[] {
  const values = filterValues(filters, name);
  return values ? items.filter((t) => values.includes(String(key(t)))) : [...items];
}

const meta = { $metadata: {} };

/** Real clients (region us-east-1) whose `send` answers from `account`; the stubs record every command. */
export function mockAccount(account: Account) {
  const clients: AwsClients = createClients({ region: REGION });
  const efs = mockClient(clients.efs);
  const lambda = mockClient(clients.lambda);
  const ec2 = mockClient(clients.ec2);
  const sfn = mockClient(clients.sfn);
  const iam = mockClient(clients.iam);
  const cloudwatch = mockClient(clients.cloudwatch);
  const tagging = mockClient(clients.tagging);
  const perFs = async () => {
    await account.beforePerFileSystemReply?.();
  };
  const requireFs = (id: string | undefined) => {
    if (!account.fileSystems.some((f) => f.FileSystemId === id)) {
      throw new FileSystemNotFound({
        message: `File system '${id}' does not exist.`,
        ErrorCode: "FileSystemNotFound",
        $metadata: {},
      });
    }
  };

  efs.on(DescribeFileSystemsCommand).callsFake(async (input) => {
    const p = page(account.fileSystems, input.Marker, account.pageSize);
    return { ...meta, FileSystems: p.items, ...(p.next ? { NextMarker: p.next } : {}) };
  });
  efs.on(DescribeAccessPointsCommand).callsFake(async (input) => {
    const p = page(account.accessPoints, input.NextToken, account.pageSize);
    return { ...meta, AccessPoints: p.items, ...(p.next ? { NextToken: p.next } : {}) };
  });
  efs.on(DescribeMountTargetsCommand).callsFake(async (input) => {
    await perFs();
    requireFs(input.FileSystemId);
    const all = account.mountTargets.filter((mt) => mt.FileSystemId === input.FileSystemId);
    const p = page(all, input.Marker, account.pageSize);
    return { ...meta, MountTargets: p.items, ...(p.next ? { NextMarker: p.next } : {}) };
  });
  efs.on(DescribeLifecycleConfigurationCommand).callsFake(async (input) => {
    await perFs();
    requireFs(input.FileSystemId);
    return { ...meta, LifecyclePolicies: account.lifecycle[input.FileSystemId ?? ""] ?? [] };
  });
  efs.on(DescribeBackupPolicyCommand).callsFake(async (input) => {
    await perFs();
    requireFs(input.FileSystemId);
    const status = account.backup[input.FileSystemId ?? ""];
    if (status === undefined) {
      throw new PolicyNotFound({ message: "no backup policy", ErrorCode: "PolicyNotFound", $metadata: {} });
    }
    return { ...meta, BackupPolicy: { Status: status as "ENABLED" } };
  });
  efs.on(DescribeMountTargetSecurityGroupsCommand).callsFake(async (input) => {
    const groups = account.mountTargetGroups[input.MountTargetId ?? ""];
    if (!groups) {
      throw new MountTargetNotFound({
        message: "no such mount target",
        ErrorCode: "MountTargetNotFound",
        $metadata: {},
      });
    }
    return { ...meta, SecurityGroups: groups };
  });
  lambda.on(ListFunctionsCommand).callsFake(async (input) => {
    const p = page(account.functions, input.Marker, account.pageSize);
    return { ...meta, Functions: p.items, ...(p.next ? { NextMarker: p.next } : {}) };
  });
  ec2.on(DescribeNetworkInterfacesCommand).callsFake(async (input) => {
    await account.beforeReply?.("DescribeNetworkInterfaces");
    const all = byFilter(
      account.networkInterfaces,
      input.Filters,
      "network-interface-id",
      (n) => n.NetworkInterfaceId,
    );
    const p = page(all, input.NextToken, Math.min(account.pageSize, input.MaxResults ?? account.pageSize));
    return { ...meta, NetworkInterfaces: p.items, ...(p.next ? { NextToken: p.next } : {}) };
  });
  ec2.on(DescribeSubnetsCommand).callsFake(async (input) => {
    await account.beforeReply?.("DescribeSubnets");
    let all = byFilter(account.subnets, input.Filters, "subnet-id", (s) => s.SubnetId);
    all = byFilter(all, input.Filters, "vpc-id", (s) => s.VpcId);
    const p = page(all, input.NextToken, Math.min(account.pageSize, input.MaxResults ?? account.pageSize));
    return { ...meta, Subnets: p.items, ...(p.next ? { NextToken: p.next } : {}) };
  });
  ec2.on(DescribeSecurityGroupsCommand).callsFake(async (input) => {
    const all = byFilter(account.securityGroups, input.Filters, "group-id", (g) => g.GroupId);
    const p = page(all, input.NextToken, Math.min(account.pageSize, input.MaxResults ?? account.pageSize));
    return { ...meta, SecurityGroups: p.items, ...(p.next ? { NextToken: p.next } : {}) };
  });
  ec2.on(DescribeSecurityGroupRulesCommand).callsFake(async (input) => {
    const all = byFilter(account.rules, input.Filters, "group-id", (r) => r.GroupId);
    const p = page(all, input.NextToken, Math.min(account.pageSize, input.MaxResults ?? account.pageSize));
    return { ...meta, SecurityGroupRules: p.items, ...(p.next ? { NextToken: p.next } : {}) };
  });

  ec2.on(DescribeRouteTablesCommand).callsFake(async (input) => {
    await account.beforeReply?.("DescribeRouteTables");
    let all = byFilter(account.routeTables, input.Filters, "vpc-id", (t) => t.VpcId);
    const subnets = filterValues(input.Filters, "association.subnet-id");
    if (subnets)
      all = all.filter((t) => (t.Associations ?? []).some((a) => subnets.includes(a.SubnetId ?? "")));
    if (filterValues(input.Filters, "association.main")?.includes("true")) {
      all = all.filter((t) => (t.Associations ?? []).some((a) => a.Main === true));
    }
    const p = page(all, input.NextToken, Math.min(account.pageSize, input.MaxResults ?? account.pageSize));
    return { ...meta, RouteTables: p.items, ...(p.next ? { NextToken: p.next } : {}) };
  });
  efs.on(DescribeFileSystemPolicyCommand).callsFake(async (input) => {
    await perFs();
    requireFs(input.FileSystemId);
    const policy = account.fileSystemPolicies[input.FileSystemId ?? ""];
    if (policy === undefined) {
      throw new PolicyNotFound({
        message: "no file system policy",
        ErrorCode: "PolicyNotFound",
        $metadata: {},
      });
    }
    return { ...meta, FileSystemId: input.FileSystemId, Policy: policy };
  });
  const role = (name: string | undefined) => {
    const r = account.roles[name ?? ""];
    if (!r) throw new NoSuchEntityException({ message: `Role ${name} not found`, $metadata: {} });
    return r;
  };
  const truncated = <T>(items: readonly T[], marker: string | undefined) => {
    const p = page(items, marker, account.pageSize);
    return { items: p.items, IsTruncated: p.next !== undefined, ...(p.next ? { Marker: p.next } : {}) };
  };
  iam.on(ListRolePoliciesCommand).callsFake(async (input) => {
    await account.beforeReply?.("ListRolePolicies");
    const { items, ...rest } = truncated(Object.keys(role(input.RoleName).inline), input.Marker);
    return { ...meta, PolicyNames: items, ...rest };
  });
  iam.on(ListAttachedRolePoliciesCommand).callsFake(async (input) => {
    const attached = role(input.RoleName).attached.map((arn) => ({
      PolicyArn: arn,
      PolicyName: arn.split("/").at(-1),
    }));
    const { items, ...rest } = truncated(attached, input.Marker);
    return { ...meta, AttachedPolicies: items, ...rest };
  });
  iam.on(GetRolePolicyCommand).callsFake(async (input) => {
    const doc = role(input.RoleName).inline[input.PolicyName ?? ""];
    if (doc === undefined) throw new NoSuchEntityException({ message: "no such policy", $metadata: {} });
    // IAM returns documents URL-encoded.
    return {
      ...meta,
      RoleName: input.RoleName,
      PolicyName: input.PolicyName,
      PolicyDocument: encodeURIComponent(doc),
    };
  });
  const managed = (arn: string | undefined) => {
    const doc = account.managedPolicies[arn ?? ""];
    if (doc === undefined)
      throw new NoSuchEntityException({ message: `Policy ${arn} not found`, $metadata: {} });
    return doc;
  };
  iam.on(GetPolicyCommand).callsFake(async (input) => {
    managed(input.PolicyArn);
    return { ...meta, Policy: { Arn: input.PolicyArn, DefaultVersionId: "v3" } };
  });
  iam.on(GetPolicyVersionCommand).callsFake(async (input) => {
    const doc = managed(input.PolicyArn);
    if (input.VersionId !== "v3")
      throw new NoSuchEntityException({ message: "no such version", $metadata: {} });
    return {
      ...meta,
      PolicyVersion: { VersionId: "v3", IsDefaultVersion: true, Document: encodeURIComponent(doc) },
    };
  });
  cloudwatch.on(DescribeAlarmsCommand).callsFake(async (input) => {
    const prefix = input.AlarmNamePrefix ?? "";
    const all = account.alarms
      .filter((a) => (a.AlarmName ?? "").startsWith(prefix))
      .sort((a, b) => ((a.AlarmName ?? "") < (b.AlarmName ?? "") ? -1 : 1));
    const p = page(all, input.NextToken, Math.min(account.pageSize, input.MaxRecords ?? account.pageSize));
    return { ...meta, MetricAlarms: p.items, CompositeAlarms: [], ...(p.next ? { NextToken: p.next } : {}) };
  });
  cloudwatch.on(ListTagsForResourceCommand).callsFake(async (input) => {
    if (!account.alarms.some((a) => a.AlarmArn === input.ResourceARN)) {
      throw new ResourceNotFoundException({ message: "no such alarm", $metadata: {} });
    }
    return { ...meta, Tags: account.alarmTags[input.ResourceARN ?? ""] ?? [] };
  });

  // Resource Groups Tagging: alarms with every wanted tag, like the real index (alarms only here).
  tagging.on(GetResourcesCommand).callsFake(async (input) => {
    const wanted = input.TagFilters ?? [];
    const all = account.alarms
      .filter((a) => a.AlarmArn !== undefined)
      .map((a) => ({ ResourceARN: a.AlarmArn, Tags: account.alarmTags[a.AlarmArn ?? ""] ?? [] }))
      .filter((r) => r.Tags.length > 0)
      .filter((r) =>
        wanted.every((f: { Key?: string; Values?: string[] }) =>
          r.Tags.some((t) => t.Key === f.Key && (f.Values ?? []).includes(t.Value ?? "")),
        ),
      );
    const p = page(all, input.PaginationToken, Math.min(account.pageSize, input.ResourcesPerPage ?? 100));
    return { ...meta, ResourceTagMappingList: p.items, PaginationToken: p.next ?? "" };
  });

  /** Names of every command any client received, in order per client. */
  const commandNames = (): string[] =>
    [efs, lambda, ec2, sfn, iam, cloudwatch, tagging].flatMap((m) =>
      m.calls().map((c) => (c.args[0] as object).constructor.name),
    );

  return { clients, efs, lambda, ec2, sfn, iam, cloudwatch, tagging, commandNames };
}
