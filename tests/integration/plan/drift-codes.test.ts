/**
 * `plan --output json` over the wire: a converged baseline reports nothing, and each drift code of
 * contract §2 (the first 21), seeded into the emulator on its own, is reported with its severity,
 * remediation, resource and manifest, together with the actions that would fix it.
 */
import { join } from "node:path";
import {
  AuthorizeSecurityGroupIngressCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import {
  DeleteAccessPointCommand,
  DeleteMountTargetCommand,
  ModifyMountTargetSecurityGroupsCommand,
  PutBackupPolicyCommand,
  PutLifecycleConfigurationCommand,
  TagResourceCommand,
  UpdateFileSystemCommand,
} from "@aws-sdk/client-efs";
import { DeleteFunctionCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../../../src/aws/clients";
import { DRIFT_CATALOG } from "../../../src/plan/catalog";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import {
  BASELINE_FS_TAG,
  BASELINE_POSIX_USER,
  BASELINE_ROOT_DIRECTORY,
  type Baseline,
  type BaselineOptions,
  baselineManifests,
  MANAGED_BY_TAG,
  MANAGED_BY_VALUE,
  NAME_TAG,
  type PlanDocument,
  removeDir,
  runPlanJson,
  seedBaseline,
  tempDir,
  writeManifests,
} from "../../support/scenarios";
import { seedAccessPoint, seedFileSystem } from "../../support/seed";

const clients = emulatorClients();
let dir: string;

beforeEach(async () => {
  await resetEmulator();
  dir = await tempDir("efs-reconciler-plan-");
});

afterEach(async () => {
  await removeDir(dir);
});

type ManifestRef = ["FileSystem" | "AccessPoint" | "LambdaFunction", string, "efs.yaml" | "functions.yaml"];
const FS: ManifestRef = ["FileSystem", "data", "efs.yaml"];
const AP: ManifestRef = ["AccessPoint", "lambda", "efs.yaml"];
const API: ManifestRef = ["LambdaFunction", "api", "functions.yaml"];
const WORKER: ManifestRef = ["LambdaFunction", "worker", "functions.yaml"];

/** One expected drift item: `CODE severity remediation`, the resource, the manifest. */
interface ExpectedDrift {
  what: string;
  resource: [string, string];
  manifest: ManifestRef;
}

/** One expected action: its type and phase, its resource id, and the codes of the drift it fixes. */
interface ExpectedAction {
  type: string;
  phase: 1 | 2 | 3;
  resourceId: string;
  fixes: string[];
}

/** The ids a seed made (an access point's, when it made one). */
interface Seeded {
  accessPointId?: string;
}

interface DriftCase {
  name: string;
  options?: BaselineOptions;
  /** Seeds the drift over the wire; what it returns (ids it made) reaches the expectations. */
  seed?: (b: Baseline, c: AwsClients) => Promise<unknown>;
  drift: (b: Baseline, seeded: Seeded) => ExpectedDrift[];
  actions: (b: Baseline, seeded: Seeded) => ExpectedAction[];
  /** Extra checks on the plan (parameters, expected/actual values). */
  check?: (plan: PlanDocument, b: Baseline) => void;
}

const fsRes = (b: Baseline): [string, string] => ["AWS::EFS::FileSystem", b.fileSystemId];
const mtSgRes = (b: Baseline): [string, string] => ["AWS::EC2::SecurityGroup", b.mountTargetSg];
const fnRes = (b: Baseline, which: "api" | "worker"): [string, string] => [
  "AWS::Lambda::Function",
  b.functions[which].functionArn,
];

const updateFunction = (c: AwsClients, FunctionName: string, change: object) =>
  c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName, ...change }));
const outOfVpc = { VpcConfig: { SubnetIds: [], SecurityGroupIds: [] }, FileSystemConfigs: [] };
const subnets = (b: Baseline, ...azs: string[]) => azs.map((az) => b.subnetByAz[`us-east-1${az}`] as string);

/**
 * A managed duplicate of the baseline access point, arranged so that the one the functions do NOT
 * mount has the id that sorts first (ids are random: when the new one sorts last, the functions are
 * moved to it and the baseline's becomes the unmounted duplicate). An id-ordered choice would keep
 * the unmounted one and repoint the functions; the planner must keep the mounted one.
 */
