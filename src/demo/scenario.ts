/**
 * The built-in demo: a realistic, drifted EFS + Lambda deployment (an ML-models and LanceDB file
 * system shared by a search API and an embeddings worker), seeded into the local emulator, and the
 * manifests that describe how it should be.
 *
 * Drift seeded on purpose: no lifecycle policy, no mount target in the search API's third AZ, the
 * mount-target security group open to 0.0.0.0/0 on NFS and to 10.0.0.0/8 on SSH, the functions
 * mounting an access point that runs as root, the search API with a 3 s timeout, both functions
 * writing plain-text logs, and no CloudWatch alarm on the file system.
 *
 * Already in line with the checklist (so `apply` converges): private subnets (no internet
 * gateway), and an execution role granted exactly ClientMount and ClientWrite on the file system.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
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
} from "@aws-sdk/client-efs";
import { AttachRolePolicyCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import type { AwsClients } from "../aws/clients";
import { roleNameOf } from "../observe/read-iam-policies";
import { minimalStatement } from "../plan/iam-policy";

export const DEMO_AZS = ["us-east-1a", "us-east-1b", "us-east-1c"] as const;

export interface DemoIds {
  vpcId: string;
  subnetIds: string[];
  mountTargetSecurityGroupId: string;
  functionSecurityGroupId: string;
  fileSystemId: string;
  rootAccessPointId: string;
  functions: { search: string; embeddings: string };
}

/** A minimal deployment package (an empty zip archive): the emulator never runs the code. */
const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

