/**
 * Generic builders for emulator state: a VPC with one private subnet per AZ and security groups,
 * file systems, mount targets, access points and VPC-attached Lambda functions. Each returns the
 * ids it created. No test scenarios here: tests compose these.
 */
import { crc32 } from "node:zlib";
import { PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateAccessPointCommand,
  CreateFileSystemCommand,
  CreateMountTargetCommand,
  type PerformanceMode,
  type PosixUser,
  type RootDirectory,
  type ThroughputMode,
} from "@aws-sdk/client-efs";
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { CreateFunctionCommand, type LoggingConfig, type Runtime } from "@aws-sdk/client-lambda";
import type { AwsClients } from "../../src/aws/clients";
import { ensureEmulatorLambdaRole, LAMBDA_ASSUME_ROLE_POLICY } from "../../src/emulator/iam-role";
import { alarmTags, desiredAlarm } from "../../src/plan/alarm-definitions";
import { metricAlarmSettings } from "../../src/reconcilers/alarms";
import { emulatorEndpoint } from "./emulator";

export type Tags = Record<string, string>;

function efsTags(tags: Tags | undefined): { Key: string; Value: string }[] {
  return Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`emulator returned no ${what}`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Network

export interface SeedNetworkOptions {
  /** One private subnet per AZ, in this order. Default: us-east-1a, us-east-1b. */
  azs?: string[];
  /** VPC CIDR, a /16; subnets are its /24s. Default 10.0.0.0/16. */
  cidr?: string;
  /** Name tag prefix. Default "efs-reconciler-test". */
  name?: string;
}

export interface SeededSubnet {
  az: string;
  subnetId: string;
  cidr: string;
}

export interface SeededNetwork {
  vpcId: string;
  subnets: SeededSubnet[];
  /** Same order as `subnets`. */
  subnetIds: string[];
  /** The VPC's default group (AWS gives it to mount targets created without groups). */
  defaultSecurityGroupId: string;
  /** An empty group (no ingress) meant for mount targets. */
  efsSecurityGroupId: string;
  /** An empty group (no ingress) meant for Lambda functions. */
  lambdaSecurityGroupId: string;
}

export async function seedNetwork(
  clients: AwsClients,
  options: SeedNetworkOptions = {},
): Promise<SeededNetwork> {
  const azs = options.azs ?? ["us-east-1a", "us-east-1b"];
  const cidr = options.cidr ?? "10.0.0.0/16";
  const name = options.name ?? "efs-reconciler-test";
  const prefix = cidr.split(".").slice(0, 2).join(".");

  const vpc = await clients.ec2.send(
    new CreateVpcCommand({
      CidrBlock: cidr,
      TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "Name", Value: name }] }],
    }),
  );
  const vpcId = required(vpc.Vpc?.VpcId, "VpcId");

  const subnets: SeededSubnet[] = [];
  for (const [i, az] of azs.entries()) {
    const subnetCidr = `${prefix}.${i}.0/24`;
    const subnet = await clients.ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: subnetCidr,
        AvailabilityZone: az,
        TagSpecifications: [
          { ResourceType: "subnet", Tags: [{ Key: "Name", Value: `${name}-private-${az}` }] },
        ],
      }),
    );
    subnets.push({ az, subnetId: required(subnet.Subnet?.SubnetId, "SubnetId"), cidr: subnetCidr });
  }

  const createGroup = async (groupName: string, description: string): Promise<string> => {
    const group = await clients.ec2.send(
      new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: groupName, Description: description }),
    );
    return required(group.GroupId, "GroupId");
  };
  const efsSecurityGroupId = await createGroup(`${name}-efs`, "EFS mount targets");
  const lambdaSecurityGroupId = await createGroup(`${name}-lambda`, "Lambda functions");

  const defaults = await clients.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: "vpc-id", Values: [vpcId] },
        { Name: "group-name", Values: ["default"] },
      ],
    }),
  );
  const defaultSecurityGroupId = required(defaults.SecurityGroups?.[0]?.GroupId, "default security group");

  return {
    vpcId,
    subnets,
    subnetIds: subnets.map((s) => s.subnetId),
    defaultSecurityGroupId,
    efsSecurityGroupId,
    lambdaSecurityGroupId,
  };
}

/** Allows NFS (TCP 2049) into `groupId` from members of `sourceGroupId`; returns the rule id. */
export async function authorizeNfsIngress(
  clients: AwsClients,
  options: { groupId: string; sourceGroupId: string },
): Promise<string> {
  const out = await clients.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: options.groupId,
      IpPermissions: [
        {
          IpProtocol: "tcp",
          FromPort: 2049,
          ToPort: 2049,
          UserIdGroupPairs: [{ GroupId: options.sourceGroupId }],
        },
      ],
    }),
  );
  return required(out.SecurityGroupRules?.[0]?.SecurityGroupRuleId, "SecurityGroupRuleId");
}