async function seedDuplicateSortingFirst(b: Baseline, c: AwsClients): Promise<Seeded> {
  const dup = await seedAccessPoint(c, {
    fileSystemId: b.fileSystemId,
    posixUser: BASELINE_POSIX_USER,
    rootDirectory: BASELINE_ROOT_DIRECTORY,
    tags: { [NAME_TAG]: "lambda", [MANAGED_BY_TAG]: MANAGED_BY_VALUE },
  });
  if (dup.accessPointId < b.accessPointId) return { accessPointId: dup.accessPointId };
  for (const fn of [b.functions.api, b.functions.worker]) {
    await updateFunction(c, fn.functionName, {
      FileSystemConfigs: [{ Arn: dup.accessPointArn, LocalMountPath: "/mnt/efs" }],
    });
  }
  return { accessPointId: b.accessPointId };
}

const replacementActions = (b: Baseline, code: string): ExpectedAction[] => [
  { type: "CreateAccessPoint", phase: 1, resourceId: `${b.fileSystemId}/lambda`, fixes: [code] },
  { type: "UpdateFunctionFileSystem", phase: 2, resourceId: b.functions.api.functionArn, fixes: [code] },
  { type: "UpdateFunctionFileSystem", phase: 2, resourceId: b.functions.worker.functionArn, fixes: [code] },
  { type: "DeleteAccessPoint", phase: 3, resourceId: b.accessPointId, fixes: [code] },
];

