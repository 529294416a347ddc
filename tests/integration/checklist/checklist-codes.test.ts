/**
 * The checklist codes over the wire: a deployment that meets the whole checklist is seeded into
 * the emulator (private subnets, a least-privilege role, JSON logs, the PercentIOLimit alarm) and
 * plans clean; each code is then provoked on its own and is reported, and the `auto` ones are
 * remediated by their reconcilers until a second plan is clean.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
} from "@aws-sdk/client-cloudwatch";
import { PutFileSystemPolicyCommand, PutLifecycleConfigurationCommand } from "@aws-sdk/client-efs";
import { PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { GetFunctionConfigurationCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CallRecorder } from "../../../src/aws/clients";
import { loadDesiredState } from "../../../src/desired-state/index";
import { observe } from "../../../src/observe/observe";
import { alarmName, alarmTags } from "../../../src/plan/alarm-definitions";
import { planChanges } from "../../../src/plan/index";
import type { Plan } from "../../../src/plan/types";
import { reconcile } from "../../../src/reconcilers/index";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import {
  authorizeNfsIngress,
  efsClientPolicy,
  type SeededNetwork,
  seedAccessPoint,
  seedAlarm,
  seedFileSystem,
  seedFunction,
  seedInternetRoute,
  seedManagedAlarm,
  seedMountTargets,
  seedNatRoute,
  seedNetwork,
  seedRole,
} from "../../support/seed";

const recorder = new CallRecorder();
const clients = emulatorClients(recorder);
let dir: string;

interface Deployment {
  network: SeededNetwork;
  fileSystemId: string;
  fileSystemArn: string;
  roleName: string;
  roleArn: string;
  functionName: string;
  functionArn: string;
  mountTargetIds: string[];
}

interface ManifestOptions {
  access?: "readWrite" | "readOnly";
  logFormat?: "JSON" | "Text" | "unmanaged";
  percentIOLimit?: number | false;
  burstCreditBalanceBytes?: number | false;
}

/** A deployment that meets every item of the checklist (and the earlier codes). */
async function seedCompliant(): Promise<Deployment> {
  const network = await seedNetwork(clients, { azs: ["us-east-1a", "us-east-1b"], cidr: "10.7.0.0/16" });
  await authorizeNfsIngress(clients, {
    groupId: network.efsSecurityGroupId,
    sourceGroupId: network.lambdaSecurityGroupId,
  });
  const fs = await seedFileSystem(clients, { tags: { Name: "checklist-data" }, encrypted: true });
  await clients.efs.send(
    new PutLifecycleConfigurationCommand({
      FileSystemId: fs.fileSystemId,
      LifecyclePolicies: [
        { TransitionToIA: "AFTER_30_DAYS" },
        { TransitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
      ],
    }),
  );
  const mountTargets = await seedMountTargets(clients, {
    fileSystemId: fs.fileSystemId,
    subnetIds: network.subnetIds,
    securityGroupIds: [network.efsSecurityGroupId],
  });
  const ap = await seedAccessPoint(clients, {
    fileSystemId: fs.fileSystemId,
    posixUser: { Uid: 1000, Gid: 1000 },
    rootDirectory: { Path: "/lambda", CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: "755" } },
    tags: { "efs-reconciler.io/name": "lambda", "efs-reconciler.io/managed-by": "efs-reconciler" },
  });
  const role = await seedRole(clients, {
    roleName: "checklist-fn",
    inlinePolicies: { "efs-client": efsClientPolicy(fs.fileSystemArn) },
    managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"],
  });
  const fn = await seedFunction(clients, {
    functionName: "checklist-fn",
    roleArn: role.roleArn,
    timeout: 30,
    vpc: { subnetIds: network.subnetIds, securityGroupIds: [network.lambdaSecurityGroupId] },
    fileSystem: { accessPointArn: ap.accessPointArn, localMountPath: "/mnt/efs" },
    loggingConfig: { LogFormat: "JSON" },
  });
  await seedManagedAlarm(clients, fs.fileSystemId);
  return {
    network,
    fileSystemId: fs.fileSystemId,
    fileSystemArn: fs.fileSystemArn,
    roleName: role.roleName,
    roleArn: role.roleArn,
    functionName: fn.functionName,
    functionArn: fn.functionArn,
    mountTargetIds: mountTargets.map((m) => m.mountTargetId),
  };
}

