/**
 * A converged desired/observed pair for the pure diff tests; each case mutates a copy.
 * Two functions in two AZs share one access point on one file system.
 */
import type { DesiredState } from "../../../src/desired-state/types";
import type { ObservedFileSystem, ObservedFunction, ObservedState } from "../../../src/observe/types";

export const FS_ID = "fs-0123456789abcdef0";
export const MT_SG = "sg-0efs0000000000001";
export const FN_SG = "sg-0fn00000000000001";
export const AP_ID = "fsap-0000000000000001";
export const AP_ARN = `arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/${AP_ID}`;

export interface World {
  desired: DesiredState;
  observed: ObservedState;
}

const fnArn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

function liveFunction(name: string): ObservedFunction {
  return {
    functionName: name,
    functionArn: fnArn(name),
    timeout: 45,
    vpcConfig: { vpcId: "vpc-1", subnetIds: ["subnet-0a", "subnet-0b"], securityGroupIds: [FN_SG] },
    fileSystemConfigs: [{ arn: AP_ARN, localMountPath: "/mnt/efs" }],
    logFormat: "JSON",
  };
}

export function converged(): World {
  const src = (file: string, line: number) => ({ file, line, col: 1 });
  const desired: DesiredState = {
    revision: "sha256:test",
    fileSystems: [
      {
        kind: "FileSystem",
        name: "ml-data",
        labels: {},
        source: src("desired-state/efs.yaml", 2),
        spec: {
          selector: { tags: { Name: "ml-data" } },
          encrypted: true,
          performanceMode: "generalPurpose",
          throughputMode: "bursting",
          lifecyclePolicy: {
            transitionToIA: "AFTER_30_DAYS",
            transitionToPrimaryStorageClass: "AFTER_1_ACCESS",
          },
          mountTargets: { securityGroupId: MT_SG, availabilityZones: [], allowedSecurityGroupIds: [] },
          alarms: { percentIOLimit: 90, burstCreditBalanceBytes: false },
        },
      },
    ],
    accessPoints: [
      {
        kind: "AccessPoint",
        name: "lambda",
        labels: {},
        source: src("desired-state/efs.yaml", 20),
        spec: {
          fileSystem: "ml-data",
          posixUser: { uid: 1000, gid: 1000, secondaryGids: [] },
          rootDirectory: {
            path: "/lambda",
            creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "0755" },
          },
        },
      },
    ],
    functions: ["search", "embed"].map((name, i) => ({
      kind: "LambdaFunction" as const,
      name,
      labels: {},
      source: src("desired-state/functions.yaml", 1 + i * 10),
      spec: {
        functionName: name,
        accessPoint: "lambda",
        mountPath: "/mnt/efs",
        timeoutSeconds: { min: 30, max: 60 },
        minAvailabilityZones: 2,
        access: "readWrite" as const,
        logFormat: "JSON" as const,
      },
    })),
  };
  const fs: ObservedFileSystem = {
    fileSystemId: FS_ID,
    fileSystemArn: `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${FS_ID}`,
    tags: { Name: "ml-data" },
    encrypted: true,
    performanceMode: "generalPurpose",
    throughputMode: "bursting",
    lifeCycleState: "available",
    lifecycle: { transitionToIA: "AFTER_30_DAYS", transitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
    mountTargets: [
      {
        mountTargetId: "fsmt-a",
        fileSystemId: FS_ID,
        subnetId: "subnet-0a",
        vpcId: "vpc-1",
        availabilityZone: "us-east-1a",
        lifeCycleState: "available",
        securityGroupIds: [MT_SG],
      },
      {
        mountTargetId: "fsmt-b",
        fileSystemId: FS_ID,
        subnetId: "subnet-0b",
        vpcId: "vpc-1",
        availabilityZone: "us-east-1b",
        lifeCycleState: "available",
        securityGroupIds: [MT_SG],
      },
    ],
    accessPoints: [
      {
        accessPointId: AP_ID,
        accessPointArn: AP_ARN,
        fileSystemId: FS_ID,
        lifeCycleState: "available",
        tags: { "efs-reconciler.io/name": "lambda", "efs-reconciler.io/managed-by": "efs-reconciler" },
        posixUser: { uid: 1000, gid: 1000, secondaryGids: [] },
        rootDirectory: {
          path: "/lambda",
          creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "755" },
        },
      },
    ],
  };
  const observed: ObservedState = {
    region: "us-east-1",
    fileSystems: { "ml-data": { found: true, fileSystem: fs } },
    functions: {
      search: { found: true, fn: liveFunction("search") },
      embed: { found: true, fn: liveFunction("embed") },
    },
    mountedBy: { [AP_ARN]: ["embed", "search"] },
    subnets: {
      "subnet-0a": { subnetId: "subnet-0a", vpcId: "vpc-1", availabilityZone: "us-east-1a" },
      "subnet-0b": { subnetId: "subnet-0b", vpcId: "vpc-1", availabilityZone: "us-east-1b" },
      "subnet-0c": { subnetId: "subnet-0c", vpcId: "vpc-1", availabilityZone: "us-east-1c" },
    },
    vpcSubnets: {},
    securityGroups: {
      [MT_SG]: {
        groupId: MT_SG,
        vpcId: "vpc-1",
        rules: [
          {
            ruleId: "sgr-in1",
            groupId: MT_SG,
            isEgress: false,
            ipProtocol: "tcp",
            fromPort: 2049,
            toPort: 2049,
            referencedGroupId: FN_SG,
          },
        ],
      },
      [FN_SG]: {
        groupId: FN_SG,
        vpcId: "vpc-1",
        rules: [
          {
            ruleId: "sgr-out1",
            groupId: FN_SG,
            isEgress: true,
            ipProtocol: "tcp",
            fromPort: 2049,
            toPort: 2049,
            referencedGroupId: MT_SG,
          },
        ],
      },
    },
  };
  return { desired, observed };
}

/** The observed file system of the world (asserting it was found). */
export function liveFs(w: World): ObservedFileSystem {
  const l = w.observed.fileSystems["ml-data"];
  if (!l?.found) throw new Error("world has no file system");
  return l.fileSystem;
}

export function liveFn(w: World, name: string): ObservedFunction {
  const l = w.observed.functions[name];
  if (!l?.found) throw new Error(`world has no function ${name}`);
  return l.fn;
}
