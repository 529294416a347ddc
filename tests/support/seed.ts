/**
 * Generic builders for emulator state: a VPC with one private subnet per AZ and security groups,
 * file systems, mount targets, access points and VPC-attached Lambda functions. Each returns the
 * ids it created. No test scenarios here: tests compose these.
 */
import { crc32 } from "node:zlib";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
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
import { CreateFunctionCommand, type LoggingConfig, type Runtime } from "@aws-sdk/client-lambda";
import type { AwsClients } from "../../src/aws/clients";
import { ensureEmulatorLambdaRole } from "../../src/emulator/iam-role";
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
