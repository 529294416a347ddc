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
  /** `LoggingConfig.LogFormat` ("JSON" | "Text"); undefined when Lambda reported none (not checked). */
  logFormat?: string;
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

/** One route of a route table (only the fields the public-subnet check reads). */
export interface ObservedRoute {
  destinationCidrBlock?: string;
  destinationIpv6CidrBlock?: string;
  /** `igw-…` for an internet gateway, `local`, `vgw-…`… */
  gatewayId?: string;
  natGatewayId?: string;
  transitGatewayId?: string;
  vpcPeeringConnectionId?: string;
  networkInterfaceId?: string;
  /** "active" | "blackhole". */
  state?: string;
}

export interface ObservedRouteTable {
  routeTableId: string;
  vpcId: string;
  /** Whether this is its VPC's main route table (used by subnets without an explicit association). */
  main: boolean;
  /** Subnets explicitly associated with this table. */
  subnetIds: string[];
  routes: ObservedRoute[];
}

/** One policy document attached to a role, decoded (IAM returns them URL-encoded). */
export interface ObservedPolicy {
  kind: "inline" | "managed";
  /** The inline policy name, or the managed policy name. */
  name: string;
  /** Managed policies only. */
  arn?: string;
  /** The JSON text of the document (the default version, for a managed policy). */
  document: string;
}

export interface ObservedRole {
  roleArn: string;
  roleName: string;
  /** False when IAM has no such role (the function's role was deleted). */
  found: boolean;
  /** Inline policies first (by name), then attached managed policies (by ARN). */
  policies: ObservedPolicy[];
}

/** IAM as the least-privilege check sees it. */
export interface ObservedIam {
  /** Execution roles of the manifests' functions, keyed by role ARN. */
  roles: Record<string, ObservedRole>;
  /** File-system policy JSON text by file-system id; `null`: the file system has none. */
  fileSystemPolicies: Record<string, string | null>;
}

/** A CloudWatch metric alarm on one of the manifests' file systems (named with efs-reconciler's prefix). */
export interface ObservedAlarm {
  alarmName: string;
  alarmArn: string;
  alarmDescription?: string;
  namespace?: string;
  metricName?: string;
  /** Sorted by name. */
  dimensions: { name: string; value: string }[];
  statistic?: string;
  extendedStatistic?: string;
  period?: number;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  threshold?: number;
  comparisonOperator?: string;
  treatMissingData?: string;
  actionsEnabled?: boolean;
  tags: Record<string, string>;
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
  /**
   * The route tables that decide whether the functions' and mount targets' subnets are public:
   * those explicitly associated with them and the main tables of their VPCs, keyed by id.
   * Absent: not observed (the public-subnet checks are skipped).
   */
  routeTables?: Record<string, ObservedRouteTable>;
  /** Absent: not observed (the IAM checks are skipped). */
  iam?: ObservedIam;
  /**
   * efs-reconciler's alarms (name prefix `efs-reconciler-<fileSystemId>-`) of the manifests'
   * file systems, keyed by alarm name. Absent: not observed (the alarm check is skipped).
   */
  alarms?: Record<string, ObservedAlarm>;
}