export async function seedDemo(clients: AwsClients, roleArn: string): Promise<DemoIds> {
  const { ec2, efs, lambda } = clients;
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.20.0.0/16" }));
  const vpcId = vpc.Vpc?.VpcId ?? "";
  const subnetIds: string[] = [];
  for (const [i, az] of DEMO_AZS.entries()) {
    const subnet = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.20.${i}.0/24`, AvailabilityZone: az }),
    );
    subnetIds.push(subnet.Subnet?.SubnetId ?? "");
  }
  const mtSg = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: "ml-data-mount-targets",
      Description: "EFS mount targets of ml-data",
      VpcId: vpcId,
    }),
  );
  const fnSg = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: "ml-lambdas",
      Description: "ML Lambda functions",
      VpcId: vpcId,
    }),
  );
  const mountTargetSecurityGroupId = mtSg.GroupId ?? "";
  const functionSecurityGroupId = fnSg.GroupId ?? "";
  // Someone "temporarily" opened NFS to the world and SSH to the corporate range.
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: mountTargetSecurityGroupId,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 2049, ToPort: 2049, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
      ],
    }),
  );

  const fs = await efs.send(
    new CreateFileSystemCommand({
      CreationToken: "suplementia-efs",
      Encrypted: true,
      PerformanceMode: "generalPurpose",
      ThroughputMode: "bursting",
      Tags: [
        { Key: "Name", Value: "suplementia-efs" },
        { Key: "app", Value: "suplementia" },
      ],
    }),
  );
  const fileSystemId = fs.FileSystemId ?? "";
  await grantDemoRole(clients, roleArn, fs.FileSystemArn ?? "");
  // Mount targets in two of the three AZs only.
  for (const subnetId of subnetIds.slice(0, 2)) {
    await efs.send(
      new CreateMountTargetCommand({
        FileSystemId: fileSystemId,
        SubnetId: subnetId,
        SecurityGroups: [mountTargetSecurityGroupId],
      }),
    );
  }
  const ap = await efs.send(
    new CreateAccessPointCommand({
      FileSystemId: fileSystemId,
      ClientToken: "demo-root-access-point",
      PosixUser: { Uid: 0, Gid: 0 },
      RootDirectory: { Path: "/lambda", CreationInfo: { OwnerUid: 0, OwnerGid: 0, Permissions: "777" } },
      Tags: [{ Key: "Name", Value: "lambda-root" }],
    }),
  );
  const rootAccessPointId = ap.AccessPointId ?? "";
  const apArn = ap.AccessPointArn ?? "";

  const createFunction = async (name: string, subnets: string[], timeout: number) => {
    const out = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs22.x",
        Role: roleArn,
        Handler: "index.handler",
        Code: { ZipFile: EMPTY_ZIP },
        Timeout: timeout,
        MemorySize: 1024,
        VpcConfig: { SubnetIds: subnets, SecurityGroupIds: [functionSecurityGroupId] },
        FileSystemConfigs: [{ Arn: apArn, LocalMountPath: "/mnt/efs" }],
      }),
    );
    return out.FunctionArn ?? "";
  };
  const search = await createFunction("suplementia-search", subnetIds, 3);
  const embeddings = await createFunction("suplementia-embeddings", subnetIds.slice(0, 2), 60);
  return {
    vpcId,
    subnetIds,
    mountTargetSecurityGroupId,
    functionSecurityGroupId,
    fileSystemId,
    rootAccessPointId,
    functions: { search, embeddings },
  };
}

/**
 * The functions' execution role: the AWS managed policy a function in a VPC needs, and an inline
 * policy with exactly the EFS access the manifests ask for (read-write on the demo file system).
 */
async function grantDemoRole(clients: AwsClients, roleArn: string, fileSystemArn: string): Promise<void> {
  const roleName = roleNameOf(roleArn);
  if (!roleName) throw new Error(`demo role ${roleArn} is not an IAM role ARN`);
  await clients.iam.send(
    new AttachRolePolicyCommand({
      RoleName: roleName,
      PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
    }),
  );
  await clients.iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: "suplementia-efs-client",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [minimalStatement(fileSystemArn, "readWrite")],
      }),
    }),
  );
}

/** The demo's manifests (modelled on the documented examples), with the seeded security group. */
export function demoManifests(ids: Pick<DemoIds, "mountTargetSecurityGroupId">): Record<string, string> {
  return {
    "efs.yaml": `# yaml-language-server: $schema=../../../schema/manifest.schema.json
# The shared file system that holds ML models and LanceDB databases.
apiVersion: efs-reconciler.io/v1alpha1
kind: FileSystem
metadata:
  name: ml-data
  labels:
    app: suplementia
spec:
  selector:
    tags:
      Name: suplementia-efs
  encrypted: true
  performanceMode: generalPurpose
  throughputMode: bursting
  lifecyclePolicy:
    transitionToIA: AFTER_30_DAYS
    transitionToPrimaryStorageClass: AFTER_1_ACCESS
  mountTargets:
    securityGroupId: ${ids.mountTargetSecurityGroupId}
  alarms:
    percentIOLimit: 90
---
apiVersion: efs-reconciler.io/v1alpha1
kind: AccessPoint
metadata:
  name: lambda
spec:
  fileSystem: ml-data
  posixUser:
    uid: 1000
    gid: 1000
  rootDirectory:
    path: /lambda
    creationInfo:
      ownerUid: 1000
      ownerGid: 1000
      permissions: "755"
`,
    "functions.yaml": `# Functions that mount the file system at /mnt/efs through the "lambda" access point.
apiVersion: efs-reconciler.io/v1alpha1
kind: LambdaFunction
metadata:
  name: search-api
spec:
  functionName: suplementia-search
  accessPoint: lambda
  mountPath: /mnt/efs
  timeoutSeconds:
    min: 30
    max: 60
  minAvailabilityZones: 2
  access: readWrite
  logFormat: JSON
---
apiVersion: efs-reconciler.io/v1alpha1
kind: LambdaFunction
metadata:
  name: embeddings-worker
spec:
  functionName: suplementia-embeddings
  accessPoint: lambda
`,
  };
}

export async function writeDemoManifests(
  dir: string,
  ids: Pick<DemoIds, "mountTargetSecurityGroupId">,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(demoManifests(ids))) {
    await writeFile(join(dir, file), text);
  }
}