const CASES: DriftCase[] = [
  {
    name: "FS_NOT_FOUND: the selector matches no file system",
    seed: (b, c) =>
      c.efs.send(
        new TagResourceCommand({ ResourceId: b.fileSystemId, Tags: [{ Key: "Name", Value: "renamed" }] }),
      ),
    drift: () => [
      {
        what: "FS_NOT_FOUND critical manual",
        resource: ["AWS::EFS::FileSystem", `selector:Name=${BASELINE_FS_TAG}`],
        manifest: FS,
      },
    ],
    actions: () => [],
  },
  {
    name: "FS_NOT_FOUND: the selector matches two file systems",
    seed: (_b, c) => seedFileSystem(c, { tags: { Name: BASELINE_FS_TAG } }),
    drift: () => [
      {
        what: "FS_NOT_FOUND critical manual",
        resource: ["AWS::EFS::FileSystem", `selector:Name=${BASELINE_FS_TAG}`],
        manifest: FS,
      },
    ],
    actions: () => [],
    check: (plan, b) => {
      expect(plan.drift[0]?.actual).toHaveLength(2);
      expect(plan.drift[0]?.actual).toContain(b.fileSystemId);
    },
  },
  {
    name: "FS_NOT_ENCRYPTED",
    options: { encrypted: false },
    drift: (b) => [{ what: "FS_NOT_ENCRYPTED high manual", resource: fsRes(b), manifest: FS }],
    actions: () => [],
  },
  {
    name: "FS_PERFORMANCE_MODE",
    options: { performanceMode: "maxIO" },
    drift: (b) => [{ what: "FS_PERFORMANCE_MODE medium manual", resource: fsRes(b), manifest: FS }],
    actions: () => [],
  },
  {
    name: "FS_THROUGHPUT_MODE",
    seed: (b, c) =>
      c.efs.send(new UpdateFileSystemCommand({ FileSystemId: b.fileSystemId, ThroughputMode: "elastic" })),
    drift: (b) => [{ what: "FS_THROUGHPUT_MODE medium auto", resource: fsRes(b), manifest: FS }],
    actions: (b) => [
      { type: "UpdateThroughputMode", phase: 1, resourceId: b.fileSystemId, fixes: ["FS_THROUGHPUT_MODE"] },
    ],
    check: (plan) => {
      expect(plan.drift[0]).toMatchObject({ expected: "bursting", actual: "elastic" });
      expect(plan.actions[0]?.params).toMatchObject({ throughputMode: "bursting" });
    },
  },
  {
    name: "FS_LIFECYCLE_POLICY",
    seed: (b, c) =>
      c.efs.send(
        new PutLifecycleConfigurationCommand({ FileSystemId: b.fileSystemId, LifecyclePolicies: [] }),
      ),
    drift: (b) => [{ what: "FS_LIFECYCLE_POLICY low auto", resource: fsRes(b), manifest: FS }],
    actions: (b) => [
      {
        type: "PutLifecycleConfiguration",
        phase: 1,
        resourceId: b.fileSystemId,
        fixes: ["FS_LIFECYCLE_POLICY"],
      },
    ],
    check: (plan) => {
      expect(plan.drift[0]?.actual).toEqual({
        transitionToIA: "NONE",
        transitionToPrimaryStorageClass: "NONE",
      });
      expect(plan.actions[0]?.params).toMatchObject({
        transitionToIA: "AFTER_30_DAYS",
        transitionToPrimaryStorageClass: "AFTER_1_ACCESS",
      });
    },
  },
  {
    name: "FS_BACKUP_POLICY",
    seed: (b, c) =>
      c.efs.send(
        new PutBackupPolicyCommand({ FileSystemId: b.fileSystemId, BackupPolicy: { Status: "DISABLED" } }),
      ),
    drift: (b) => [{ what: "FS_BACKUP_POLICY medium auto", resource: fsRes(b), manifest: FS }],
    actions: (b) => [
      { type: "PutBackupPolicy", phase: 1, resourceId: b.fileSystemId, fixes: ["FS_BACKUP_POLICY"] },
    ],
    check: (plan) => expect(plan.actions[0]?.params).toMatchObject({ status: "ENABLED" }),
  },
  {
    name: "MT_MISSING_IN_AZ",
    seed: (b, c) =>
      c.efs.send(new DeleteMountTargetCommand({ MountTargetId: b.mountTargets[1]?.mountTargetId as string })),
    drift: (b) => [
      {
        what: "MT_MISSING_IN_AZ high auto",
        resource: ["AWS::EFS::MountTarget", `${b.fileSystemId}/us-east-1b`],
        manifest: FS,
      },
    ],
    actions: (b) => [
      {
        type: "CreateMountTarget",
        phase: 1,
        resourceId: `${b.fileSystemId}/us-east-1b`,
        fixes: ["MT_MISSING_IN_AZ"],
      },
    ],
    check: (plan, b) =>
      expect(plan.actions[0]?.params).toMatchObject({
        fileSystemId: b.fileSystemId,
        availabilityZone: "us-east-1b",
        subnetId: b.subnetByAz["us-east-1b"],
        securityGroupIds: [b.mountTargetSg],
      }),
  },
  {
    name: "MT_SECURITY_GROUPS",
    seed: (b, c) =>
      c.efs.send(
        new ModifyMountTargetSecurityGroupsCommand({
          MountTargetId: b.mountTargets[0]?.mountTargetId as string,
          SecurityGroups: [b.network.defaultSecurityGroupId],
        }),
      ),
    drift: (b) => [
      {
        what: "MT_SECURITY_GROUPS high auto",
        resource: ["AWS::EFS::MountTarget", b.mountTargets[0]?.mountTargetId as string],
        manifest: FS,
      },
    ],
    actions: (b) => [
      {
        type: "AddMountTargetSecurityGroup",
        phase: 1,
        resourceId: b.mountTargets[0]?.mountTargetId as string,
        fixes: ["MT_SECURITY_GROUPS"],
      },
    ],
  },
  {
    name: "SG_INGRESS_NOT_ALLOWED: NFS open to the world is critical",
    seed: (b, c) =>
      c.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: b.mountTargetSg,
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 2049, ToPort: 2049, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          ],
        }),
      ),
    drift: (b) => [{ what: "SG_INGRESS_NOT_ALLOWED critical auto", resource: mtSgRes(b), manifest: FS }],
    actions: (b) => [
      { type: "RevokeIngress", phase: 3, resourceId: b.mountTargetSg, fixes: ["SG_INGRESS_NOT_ALLOWED"] },
    ],
  },
  {
    name: "SG_INGRESS_NOT_ALLOWED: SSH from a private range is high",
    seed: (b, c) =>
      c.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: b.mountTargetSg,
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
          ],
        }),
      ),
    drift: (b) => [{ what: "SG_INGRESS_NOT_ALLOWED high auto", resource: mtSgRes(b), manifest: FS }],
    actions: (b) => [
      { type: "RevokeIngress", phase: 3, resourceId: b.mountTargetSg, fixes: ["SG_INGRESS_NOT_ALLOWED"] },
    ],
    check: (plan) =>
      expect(plan.actions[0]?.params.rule).toMatchObject({
        ipProtocol: "tcp",
        fromPort: 22,
        cidrIpv4: "10.0.0.0/8",
      }),
  },
  {
    name: "SG_INGRESS_MISSING: one per bound function, fixed by one rule",
    seed: (b, c) =>
      c.ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: b.mountTargetSg,
          SecurityGroupRuleIds: [b.ingressRuleId],
        }),
      ),
    drift: (b) => [
      { what: "SG_INGRESS_MISSING high auto", resource: mtSgRes(b), manifest: FS },
      { what: "SG_INGRESS_MISSING high auto", resource: mtSgRes(b), manifest: FS },
    ],
    actions: (b) => [
      {
        type: "AuthorizeIngress",
        phase: 1,
        resourceId: b.mountTargetSg,
        fixes: ["SG_INGRESS_MISSING", "SG_INGRESS_MISSING"],
      },
    ],
    check: (plan, b) =>
      expect(plan.actions[0]?.params).toMatchObject({
        groupId: b.mountTargetSg,
        sourceGroupId: b.functionSg,
        port: 2049,
      }),
  },
  {
    name: "SG_EGRESS_MISSING: reported for each function of the group, fixed by one rule",
    seed: (b, c) =>
      c.ec2.send(
        new RevokeSecurityGroupEgressCommand({
          GroupId: b.functionSg,
          SecurityGroupRuleIds: [b.egressRuleId],
        }),
      ),
    drift: (b) => [
      {
        what: "SG_EGRESS_MISSING high auto",
        resource: ["AWS::EC2::SecurityGroup", b.functionSg],
        manifest: API,
      },
      {
        what: "SG_EGRESS_MISSING high auto",
        resource: ["AWS::EC2::SecurityGroup", b.functionSg],
        manifest: WORKER,
      },
    ],
    actions: (b) => [
      {
        type: "AuthorizeEgress",
        phase: 1,
        resourceId: b.functionSg,
        fixes: ["SG_EGRESS_MISSING", "SG_EGRESS_MISSING"],
      },
    ],
    check: (plan, b) =>
      expect(plan.actions[0]?.params).toMatchObject({
        groupId: b.functionSg,
        destinationGroupId: b.mountTargetSg,
        port: 2049,
      }),
  },
  {
    name: "AP_MISSING: created, then mounted by the bound functions",
    seed: (b, c) => c.efs.send(new DeleteAccessPointCommand({ AccessPointId: b.accessPointId })),
    drift: (b) => [
      {
        what: "AP_MISSING high auto",
        resource: ["AWS::EFS::AccessPoint", `${b.fileSystemId}/lambda`],
        manifest: AP,
      },
      { what: "FN_FILE_SYSTEM_CONFIG high auto", resource: fnRes(b, "api"), manifest: API },
      { what: "FN_FILE_SYSTEM_CONFIG high auto", resource: fnRes(b, "worker"), manifest: WORKER },
    ],
    actions: (b) => [
      { type: "CreateAccessPoint", phase: 1, resourceId: `${b.fileSystemId}/lambda`, fixes: ["AP_MISSING"] },
      {
        type: "UpdateFunctionFileSystem",
        phase: 2,
        resourceId: b.functions.api.functionArn,
        fixes: ["FN_FILE_SYSTEM_CONFIG"],
      },
      {
        type: "UpdateFunctionFileSystem",
        phase: 2,
        resourceId: b.functions.worker.functionArn,
        fixes: ["FN_FILE_SYSTEM_CONFIG"],
      },
    ],
    check: (plan, b) => {
      const create = plan.actions.find((a) => a.type === "CreateAccessPoint");
      expect(create?.params.definition).toEqual({
        fileSystemId: b.fileSystemId,
        name: "lambda",
        posixUser: { uid: 1000, gid: 1000, secondaryGids: [] },
        rootDirectory: {
          path: "/lambda",
          creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "0755" },
        },
      });
      for (const a of plan.actions.filter((x) => x.type === "UpdateFunctionFileSystem")) {
        expect(a.params.target).toEqual({
          create: create?.params.definition,
          specHash: create?.params.specHash,
        });
      }
    },
  },
  {
    name: "AP_POSIX_USER: replaced (make, repoint, break)",
    options: { posixUser: { Uid: 0, Gid: 0 } },
    drift: (b) => [
      { what: "AP_POSIX_USER high auto", resource: ["AWS::EFS::AccessPoint", b.accessPointId], manifest: AP },
    ],
    actions: (b) => replacementActions(b, "AP_POSIX_USER"),
    check: (plan) => expect(plan.drift[0]?.actual).toEqual({ uid: 0, gid: 0, secondaryGids: [] }),
  },
  {
    name: "AP_ROOT_DIRECTORY: replaced (make, repoint, break)",
    options: {
      rootDirectory: {
        Path: "/lambda",
        CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: "777" },
      },
    },
    drift: (b) => [
      {
        what: "AP_ROOT_DIRECTORY high auto",
        resource: ["AWS::EFS::AccessPoint", b.accessPointId],
        manifest: AP,
      },
    ],
    actions: (b) => replacementActions(b, "AP_ROOT_DIRECTORY"),
  },
  {
    name: "AP_ORPHANED: a managed access point no manifest wants",
    seed: (b, c) =>
      seedAccessPoint(c, {
        fileSystemId: b.fileSystemId,
        posixUser: { Uid: 2000, Gid: 2000 },
        rootDirectory: { Path: "/old-cache" },
        tags: { [NAME_TAG]: "old-cache", [MANAGED_BY_TAG]: MANAGED_BY_VALUE },
      }),
    drift: (_b, s) => [
      {
        what: "AP_ORPHANED low auto",
        resource: ["AWS::EFS::AccessPoint", s.accessPointId as string],
        manifest: FS,
      },
    ],
    actions: (_b, s) => [
      { type: "DeleteAccessPoint", phase: 3, resourceId: s.accessPointId as string, fixes: ["AP_ORPHANED"] },
    ],
  },
  {
    name: "AP_ORPHANED: a second managed access point with the same name (the mounted one is kept)",
    // Its id sorts first, so an id-ordered choice would keep it and repoint the functions.
    seed: (b, c) => seedDuplicateSortingFirst(b, c),
    drift: (_b, s) => [
      {
        what: "AP_ORPHANED low auto",
        resource: ["AWS::EFS::AccessPoint", s.accessPointId as string],
        manifest: AP,
      },
    ],
    actions: (_b, s) => [
      { type: "DeleteAccessPoint", phase: 3, resourceId: s.accessPointId as string, fixes: ["AP_ORPHANED"] },
    ],
  },
  {
    name: "AP_ORPHANED: an unmanaged access point is never reported",
    seed: (b, c) =>
      seedAccessPoint(c, {
        fileSystemId: b.fileSystemId,
        posixUser: { Uid: 3000, Gid: 3000 },
        rootDirectory: { Path: "/someone-elses" },
        tags: { Name: "someone-elses" },
      }),
    drift: () => [],
    actions: () => [],
  },
  {
    name: "FN_NOT_FOUND",
    seed: (b, c) =>
      c.lambda.send(new DeleteFunctionCommand({ FunctionName: b.functions.worker.functionName })),
    drift: (b) => [
      {
        what: "FN_NOT_FOUND critical manual",
        resource: ["AWS::Lambda::Function", b.functions.worker.functionName],
        manifest: WORKER,
      },
    ],
    actions: () => [],
  },
  {
    name: "FN_NOT_IN_VPC: manual without spec.vpc (and nothing else reported for the function)",
    seed: (b, c) => updateFunction(c, b.functions.api.functionName, outOfVpc),
    drift: (b) => [{ what: "FN_NOT_IN_VPC critical manual", resource: fnRes(b, "api"), manifest: API }],
    actions: () => [],
  },
  {
    name: "FN_NOT_IN_VPC: auto with spec.vpc (attached, then mounted)",
    seed: (b, c) => updateFunction(c, b.functions.worker.functionName, outOfVpc),
    drift: (b) => [
      { what: "FN_NOT_IN_VPC critical auto", resource: fnRes(b, "worker"), manifest: WORKER },
      { what: "FN_FILE_SYSTEM_CONFIG high auto", resource: fnRes(b, "worker"), manifest: WORKER },
    ],
    actions: (b) => [
      {
        type: "UpdateFunctionConfiguration",
        phase: 1,
        resourceId: b.functions.worker.functionArn,
        fixes: ["FN_NOT_IN_VPC"],
      },
      {
        type: "UpdateFunctionFileSystem",
        phase: 2,
        resourceId: b.functions.worker.functionArn,
        fixes: ["FN_FILE_SYSTEM_CONFIG"],
      },
    ],
  },
  {
    name: "FN_VPC_CONFIG",
    seed: (b, c) =>
      updateFunction(c, b.functions.worker.functionName, {
        VpcConfig: { SubnetIds: subnets(b, "a", "c"), SecurityGroupIds: [b.functionSg] },
      }),
    drift: (b) => [{ what: "FN_VPC_CONFIG high auto", resource: fnRes(b, "worker"), manifest: WORKER }],
    actions: (b) => [
      {
        type: "UpdateFunctionConfiguration",
        phase: 2, // it mounts EFS: moved after phase 1 made its rules and mount targets
        resourceId: b.functions.worker.functionArn,
        fixes: ["FN_VPC_CONFIG"],
      },
    ],
    check: (plan, b) =>
      expect(plan.actions[0]?.params).toMatchObject({
        functionName: b.functions.worker.functionName,
        vpcConfig: { subnetIds: subnets(b, "a", "b"), securityGroupIds: [b.functionSg] },
      }),
  },
  {
    name: "FN_TOO_FEW_AZS: manual without spec.vpc",
    seed: (b, c) =>
      updateFunction(c, b.functions.api.functionName, {
        VpcConfig: { SubnetIds: subnets(b, "a"), SecurityGroupIds: [b.functionSg] },
      }),
    drift: (b) => [{ what: "FN_TOO_FEW_AZS medium manual", resource: fnRes(b, "api"), manifest: API }],
    actions: () => [],
  },
  {
    name: "FN_TOO_FEW_AZS: auto with spec.vpc (one update fixes it and the VPC config)",
    seed: (b, c) =>
      updateFunction(c, b.functions.worker.functionName, {
        VpcConfig: { SubnetIds: subnets(b, "a"), SecurityGroupIds: [b.functionSg] },
      }),
    drift: (b) => [
      { what: "FN_VPC_CONFIG high auto", resource: fnRes(b, "worker"), manifest: WORKER },
      { what: "FN_TOO_FEW_AZS medium auto", resource: fnRes(b, "worker"), manifest: WORKER },
    ],
    actions: (b) => [
      {
        type: "UpdateFunctionConfiguration",
        phase: 2, // it mounts EFS: moved after phase 1 made its rules and mount targets
        resourceId: b.functions.worker.functionArn,
        fixes: ["FN_TOO_FEW_AZS", "FN_VPC_CONFIG"],
      },
    ],
  },
  {
    name: "FN_FILE_SYSTEM_CONFIG: mounted at another path",
    seed: (b, c) =>
      updateFunction(c, b.functions.api.functionName, {
        FileSystemConfigs: [{ Arn: b.accessPointArn, LocalMountPath: "/mnt/data" }],
      }),
    drift: (b) => [{ what: "FN_FILE_SYSTEM_CONFIG high auto", resource: fnRes(b, "api"), manifest: API }],
    actions: (b) => [
      {
        type: "UpdateFunctionFileSystem",
        phase: 2,
        resourceId: b.functions.api.functionArn,
        fixes: ["FN_FILE_SYSTEM_CONFIG"],
      },
    ],
    check: (plan, b) =>
      expect(plan.actions[0]?.params).toMatchObject({
        functionName: b.functions.api.functionName,
        localMountPath: "/mnt/efs",
        target: { accessPointArn: b.accessPointArn },
      }),
  },
  {
    name: "FN_TIMEOUT: below min is raised to min (auto)",
    seed: (b, c) => updateFunction(c, b.functions.api.functionName, { Timeout: 3 }),
    drift: (b) => [{ what: "FN_TIMEOUT medium auto", resource: fnRes(b, "api"), manifest: API }],
    actions: (b) => [
      {
        type: "UpdateFunctionConfiguration",
        phase: 1,
        resourceId: b.functions.api.functionArn,
        fixes: ["FN_TIMEOUT"],
      },
    ],
    check: (plan, b) =>
      expect(plan.actions[0]?.params).toMatchObject({
        functionName: b.functions.api.functionName,
        timeout: 30,
      }),
  },
  {
    name: "FN_TIMEOUT: above max is manual",
    seed: (b, c) => updateFunction(c, b.functions.worker.functionName, { Timeout: 300 }),
    drift: (b) => [{ what: "FN_TIMEOUT medium manual", resource: fnRes(b, "worker"), manifest: WORKER }],
    actions: () => [],
    check: (plan) => expect(plan.drift[0]).toMatchObject({ expected: { min: 30, max: 120 }, actual: 300 }),
  },
];