function manifests(d: Deployment, o: ManifestOptions = {}): Record<string, string> {
  const alarms =
    o.percentIOLimit === undefined && o.burstCreditBalanceBytes === undefined
      ? ""
      : `  alarms:\n${o.percentIOLimit !== undefined ? `    percentIOLimit: ${o.percentIOLimit}\n` : ""}${
          o.burstCreditBalanceBytes !== undefined
            ? `    burstCreditBalanceBytes: ${o.burstCreditBalanceBytes}\n`
            : ""
        }`;
  return {
    "efs.yaml": `apiVersion: efs-reconciler.io/v1alpha1
kind: FileSystem
metadata: { name: data }
spec:
  selector: { tags: { Name: checklist-data } }
  mountTargets: { securityGroupId: ${d.network.efsSecurityGroupId} }
${alarms}---
apiVersion: efs-reconciler.io/v1alpha1
kind: AccessPoint
metadata: { name: lambda }
spec:
  fileSystem: data
  posixUser: { uid: 1000, gid: 1000 }
  rootDirectory: { path: /lambda, creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "755" } }
`,
    "functions.yaml": `apiVersion: efs-reconciler.io/v1alpha1
kind: LambdaFunction
metadata: { name: api }
spec:
  functionName: ${d.functionName}
  accessPoint: lambda
${o.access ? `  access: ${o.access}\n` : ""}${o.logFormat ? `  logFormat: ${o.logFormat}\n` : ""}`,
  };
}

async function planFor(d: Deployment, o: ManifestOptions = {}): Promise<Plan> {
  for (const [file, text] of Object.entries(manifests(d, o))) await writeFile(join(dir, file), text);
  const loaded = await loadDesiredState(dir);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const observed = await observe(loaded.state, clients);
  return planChanges(loaded.state, observed, { mode: "apply", runId: "checklist" });
}

/** Runs every action of the plan in order (phases are already sorted). */
async function apply(plan: Plan): Promise<string[]> {
  const statuses: string[] = [];
  for (const a of plan.actions) statuses.push(`${a.type} ${(await reconcile(a, clients)).status}`);
  return statuses;
}

const codes = (p: Plan) => p.drift.map((d) => `${d.code} ${d.remediation} ${d.resource.id}`).sort();

