/**
 * A read-only snapshot of the live account: plain data, absence as a value. Produced only by
 * `observe()`; consumed by the pure diff.
 */

export interface ObservedMountTarget {
  mountTargetId: string;
  fileSystemId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  lifeCycleState: string;
  networkInterfaceId?: string;
  /** Security groups of the mount target (read through its network interface). */
  securityGroupIds: string[];
}

export interface ObservedAccessPoint {
  accessPointId: string;
  accessPointArn: string;
  fileSystemId: string;
  lifeCycleState: string;
  tags: Record<string, string>;
  posixUser?: { uid: number; gid: number; secondaryGids: number[] };
  rootDirectory: {
    path: string;
    creationInfo?: { ownerUid: number; ownerGid: number; permissions: string };
  };
}

export interface ObservedFileSystem {
  fileSystemId: string;
  fileSystemArn: string;
  name?: string;
  tags: Record<string, string>;
  encrypted: boolean;
  performanceMode: string;
  throughputMode: string;
  provisionedThroughputInMibps?: number;
  lifeCycleState: string;
  /** Canonical: absent transitions are "NONE". Other policies (archive) are kept verbatim. */
  lifecycle: {
    transitionToIA: string;
    transitionToPrimaryStorageClass: string;
    transitionToArchive?: string;
  };
  /** "ENABLED" | "DISABLED" (ENABLING/DISABLING folded); undefined when not read (not managed). */
  backupPolicy?: string;
  mountTargets: ObservedMountTarget[];
  accessPoints: ObservedAccessPoint[];
}

/** How a FileSystem manifest resolved against the account. */
export type FileSystemLookup =
  | { found: true; fileSystem: ObservedFileSystem }
  | { found: false; reason: string; candidates: string[] };

export interface ObservedFunction {
  functionName: string;
  functionArn: string;
  role?: string;
  timeout: number;
  /** Undefined when the function is not in a VPC (no VpcConfig or no subnets). */
  vpcConfig?: { vpcId?: string; subnetIds: string[]; securityGroupIds: string[] };
  fileSystemConfigs: { arn: string; localMountPath: string }[];
  lastUpdateStatus?: string;
  state?: string;
}

export type FunctionLookup = { found: true; fn: ObservedFunction } | { found: false };

export interface ObservedSubnet {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
}

/** One security-group rule, one source per rule (as DescribeSecurityGroupRules returns them). */
export interface SecurityGroupRule {
  ruleId: string;
  groupId: string;
  isEgress: boolean;
  /** "-1" for all traffic, else "tcp" | "udp" | "icmp" | number as string. Lower case. */
  ipProtocol: string;
  fromPort: number;
  toPort: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  prefixListId?: string;
  referencedGroupId?: string;
}

export interface ObservedSecurityGroup {
  groupId: string;
  vpcId: string;
  groupName?: string;
  rules: SecurityGroupRule[];
}

export interface ObservedState {
  region: string;
  /** Keyed by FileSystem manifest name. */
  fileSystems: Record<string, FileSystemLookup>;
  /** Keyed by LambdaFunction manifest name. */
  functions: Record<string, FunctionLookup>;
  /**
   * Access point ARN -> names of every function in the region mounting it (from one paginated
   * ListFunctions sweep). Used for adoption, orphan detection and delete safety.
   */
  mountedBy: Record<string, string[]>;
  /** Every subnet the diff needs, keyed by id (absent id = does not exist). */
  subnets: Record<string, ObservedSubnet>;
  /**
   * Subnets of a VPC by AZ, read only when a manifest requires an AZ no bound function covers
   * (`mountTargets.availabilityZones`). Keyed by VPC id.
   */
  vpcSubnets: Record<string, ObservedSubnet[]>;
  /** Every security group the diff needs, keyed by id (absent id = does not exist). */
  securityGroups: Record<string, ObservedSecurityGroup>;
}
