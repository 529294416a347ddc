/**
 * The synthetic fleet: N converged "apps", each one file system with two mount targets, one
 * access point and two VPC functions mounting it (JSON logs), its own mount-target security group
 * (NFS allowed from its team's function group only), the default lifecycle policy, the default
 * PercentIOLimit alarm (as efs-reconciler makes it), and on every fourth file system a managed
 * backup policy. One "team" per 100 apps: a VPC (three private /20 subnets in three AZs, under
 * AWS's 400 mount targets per VPC), one security group for its functions, and one execution role
 * whose inline policy grants ClientMount and ClientWrite on exactly its apps' file systems (an
 * inline policy holds up to 10,240 characters: about 100 file-system ARNs).
 *
 * The fleet only grows (`growFleet`), so the apps of a smaller scale are a prefix of the larger
 * one. Seeding is bulk and concurrent (the emulator's throughput peaks near 16 calls in flight).
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateAccessPointCommand,
  CreateFileSystemCommand,
  CreateMountTargetCommand,
  PutLifecycleConfigurationCommand,
} from "@aws-sdk/client-efs";
import { CreateRoleCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import type { AwsClients } from "../../src/aws/clients";
import { createLimiter, type Limiter } from "../../src/observe/limiter";
import { desiredAlarm } from "../../src/plan/alarm-definitions";
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, NAME_TAG } from "../../src/reconcilers/access-point-identity";

export const APPS_PER_VPC = 100;
export const FLEET_AZS = ["us-east-1a", "us-east-1b", "us-east-1c"] as const;
/** AZs the functions (and so the mount targets) of every app use. */
export const APP_AZS = 2;
export const FUNCTIONS_PER_APP = 2;
export const SEED_CONCURRENCY = 16;
/** Rules per app: NFS ingress and default egress of its mount-target group. */
export const RULES_PER_APP = 2;
/** Rules per team: default egress of its function group. */
export const RULES_PER_TEAM = 1;

export interface FleetVpc {
  vpcId: string;
  subnetIds: string[];
  roleName: string;
  roleArn: string;
  /** The team's functions' security group. */
  functionSecurityGroupId: string;
}

export interface FleetApp {
  index: number;
  fileSystemId: string;
  fileSystemArn: string;
  accessPointId: string;
  accessPointArn: string;
  mountTargetSecurityGroupId: string;
  functionSecurityGroupId: string;
  functionNames: string[];
  subnetIds: string[];
  backupManaged: boolean;
}

export interface Fleet {
  vpcs: FleetVpc[];
  apps: FleetApp[];
}

export function emptyFleet(): Fleet {
  return { vpcs: [], apps: [] };
}

/** Counts the fleet holds for its first `apps` apps. */
export function fleetCounts(apps: number): {
  fileSystems: number;
  accessPoints: number;
  functions: number;
  mountTargets: number;
  securityGroups: number;
  securityGroupRules: number;
  alarms: number;
  roles: number;
  vpcs: number;
  subnets: number;
  backupManaged: number;
} {
  const vpcs = Math.ceil(apps / APPS_PER_VPC);
  return {
    fileSystems: apps,
    accessPoints: apps,
    functions: apps * FUNCTIONS_PER_APP,
    mountTargets: apps * APP_AZS,
    securityGroups: apps + vpcs,
    securityGroupRules: apps * RULES_PER_APP + vpcs * RULES_PER_TEAM,
    alarms: apps,
    roles: vpcs,
    vpcs,
    subnets: vpcs * APP_AZS,
    backupManaged: Math.ceil(apps / 4),
  };
}

const pad = (i: number): string => String(i).padStart(4, "0");
export const appName = (i: number): string => `app-${pad(i)}`;
export const functionName = (i: number, f: number): string => `bench-${appName(i)}-fn${f}`;

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the emulator returned no ${what}`);
  return value;
}

const ASSUME_LAMBDA = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

async function createVpc(clients: AwsClients, v: number): Promise<FleetVpc> {
  const roleName = `bench-team-${v}`;
  const role = await clients.iam.send(
    new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: ASSUME_LAMBDA }),
  );
  const roleArn = must(role.Role?.Arn, "role ARN");
  const vpc = await clients.ec2.send(new CreateVpcCommand({ CidrBlock: `10.${v}.0.0/16` }));
  const vpcId = must(vpc.Vpc?.VpcId, "VpcId");
  const subnetIds: string[] = [];
  for (const [i, az] of FLEET_AZS.entries()) {
    const subnet = await clients.ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.${v}.${i * 16}.0/20`, AvailabilityZone: az }),
    );
    subnetIds.push(must(subnet.Subnet?.SubnetId, "SubnetId"));
  }
  const fnSg = await clients.ec2.send(
    new CreateSecurityGroupCommand({
      VpcId: vpcId,
      GroupName: `team-${v}-fn`,
      Description: `team ${v} Lambda`,
    }),
  );
  return { vpcId, subnetIds, roleName, roleArn, functionSecurityGroupId: must(fnSg.GroupId, "GroupId") };
}