function driftView(plan: PlanDocument) {
  return plan.drift.map((d) => ({
    what: `${d.code} ${d.severity} ${d.remediation}`,
    resource: [d.resource.type, d.resource.id],
    manifest: [d.manifest.kind, d.manifest.name, d.manifest.file],
  }));
}

function actionView(plan: PlanDocument) {
  const codeOf = new Map(plan.drift.map((d) => [d.id, d.code]));
  return plan.actions.map((a) => ({
    type: a.type,
    phase: a.phase,
    resourceId: a.resource.id,
    fixes: a.driftIds.map((id) => codeOf.get(id) ?? `unknown drift id ${id}`).sort(),
  }));
}

const byJson = <T>(xs: T[]): T[] =>
  [...xs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

async function planAfter(
  c: DriftCase,
): Promise<{ b: Baseline; seeded: Seeded; plan: PlanDocument; code: number }> {
  const b = await seedBaseline(clients, c.options);
  await writeManifests(dir, baselineManifests(b));
  const seeded = ((await c.seed?.(b, clients)) ?? {}) as Seeded;
  const run = await runPlanJson(dir);
  if (!run.plan) throw new Error(`plan printed no JSON (exit ${run.code}): ${run.stderr}`);
  return { b, seeded, plan: run.plan, code: run.code };
}

describe("plan --output json against the emulator", () => {
  it("reports no drift and no actions on the converged baseline (exit 0)", async () => {
    const b = await seedBaseline(clients);
    await writeManifests(dir, baselineManifests(b));
    const run = await runPlanJson(dir);
    expect(run.stderr).toMatch(/observed us-east-1 in .* s \(\d+ API calls\)/);
    expect(run.code).toBe(0);
    expect(run.plan).toMatchObject({
      formatVersion: "1",
      mode: "dry-run",
      drift: [],
      actions: [],
      summary: { drift: 0, auto: 0, manual: 0, actions: 0 },
    });
    expect(run.plan?.manifestRevision).toMatch(/\S/);
  });

  it("has a case for every drift code of contract §2 (before the full-checklist codes)", () => {
    const checklist = new Set([
      "FN_PUBLIC_SUBNET",
      "MT_PUBLIC_SUBNET",
      "FN_IAM_EFS_ACCESS_MISSING",
      "FN_IAM_EFS_ACCESS_TOO_BROAD",
      "FN_LOG_FORMAT",
      "FS_ALARMS",
    ]);
    const codes = Object.keys(DRIFT_CATALOG).filter((code) => !checklist.has(code));
    expect(codes).toHaveLength(21);
    expect(new Set(CASES.map((c) => c.name.split(":")[0]))).toEqual(new Set(codes));
  });

  describe.each(CASES)("$name", (c) => {
    it("is planned with its severity, remediation, resource, manifest and fixing actions", async () => {
      const { b, seeded, plan, code } = await planAfter(c);
      const expectedDrift = c.drift(b, seeded).map((d) => ({
        what: d.what,
        resource: d.resource,
        manifest: [d.manifest[0], d.manifest[1], join(dir, d.manifest[2])],
      }));
      expect(byJson(driftView(plan))).toEqual(byJson(expectedDrift));
      expect(byJson(actionView(plan))).toEqual(byJson(c.actions(b, seeded)));
      expect(code).toBe(expectedDrift.length > 0 ? 2 : 0);

      // Contract invariants of every plan document.
      const auto = plan.drift.filter((d) => d.remediation === "auto").length;
      expect(plan.summary).toEqual({
        drift: plan.drift.length,
        auto,
        manual: plan.drift.length - auto,
        actions: plan.actions.length,
      });
      expect(new Set(plan.drift.map((d) => d.id)).size).toBe(plan.drift.length);
      expect(new Set(plan.actions.map((a) => a.id)).size).toBe(plan.actions.length);
      for (const d of plan.drift) expect(d.message).toMatch(/\S/);
      // Every auto drift item is fixed by some action; no action claims a manual one.
      const fixed = new Set(plan.actions.flatMap((a) => a.driftIds));
      for (const d of plan.drift) expect(fixed.has(d.id)).toBe(d.remediation === "auto");
      // Make before break: phases never go backwards.
      const phases = plan.actions.map((a) => a.phase);
      expect(phases).toEqual([...phases].sort());
      c.check?.(plan, b);
    });
  });
});