beforeEach(async () => {
  await resetEmulator();
  dir = await mkdtemp(join(tmpdir(), "efs-reconciler-checklist-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("checklist over the wire", () => {
  it("a deployment that meets the checklist plans clean, reading IAM, alarms and route tables read-only", async () => {
    const d = await seedCompliant();
    recorder.calls.length = 0;
    const p = await planFor(d);
    expect(p.drift).toEqual([]);
    const commands = recorder.byCommand();
    for (const read of [
      "iam:ListRolePolicies",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
      "iam:GetPolicy",
      "iam:GetPolicyVersion",
      "efs:DescribeFileSystemPolicy",
      "cloudwatch:DescribeAlarms",
      "ec2:DescribeRouteTables",
    ]) {
      expect(commands[read], read).toBeGreaterThan(0);
    }
    // The alarms' tags: in bulk, or one by one.
    const tagReads =
      (commands["tagging:GetResources"] ?? 0) + (commands["cloudwatch:ListTagsForResource"] ?? 0);
    expect(tagReads).toBeGreaterThan(0);
    expect(recorder.mutating()).toEqual([]);
  });

  it("FN_PUBLIC_SUBNET and MT_PUBLIC_SUBNET: a subnet routed to an internet gateway; NAT routes stay private", async () => {
    const d = await seedCompliant();
    const [subnetA, subnetB] = d.network.subnetIds as [string, string];
    const igw = await seedInternetRoute(clients, { vpcId: d.network.vpcId, subnetIds: [subnetA] });
    await seedNatRoute(clients, { vpcId: d.network.vpcId, subnetIds: [subnetB], natSubnetId: subnetA });
    const p = await planFor(d);
    expect(codes(p)).toEqual([
      `FN_PUBLIC_SUBNET manual ${d.functionArn}`,
      `MT_PUBLIC_SUBNET manual ${d.mountTargetIds[0]}`,
    ]);
    for (const drift of p.drift) {
      expect(drift.message).toContain(
        `route table ${igw.routeTableId} sends 0.0.0.0/0 to internet gateway ${igw.targetId}`,
      );
      expect(drift.message).toContain(subnetA);
    }
    expect(p.actions).toEqual([]);
  });

  it("FN_PUBLIC_SUBNET: the VPC's main table routes to an internet gateway", async () => {
    const d = await seedCompliant();
    const igw = await seedInternetRoute(clients, { vpcId: d.network.vpcId, subnetIds: [] });
    const p = await planFor(d);
    expect(codes(p).filter((c) => c.startsWith("FN_PUBLIC_SUBNET"))).toHaveLength(2);
    expect(codes(p).filter((c) => c.startsWith("MT_PUBLIC_SUBNET"))).toHaveLength(2);
    expect(p.drift[0]?.message).toContain(`the main route table ${igw.routeTableId}`);
  });

  it("FN_IAM_EFS_ACCESS_MISSING: no ClientWrite for readWrite; a file-system policy grant settles it", async () => {
    const d = await seedCompliant();
    await clients.iam.send(
      new PutRolePolicyCommand({
        RoleName: d.roleName,
        PolicyName: "efs-client",
        PolicyDocument: JSON.stringify(efsClientPolicy(d.fileSystemArn, ["elasticfilesystem:ClientMount"])),
      }),
    );
    const missing = await planFor(d);
    expect(codes(missing)).toEqual([`FN_IAM_EFS_ACCESS_MISSING manual ${d.functionArn}`]);
    expect(missing.drift[0]?.severity).toBe("critical");
    expect(missing.drift[0]?.message).toContain(
      `{"Effect":"Allow","Action":["elasticfilesystem:ClientMount","elasticfilesystem:ClientWrite"],"Resource":"${d.fileSystemArn}"}`,
    );
    expect(await planFor(d, { access: "readOnly" }).then((p) => p.drift)).toEqual([]);

    await clients.efs.send(
      new PutFileSystemPolicyCommand({
        FileSystemId: d.fileSystemId,
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: d.roleArn },
              Action: "elasticfilesystem:ClientWrite",
              Resource: d.fileSystemArn,
            },
          ],
        }),
      }),
    );
    expect((await planFor(d)).drift).toEqual([]);
  });

  it("FN_IAM_EFS_ACCESS_TOO_BROAD: the AWS managed AmazonElasticFileSystemClientReadWriteAccess", async () => {
    const d = await seedCompliant();
    const other = await seedRole(clients, {
      roleName: "aws-managed-efs",
      managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadWriteAccess"],
    });
    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: d.functionName, Role: other.roleArn }),
    );
    const p = await planFor(d);
    expect(codes(p)).toEqual([`FN_IAM_EFS_ACCESS_TOO_BROAD manual ${d.functionArn}`]);
    expect(p.drift[0]?.message).toContain("AWS managed policy AmazonElasticFileSystemClientReadWriteAccess");
    expect(p.drift[0]?.message).toContain("elasticfilesystem:DescribeMountTargets on * (every file system)");
  });

  it("FN_LOG_FORMAT: Text logs are switched to JSON, keeping the log group; the next plan is clean", async () => {
    const d = await seedCompliant();
    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: d.functionName,
        LoggingConfig: { LogFormat: "Text", LogGroup: "/teams/ml/api" },
      }),
    );
    const p = await planFor(d);
    expect(codes(p)).toEqual([`FN_LOG_FORMAT auto ${d.functionArn}`]);
    expect(p.actions.map((a) => [a.type, a.params])).toEqual([
      ["UpdateFunctionConfiguration", { functionName: d.functionName, logFormat: "JSON" }],
    ]);
    expect(await apply(p)).toEqual(["UpdateFunctionConfiguration succeeded"]);
    const fn = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: d.functionName }),
    );
    expect(fn.LoggingConfig).toMatchObject({ LogFormat: "JSON", LogGroup: "/teams/ml/api" });
    expect((await planFor(d)).drift).toEqual([]);
    expect((await planFor(d, { logFormat: "unmanaged" })).drift).toEqual([]);
  });

  it("FS_ALARMS: a missing alarm is created, a changed threshold updated, an unwanted managed alarm deleted", async () => {
    const d = await seedCompliant();
    const name = alarmName(d.fileSystemId, "percentIOLimit");
    await clients.cloudwatch.send(new PutMetricAlarmCommand({ ...(await liveInput(name)), Threshold: 50 }));

    // Changed threshold (and a burst-credit alarm wanted too): update and create.
    const changed = await planFor(d, { percentIOLimit: 80, burstCreditBalanceBytes: 1_000_000 });
    expect(codes(changed)).toEqual([
      `FS_ALARMS auto ${alarmName(d.fileSystemId, "burstCreditBalanceBytes")}`,
      `FS_ALARMS auto ${name}`,
    ]);
    expect(await apply(changed)).toEqual(["PutMetricAlarm succeeded", "PutMetricAlarm succeeded"]);
    expect((await planFor(d, { percentIOLimit: 80, burstCreditBalanceBytes: 1_000_000 })).drift).toEqual([]);
    const after = await clients.cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: "efs-reconciler-" }),
    );
    expect(after.MetricAlarms?.map((a) => [a.AlarmName, a.Threshold])).toEqual([
      [alarmName(d.fileSystemId, "burstCreditBalanceBytes"), 1_000_000],
      [name, 80],
    ]);

    // Both no longer wanted: deleted in the break phase; then clean.
    const unwanted = await planFor(d, { percentIOLimit: false });
    expect(unwanted.actions.map((a) => `${a.phase} ${a.type} ${a.resource.id}`)).toEqual([
      `3 DeleteAlarm ${alarmName(d.fileSystemId, "burstCreditBalanceBytes")}`,
      `3 DeleteAlarm ${name}`,
    ]);
    await apply(unwanted);
    expect((await planFor(d, { percentIOLimit: false })).drift).toEqual([]);
    const left = await clients.cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: "efs-reconciler-" }),
    );
    expect(left.MetricAlarms).toEqual([]);

    // Default again: created, tagged managed.
    const missing = await planFor(d);
    expect(codes(missing)).toEqual([`FS_ALARMS auto ${name}`]);
    await apply(missing);
    const arn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`;
    const tags = await clients.cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
    expect(tags.Tags).toEqual(alarmTags());
    expect((await planFor(d)).drift).toEqual([]);
  });

  it("FS_ALARMS: an alarm under efs-reconciler's name that it did not make is never deleted", async () => {
    const d = await seedCompliant();
    const name = alarmName(d.fileSystemId, "burstCreditBalanceBytes");
    await seedAlarm(clients, {
      alarmName: name,
      fileSystemId: d.fileSystemId,
      metricName: "BurstCreditBalance",
    });
    const p = await planFor(d);
    expect(p.drift).toEqual([]);
    await apply(p);
    const still = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
    expect(still.MetricAlarms).toHaveLength(1);
  });
});

/** The live alarm as a PutMetricAlarm input (to change one setting of it). */
async function liveInput(name: string) {
  const out = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  const a = out.MetricAlarms?.[0];
  if (!a) throw new Error(`no alarm ${name}`);
  return {
    AlarmName: a.AlarmName,
    AlarmDescription: a.AlarmDescription,
    Namespace: a.Namespace,
    MetricName: a.MetricName,
    Dimensions: a.Dimensions,
    Statistic: a.Statistic,
    Period: a.Period,
    EvaluationPeriods: a.EvaluationPeriods,
    DatapointsToAlarm: a.DatapointsToAlarm,
    Threshold: a.Threshold,
    ComparisonOperator: a.ComparisonOperator,
    TreatMissingData: a.TreatMissingData,
  };
}