/** The team role's only policy: EFS client access (mount, write) on exactly its apps' file systems. */
async function grantTeamAccess(clients: AwsClients, vpc: FleetVpc, apps: readonly FleetApp[]): Promise<void> {
  await clients.iam.send(
    new PutRolePolicyCommand({
      RoleName: vpc.roleName,
      PolicyName: "efs-client",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            Resource: apps.map((a) => a.fileSystemArn),
          },
        ],
      }),
    }),
  );
}

async function seedApp(clients: AwsClients, limit: Limiter, vpc: FleetVpc, i: number): Promise<FleetApp> {
  const { ec2, efs, lambda } = clients;
  const name = appName(i);
  const backupManaged = i % 4 === 0;
  const [fs, mtSg] = await Promise.all([
    limit(() =>
      efs.send(
        new CreateFileSystemCommand({
          CreationToken: `bench-${name}`,
          Encrypted: true,
          PerformanceMode: "generalPurpose",
          ThroughputMode: "bursting",
          Backup: backupManaged,
          Tags: [{ Key: "Name", Value: name }],
        }),
      ),
    ),
    limit(() =>
      ec2.send(
        new CreateSecurityGroupCommand({
          VpcId: vpc.vpcId,
          GroupName: `${name}-efs`,
          Description: `${name} EFS`,
        }),
      ),
    ),
  ]);
  const fileSystemId = must(fs.FileSystemId, "FileSystemId");
  const mountTargetSecurityGroupId = must(mtSg.GroupId, "GroupId");
  const functionSecurityGroupId = vpc.functionSecurityGroupId;
  const subnetIds = vpc.subnetIds.slice(0, APP_AZS);
  const [ap] = await Promise.all([
    limit(() =>
      efs.send(
        new CreateAccessPointCommand({
          FileSystemId: fileSystemId,
          ClientToken: `bench-${name}-ap`,
          PosixUser: { Uid: 1000, Gid: 1000 },
          RootDirectory: {
            Path: `/${name}`,
            CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: "755" },
          },
          Tags: [
            { Key: NAME_TAG, Value: name },
            { Key: MANAGED_BY_TAG, Value: MANAGED_BY_VALUE },
          ],
        }),
      ),
    ),
    limit(() =>
      efs.send(
        new PutLifecycleConfigurationCommand({
          FileSystemId: fileSystemId,
          LifecyclePolicies: [
            { TransitionToIA: "AFTER_30_DAYS" },
            { TransitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
          ],
        }),
      ),
    ),
    limit(() =>
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: mountTargetSecurityGroupId,
          IpPermissions: [
            {
              IpProtocol: "tcp",
              FromPort: 2049,
              ToPort: 2049,
              UserIdGroupPairs: [{ GroupId: functionSecurityGroupId }],
            },
          ],
        }),
      ),
    ),
    ...subnetIds.map((subnetId) =>
      limit(() =>
        efs.send(
          new CreateMountTargetCommand({
            FileSystemId: fileSystemId,
            SubnetId: subnetId,
            SecurityGroups: [mountTargetSecurityGroupId],
          }),
        ),
      ),
    ),
  ]);
  const accessPointArn = must(ap.AccessPointArn, "AccessPointArn");
  const alarm = desiredAlarm(fileSystemId, "percentIOLimit", {
    percentIOLimit: 90,
    burstCreditBalanceBytes: false,
  });
  if (alarm) {
    await limit(() =>
      clients.cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: alarm.alarmName,
          AlarmDescription: alarm.alarmDescription,
          Namespace: alarm.namespace,
          MetricName: alarm.metricName,
          Dimensions: [{ Name: "FileSystemId", Value: fileSystemId }],
          Statistic: alarm.statistic,
          Period: alarm.period,
          EvaluationPeriods: alarm.evaluationPeriods,
          DatapointsToAlarm: alarm.datapointsToAlarm,
          Threshold: alarm.threshold,
          ComparisonOperator: alarm.comparisonOperator,
          TreatMissingData: alarm.treatMissingData,
          ActionsEnabled: true,
          Tags: [{ Key: MANAGED_BY_TAG, Value: MANAGED_BY_VALUE }],
        }),
      ),
    );
  }
  const functionNames = Array.from({ length: FUNCTIONS_PER_APP }, (_, f) => functionName(i, f));
  await Promise.all(
    functionNames.map((FunctionName) =>
      limit(() =>
        lambda.send(
          new CreateFunctionCommand({
            FunctionName,
            Runtime: "nodejs22.x",
            Role: vpc.roleArn,
            Handler: "index.handler",
            Code: { ZipFile: EMPTY_ZIP },
            Timeout: 30,
            VpcConfig: { SubnetIds: subnetIds, SecurityGroupIds: [functionSecurityGroupId] },
            FileSystemConfigs: [{ Arn: accessPointArn, LocalMountPath: "/mnt/efs" }],
            LoggingConfig: { LogFormat: "JSON" },
          }),
        ),
      ),
    ),
  );
  return {
    index: i,
    fileSystemId,
    fileSystemArn: must(fs.FileSystemArn, "FileSystemArn"),
    accessPointId: must(ap.AccessPointId, "AccessPointId"),
    accessPointArn,
    mountTargetSecurityGroupId,
    functionSecurityGroupId,
    functionNames,
    subnetIds,
    backupManaged,
  };
}