// ---------------------------------------------------------------------------------------------
// EFS

let tokenCounter = 0;
function uniqueToken(prefix: string): string {
  tokenCounter += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${tokenCounter}`;
}

export interface SeedFileSystemOptions {
  creationToken?: string;
  tags?: Tags;
  encrypted?: boolean;
  performanceMode?: PerformanceMode;
  throughputMode?: ThroughputMode;
  provisionedThroughputInMibps?: number;
  /** Automatic backups (the file system's backup policy ENABLED). Default false. */
  backup?: boolean;
}

export interface SeededFileSystem {
  fileSystemId: string;
  fileSystemArn: string;
}

export async function seedFileSystem(
  clients: AwsClients,
  options: SeedFileSystemOptions = {},
): Promise<SeededFileSystem> {
  const out = await clients.efs.send(
    new CreateFileSystemCommand({
      CreationToken: options.creationToken ?? uniqueToken("fs"),
      Tags: efsTags(options.tags),
      ...(options.encrypted !== undefined ? { Encrypted: options.encrypted } : {}),
      ...(options.performanceMode ? { PerformanceMode: options.performanceMode } : {}),
      ...(options.throughputMode ? { ThroughputMode: options.throughputMode } : {}),
      ...(options.provisionedThroughputInMibps !== undefined
        ? { ProvisionedThroughputInMibps: options.provisionedThroughputInMibps }
        : {}),
      ...(options.backup !== undefined ? { Backup: options.backup } : {}),
    }),
  );
  return {
    fileSystemId: required(out.FileSystemId, "FileSystemId"),
    fileSystemArn: required(out.FileSystemArn, "FileSystemArn"),
  };
}

export interface SeedMountTargetsOptions {
  fileSystemId: string;
  /** One mount target per subnet (one subnet per AZ). */
  subnetIds: string[];
  /** Default: none given, so AWS attaches the VPC's default group. */
  securityGroupIds?: string[];
}

export interface SeededMountTarget {
  mountTargetId: string;
  subnetId: string;
  availabilityZoneName: string;
  networkInterfaceId: string;
}

export async function seedMountTargets(
  clients: AwsClients,
  options: SeedMountTargetsOptions,
): Promise<SeededMountTarget[]> {
  const created: SeededMountTarget[] = [];
  for (const subnetId of options.subnetIds) {
    const out = await clients.efs.send(
      new CreateMountTargetCommand({
        FileSystemId: options.fileSystemId,
        SubnetId: subnetId,
        ...(options.securityGroupIds ? { SecurityGroups: options.securityGroupIds } : {}),
      }),
    );
    created.push({
      mountTargetId: required(out.MountTargetId, "MountTargetId"),
      subnetId,
      availabilityZoneName: required(out.AvailabilityZoneName, "AvailabilityZoneName"),
      networkInterfaceId: required(out.NetworkInterfaceId, "NetworkInterfaceId"),
    });
  }
  return created;
}

export interface SeedAccessPointOptions {
  fileSystemId: string;
  posixUser?: PosixUser;
  rootDirectory?: RootDirectory;
  tags?: Tags;
  clientToken?: string;
}

export interface SeededAccessPoint {
  accessPointId: string;
  accessPointArn: string;
}

export async function seedAccessPoint(
  clients: AwsClients,
  options: SeedAccessPointOptions,
): Promise<SeededAccessPoint> {
  const out = await clients.efs.send(
    new CreateAccessPointCommand({
      FileSystemId: options.fileSystemId,
      ClientToken: options.clientToken ?? uniqueToken("ap"),
      Tags: efsTags(options.tags),
      ...(options.posixUser ? { PosixUser: options.posixUser } : {}),
      ...(options.rootDirectory ? { RootDirectory: options.rootDirectory } : {}),
    }),
  );
  return {
    accessPointId: required(out.AccessPointId, "AccessPointId"),
    accessPointArn: required(out.AccessPointArn, "AccessPointArn"),
  };
}

// ---------------------------------------------------------------------------------------------
// Lambda

/** A valid zip archive holding one `index.mjs` handler; the emulator never runs it. */
export function tinyLambdaZip(source = "export const handler = async () => ({ ok: true });\n"): Uint8Array {
  const name = Buffer.from("index.mjs");
  const data = Buffer.from(source);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4); // version made by
  central.writeUInt16LE(20, 6); // version needed
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  const centralOffset = local.length + name.length + data.length;
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return new Uint8Array(Buffer.concat([local, name, data, central, name, end]));
}

export interface SeedFunctionOptions {
  functionName: string;
  vpc?: { subnetIds: string[]; securityGroupIds: string[] };
  /** Needs `vpc`, as in AWS. */
  fileSystem?: { accessPointArn: string; localMountPath: string };
  timeout?: number;
  memorySize?: number;
  runtime?: Runtime;
  handler?: string;
  environment?: Record<string, string>;
  loggingConfig?: LoggingConfig;
  tags?: Tags;
  /** Default: a role created in the emulator's IAM (moto requires the role to exist). */
  roleArn?: string;
}

export interface SeededFunction {
  functionName: string;
  functionArn: string;
}

export async function seedFunction(
  clients: AwsClients,
  options: SeedFunctionOptions,
): Promise<SeededFunction> {
  const roleArn = options.roleArn ?? (await ensureEmulatorLambdaRole(emulatorEndpoint()));
  const out = await clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: options.functionName,
      Role: roleArn,
      Runtime: options.runtime ?? "nodejs22.x",
      Handler: options.handler ?? "index.handler",
      Code: { ZipFile: tinyLambdaZip() },
      ...(options.timeout !== undefined ? { Timeout: options.timeout } : {}),
      ...(options.memorySize !== undefined ? { MemorySize: options.memorySize } : {}),
      ...(options.vpc
        ? { VpcConfig: { SubnetIds: options.vpc.subnetIds, SecurityGroupIds: options.vpc.securityGroupIds } }
        : {}),
      ...(options.fileSystem
        ? {
            FileSystemConfigs: [
              { Arn: options.fileSystem.accessPointArn, LocalMountPath: options.fileSystem.localMountPath },
            ],
          }
        : {}),
      ...(options.environment ? { Environment: { Variables: options.environment } } : {}),
      ...(options.loggingConfig ? { LoggingConfig: options.loggingConfig } : {}),
      ...(options.tags ? { Tags: options.tags } : {}),
    }),
  );
  return {
    functionName: required(out.FunctionName, "FunctionName"),
    functionArn: required(out.FunctionArn, "FunctionArn"),
  };
}

// ---------------------------------------------------------------------------------------------
// IAM

/** An IAM policy document (JSON-serialisable). */
export type PolicyDocument = { Version?: string; Statement: object[] };

/** A policy document with the least-privilege EFS client statement (read-write by default). */
export function efsClientPolicy(
  fileSystemArn: string,
  actions: string[] = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: actions, Resource: fileSystemArn }],
  };
}

export interface SeedRoleOptions {
  roleName: string;
  /** Inline policies by name. */
  inlinePolicies?: Record<string, PolicyDocument>;
  /** Managed policies to attach (AWS managed ones such as `arn:aws:iam::aws:policy/…` exist). */
  managedPolicyArns?: string[];
}

export interface SeededRole {
  roleName: string;
  roleArn: string;
}

/** A Lambda execution role with the given inline and managed policies. */
export async function seedRole(clients: AwsClients, options: SeedRoleOptions): Promise<SeededRole> {
  const out = await clients.iam.send(
    new CreateRoleCommand({
      RoleName: options.roleName,
      AssumeRolePolicyDocument: LAMBDA_ASSUME_ROLE_POLICY,
    }),
  );
  for (const [name, doc] of Object.entries(options.inlinePolicies ?? {})) {
    await clients.iam.send(
      new PutRolePolicyCommand({
        RoleName: options.roleName,
        PolicyName: name,
        PolicyDocument: JSON.stringify(doc),
      }),
    );
  }
  for (const arn of options.managedPolicyArns ?? []) {
    await clients.iam.send(new AttachRolePolicyCommand({ RoleName: options.roleName, PolicyArn: arn }));
  }
  return { roleName: options.roleName, roleArn: required(out.Role?.Arn, "role ARN") };
}

/** A customer managed policy; returns its ARN. */
export async function seedManagedPolicy(
  clients: AwsClients,
  options: { policyName: string; document: PolicyDocument },
): Promise<string> {
  const out = await clients.iam.send(
    new CreatePolicyCommand({
      PolicyName: options.policyName,
      PolicyDocument: JSON.stringify(options.document),
    }),
  );
  return required(out.Policy?.Arn, "policy ARN");
}

// ---------------------------------------------------------------------------------------------
// Routing

async function mainRouteTableId(clients: AwsClients, vpcId: string): Promise<string> {
  const out = await clients.ec2.send(
    new DescribeRouteTablesCommand({
      Filters: [
        { Name: "vpc-id", Values: [vpcId] },
        { Name: "association.main", Values: ["true"] },
      ],
    }),
  );
  return required(out.RouteTables?.[0]?.RouteTableId, "main route table");
}

export interface SeededRoute {
  routeTableId: string;
  /** `igw-…` or `nat-…`. */
  targetId: string;
}

/**
 * Makes subnets public: an internet gateway attached to the VPC, and a route 0.0.0.0/0 to it in a
 * new route table associated with `subnetIds`, or (`subnetIds` empty) in the VPC's main table.
 */
export async function seedInternetRoute(
  clients: AwsClients,
  options: { vpcId: string; subnetIds: string[] },
): Promise<SeededRoute> {
  const igw = await clients.ec2.send(new CreateInternetGatewayCommand({}));
  const internetGatewayId = required(igw.InternetGateway?.InternetGatewayId, "InternetGatewayId");
  await clients.ec2.send(
    new AttachInternetGatewayCommand({ InternetGatewayId: internetGatewayId, VpcId: options.vpcId }),
  );
  const routeTableId = await routeTableFor(clients, options.vpcId, options.subnetIds);
  await clients.ec2.send(
    new CreateRouteCommand({
      RouteTableId: routeTableId,
      DestinationCidrBlock: "0.0.0.0/0",
      GatewayId: internetGatewayId,
    }),
  );
  return { routeTableId, targetId: internetGatewayId };
}

/**
 * Private subnets with internet egress: a NAT gateway in `natSubnetId`, and a route 0.0.0.0/0 to
 * it in a new route table associated with `subnetIds`.
 */
export async function seedNatRoute(
  clients: AwsClients,
  options: { vpcId: string; subnetIds: string[]; natSubnetId: string },
): Promise<SeededRoute> {
  const eip = await clients.ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
  const nat = await clients.ec2.send(
    new CreateNatGatewayCommand({ SubnetId: options.natSubnetId, AllocationId: eip.AllocationId }),
  );
  const natGatewayId = required(nat.NatGateway?.NatGatewayId, "NatGatewayId");
  const routeTableId = await routeTableFor(clients, options.vpcId, options.subnetIds);
  await clients.ec2.send(
    new CreateRouteCommand({
      RouteTableId: routeTableId,
      DestinationCidrBlock: "0.0.0.0/0",
      NatGatewayId: natGatewayId,
    }),
  );
  return { routeTableId, targetId: natGatewayId };
}

/** A new route table associated with `subnetIds`, or the VPC's main table when there are none. */
async function routeTableFor(clients: AwsClients, vpcId: string, subnetIds: string[]): Promise<string> {
  if (subnetIds.length === 0) return mainRouteTableId(clients, vpcId);
  const table = await clients.ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
  const routeTableId = required(table.RouteTable?.RouteTableId, "RouteTableId");
  for (const subnetId of subnetIds) {
    await clients.ec2.send(
      new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId }),
    );
  }
  return routeTableId;
}

// ---------------------------------------------------------------------------------------------
// CloudWatch

export interface SeedAlarmOptions {
  alarmName: string;
  fileSystemId: string;
  metricName?: "PercentIOLimit" | "BurstCreditBalance";
  threshold?: number;
  period?: number;
  tags?: Tags;
  alarmActions?: string[];
}

/** A metric alarm on an EFS metric of `fileSystemId` (PercentIOLimit ≥ 90 over 5 minutes by default). */
export async function seedAlarm(clients: AwsClients, options: SeedAlarmOptions): Promise<void> {
  await clients.cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: options.alarmName,
      Namespace: "AWS/EFS",
      MetricName: options.metricName ?? "PercentIOLimit",
      Dimensions: [{ Name: "FileSystemId", Value: options.fileSystemId }],
      Statistic: "Maximum",
      Period: options.period ?? 300,
      EvaluationPeriods: 1,
      Threshold: options.threshold ?? 90,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      ...(options.alarmActions ? { AlarmActions: options.alarmActions } : {}),
      ...(options.tags ? { Tags: efsTags(options.tags) } : {}),
    }),
  );
}

/**
 * The alarm efs-reconciler keeps on a file system by default (PercentIOLimit ≥ `threshold`),
 * exactly as its reconciler creates it, tagged managed: a deployment that already has it.
 */
export async function seedManagedAlarm(
  clients: AwsClients,
  fileSystemId: string,
  threshold = 90,
): Promise<string> {
  const def = desiredAlarm(fileSystemId, "percentIOLimit", {
    percentIOLimit: threshold,
    burstCreditBalanceBytes: false,
  });
  if (!def) throw new Error("no alarm definition");
  await clients.cloudwatch.send(
    new PutMetricAlarmCommand({ ...metricAlarmSettings(def), Tags: alarmTags() }),
  );
  return def.alarmName;
}

/**
 * Grants an existing role exactly the EFS access a read-write function needs on one file system
 * (an inline policy named after the file system, so grants on several file systems add up).
 */
export async function grantEfsClient(
  clients: AwsClients,
  options: { roleArn: string; fileSystemId: string; fileSystemArn: string },
): Promise<void> {
  const roleName = options.roleArn.slice(options.roleArn.lastIndexOf("/") + 1);
  await clients.iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: `efs-client-${options.fileSystemId}`,
      PolicyDocument: JSON.stringify(efsClientPolicy(options.fileSystemArn)),
    }),
  );
}