/** A minimal deployment package (an empty zip archive): the emulator never runs the code. */
const EMPTY_ZIP = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

/** Seeds apps until the fleet has `apps` of them. */
export async function growFleet(clients: AwsClients, fleet: Fleet, apps: number): Promise<void> {
  const limit = createLimiter(SEED_CONCURRENCY);
  const vpcsNeeded = Math.ceil(apps / APPS_PER_VPC);
  while (fleet.vpcs.length < vpcsNeeded) fleet.vpcs.push(await createVpc(clients, fleet.vpcs.length));
  const created = await Promise.all(
    Array.from({ length: apps - fleet.apps.length }, (_, k) => {
      const i = fleet.apps.length + k;
      const vpc = fleet.vpcs[Math.floor(i / APPS_PER_VPC)]!;
      return seedApp(clients, limit, vpc, i);
    }),
  );
  fleet.apps.push(...created);
  const teams = new Set(created.map((a) => Math.floor(a.index / APPS_PER_VPC)));
  for (const v of teams) {
    const vpc = fleet.vpcs[v]!;
    await grantTeamAccess(
      clients,
      vpc,
      fleet.apps.filter((a) => Math.floor(a.index / APPS_PER_VPC) === v),
    );
  }
}

/** The manifests of the first `apps` apps (one file per app), in YAML as users write them. */
export function appManifest(app: FleetApp): string {
  const name = appName(app.index);
  const docs = [
    `apiVersion: efs-reconciler.io/v1alpha1
kind: FileSystem
metadata:
  name: ${name}
spec:
  fileSystemId: ${app.fileSystemId}
  lifecyclePolicy:
    transitionToIA: AFTER_30_DAYS
    transitionToPrimaryStorageClass: AFTER_1_ACCESS
${app.backupManaged ? "  backupPolicy: ENABLED\n" : ""}  mountTargets:
    securityGroupId: ${app.mountTargetSecurityGroupId}
`,
    `apiVersion: efs-reconciler.io/v1alpha1
kind: AccessPoint
metadata:
  name: ${name}
spec:
  fileSystem: ${name}
  posixUser: { uid: 1000, gid: 1000 }
  rootDirectory:
    path: /${name}
    creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "755" }
`,
    ...app.functionNames.map(
      (fn, f) => `apiVersion: efs-reconciler.io/v1alpha1
kind: LambdaFunction
metadata:
  name: ${name}-fn${f}
spec:
  functionName: ${fn}
  accessPoint: ${name}
  mountPath: /mnt/efs
  timeoutSeconds: { min: 30, max: 60 }
  minAvailabilityZones: ${APP_AZS}
`,
    ),
  ];
  return docs.join("---\n");
}

/** Writes the manifests of the first `apps` apps into a fresh `dir`. */
export async function writeFleetManifests(dir: string, fleet: Fleet, apps: number): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await Promise.all(
    fleet.apps
      .slice(0, apps)
      .map((app) => writeFile(join(dir, `${appName(app.index)}.yaml`), appManifest(app))),
  );
}
