/**
 * Scenarios for the plan and reconciler integration tests: a converged baseline deployment with
 * its manifests, the built-in demo, the CLI's `plan --output json` run in-process, observe+plan
 * through the library, and a read-only snapshot of everything in the emulator's account.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AuthorizeSecurityGroupEgressCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  RevokeSecurityGroupEgressCommand,
} from "@aws-sdk/client-ec2";
import {
  DescribeAccessPointsCommand,
  DescribeBackupPolicyCommand,
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeLifecycleConfigurationCommand,
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
  type PerformanceMode,
  type PosixUser,
  PutLifecycleConfigurationCommand,
  type RootDirectory,
} from "@aws-sdk/client-efs";
import { ListFunctionsCommand } from "@aws-sdk/client-lambda";
import type { AwsClients } from "../../src/aws/clients";
import { main } from "../../src/cli/main";
import { type DemoIds, seedDemo, writeDemoManifests } from "../../src/demo/scenario";
import { loadDesiredState } from "../../src/desired-state/index";
import type { DesiredState } from "../../src/desired-state/types";
import { ensureEmulatorLambdaRole } from "../../src/emulator/iam-role";
import { observe } from "../../src/observe/observe";
import { planChanges } from "../../src/plan/index";
import type { Action, ActionType, JsonValue, Plan } from "../../src/plan/types";
import { emulatorEndpoint } from "./emulator";
import {
  authorizeNfsIngress,
  grantEfsClient,
  type SeededFunction,
  type SeededMountTarget,
  type SeededNetwork,
  seedAccessPoint,
  seedFileSystem,
  seedFunction,
  seedManagedAlarm,
  seedMountTargets,
  seedNetwork,
} from "./seed";

export const NAME_TAG = "efs-reconciler.io/name";
export const MANAGED_BY_TAG = "efs-reconciler.io/managed-by";
export const MANAGED_BY_VALUE = "efs-reconciler";

export const BASELINE_AZS = ["us-east-1a", "us-east-1b", "us-east-1c"];
/** The file system's selector tag value in the baseline manifests. */
export const BASELINE_FS_TAG = "baseline-data";
export const BASELINE_FUNCTIONS = { api: "baseline-api", worker: "baseline-worker" } as const;

// ---------------------------------------------------------------------------------------------
// Temporary manifest directories

/** A fresh temporary directory (absolute path); remove it with `removeDir`. */
export function tempDir(prefix = "efs-reconciler-it-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export async function writeManifests(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
}

/**
 * The manifests of a seeded file system tagged `Name: shared-efs` (tests/support/seed.ts): the file
 * system, its `lambda` access point (uid/gid 1000 at /lambda), and
 * each of `functions` mounting it.
 */
export function sharedEfsManifests(efsSecurityGroupId: string, functions: readonly string[]): string {
  const header = `apiVersion: efs-reconciler.io/v1alpha1
kind: FileSystem
metadata: { name: data }
spec:
  selector: { tags: { Name: shared-efs } }
  mountTargets: { securityGroupId: ${efsSecurityGroupId} }
---
apiVersion: efs-reconciler.io/v1alpha1
kind: AccessPoint
metadata: { name: lambda }
spec:
  fileSystem: data
  posixUser: { uid: 1000, gid: 1000 }
  rootDirectory: { path: /lambda, creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "755" } }
`;
  const fns = functions.map(
    (name) => `---
apiVersion: efs-reconciler.io/v1alpha1
kind: LambdaFunction
metadata: { name: ${name} }
spec: { functionName: ${name}, accessPoint: lambda }
`,
  );
  return [header, ...fns].join("");
}

export async function loadDesired(dir: string): Promise<DesiredState> {
  const loaded = await loadDesiredState(dir);
  if (!loaded.ok) {
    throw new Error(`test manifests in ${dir} are invalid: ${JSON.stringify(loaded.errors, null, 2)}`);
  }
  return loaded.state;
}

// ---------------------------------------------------------------------------------------------
// The converged baseline

export interface BaselineOptions {
  /** Encryption at rest of the file system (the manifest wants it). Default true. */
  encrypted?: boolean;
  /** Performance mode of the file system (the manifest wants generalPurpose). */
  performanceMode?: PerformanceMode;
  /** POSIX user of the managed access point (the manifest wants uid/gid 1000). */
  posixUser?: PosixUser;
  /** Root directory of the managed access point (the manifest wants /lambda, 1000:1000, 755). */
  rootDirectory?: RootDirectory;
  /** Tags of the access point the functions mount. Default: the managed identity of `lambda`. */
  accessPointTags?: Record<string, string>;
}

export interface Baseline {
  network: SeededNetwork;
  /** Mount-target security group (admits TCP 2049 from the function group only). */
  mountTargetSg: string;
  /** Function security group (egress TCP 2049 to the mount-target group only). */
  functionSg: string;
  /** Subnet id per AZ. */
  subnetByAz: Record<string, string>;
  fileSystemId: string;
  fileSystemArn: string;
  /** One per AZ the functions run in (us-east-1a, us-east-1b); none in us-east-1c. */
  mountTargets: SeededMountTarget[];
  accessPointId: string;
  accessPointArn: string;
  functions: { api: SeededFunction; worker: SeededFunction };
  ingressRuleId: string;
  egressRuleId: string;
}

export const BASELINE_POSIX_USER: PosixUser = { Uid: 1000, Gid: 1000 };
export const BASELINE_ROOT_DIRECTORY: RootDirectory = {
  Path: "/lambda",
  CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: "755" },
};

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`baseline: no ${what}`);
  return value;
}

/**
 * A deployment as the baseline manifests want it: a VPC with private subnets in three AZs, the
 * mount-target group admitting TCP 2049 from the function group only, the function group's
 * egress limited to TCP 2049 of the mount-target group, an encrypted file system with the
 * default lifecycle policy and automatic backups, mount targets in both AZs of the functions, a
 * managed access point (uid 1000), and two functions mounting it with timeouts in range. `api`
 * leaves its VPC unmanaged; `worker` has `vpc` in its manifest. The checklist too: the functions'
 * role may mount and write the file system (nothing more), they log JSON, and the file system has
 * efs-reconciler's PercentIOLimit alarm.
 */
export async function seedBaseline(clients: AwsClients, options: BaselineOptions = {}): Promise<Baseline> {
  const network = await seedNetwork(clients, { azs: BASELINE_AZS, cidr: "10.42.0.0/16", name: "baseline" });
  const mountTargetSg = network.efsSecurityGroupId;
  const functionSg = network.lambdaSecurityGroupId;
  const subnetByAz = Object.fromEntries(network.subnets.map((s) => [s.az, s.subnetId]));
  const [subnetA, subnetB] = [
    must(subnetByAz["us-east-1a"], "subnet a"),
    must(subnetByAz["us-east-1b"], "subnet b"),
  ];

  const ingressRuleId = await authorizeNfsIngress(clients, {
    groupId: mountTargetSg,
    sourceGroupId: functionSg,
  });
  // Egress of the function group: only NFS to the mount targets (not the default all-traffic rule).
  await clients.ec2.send(
    new RevokeSecurityGroupEgressCommand({
      GroupId: functionSg,
      IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
    }),
  );
  const egress = await clients.ec2.send(
    new AuthorizeSecurityGroupEgressCommand({
      GroupId: functionSg,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 2049, ToPort: 2049, UserIdGroupPairs: [{ GroupId: mountTargetSg }] },
      ],
    }),
  );
  const egressRuleId = must(egress.SecurityGroupRules?.[0]?.SecurityGroupRuleId, "egress rule id");

  const fs = await seedFileSystem(clients, {
    tags: { Name: BASELINE_FS_TAG, team: "search" },
    encrypted: options.encrypted ?? true,
    ...(options.performanceMode ? { performanceMode: options.performanceMode } : {}),
    throughputMode: "bursting",
    backup: true,
  });
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
    subnetIds: [subnetA, subnetB],
    securityGroupIds: [mountTargetSg],
  });
  const ap = await seedAccessPoint(clients, {
    fileSystemId: fs.fileSystemId,
    posixUser: options.posixUser ?? BASELINE_POSIX_USER,
    rootDirectory: options.rootDirectory ?? BASELINE_ROOT_DIRECTORY,
    tags: options.accessPointTags ?? { [NAME_TAG]: "lambda", [MANAGED_BY_TAG]: MANAGED_BY_VALUE },
  });
  const roleArn = await ensureEmulatorLambdaRole(emulatorEndpoint());
  await grantEfsClient(clients, { roleArn, ...fs });
  await seedManagedAlarm(clients, fs.fileSystemId);
  const mounted = (functionName: string, timeout: number) =>
    seedFunction(clients, {
      functionName,
      timeout,
      roleArn,
      vpc: { subnetIds: [subnetA, subnetB], securityGroupIds: [functionSg] },
      fileSystem: { accessPointArn: ap.accessPointArn, localMountPath: "/mnt/efs" },
      loggingConfig: { LogFormat: "JSON" },
    });
  const api = await mounted(BASELINE_FUNCTIONS.api, 30);
  const worker = await mounted(BASELINE_FUNCTIONS.worker, 60);
  return {
    network,
    mountTargetSg,
    functionSg,
    subnetByAz,
    fileSystemId: fs.fileSystemId,
    fileSystemArn: fs.fileSystemArn,
    mountTargets,
    accessPointId: ap.accessPointId,
    accessPointArn: ap.accessPointArn,
    functions: { api, worker },
    ingressRuleId,
    egressRuleId,
  };
}

/** The manifests `seedBaseline` converges to: `efs.yaml` (FileSystem, AccessPoint), `functions.yaml`. */
export function baselineManifests(b: Baseline): Record<string, string> {
  const subnets = ["us-east-1a", "us-east-1b"].map((az) => b.subnetByAz[az]);
  return {
    "efs.yaml": `apiVersion: efs-reconciler.io/v1alpha1
kind: FileSystem
metadata:
  name: data
spec:
  selector:
    tags:
      Name: ${BASELINE_FS_TAG}
  encrypted: true
  performanceMode: generalPurpose
  throughputMode: bursting
  lifecyclePolicy:
    transitionToIA: AFTER_30_DAYS
    transitionToPrimaryStorageClass: AFTER_1_ACCESS
  backupPolicy: ENABLED
  mountTargets:
    securityGroupId: ${b.mountTargetSg}
---
apiVersion: efs-reconciler.io/v1alpha1
kind: AccessPoint
metadata:
  name: lambda
spec:
  fileSystem: data
  posixUser:
    uid: 1000
    gid: 1000
  rootDirectory:
    path: /lambda
    creationInfo:
      ownerUid: 1000
      ownerGid: 1000
      permissions: "0755"
`,
    "functions.yaml": `apiVersion: efs-reconciler.io/v1alpha1
kind: LambdaFunction
metadata:
  name: api
spec:
  functionName: ${b.functions.api.functionName}
  accessPoint: lambda
  mountPath: /mnt/efs
  timeoutSeconds:
    min: 30
    max: 60
---
apiVersion: efs-reconciler.io/v1alpha1
kind: LambdaFunction
metadata:
  name: worker
spec:
  functionName: ${b.functions.worker.functionName}
  accessPoint: lambda
  timeoutSeconds: { min: 30, max: 120 }
  vpc:
    subnetIds: [${subnets.join(", ")}]
    securityGroupIds: [${b.functionSg}]
`,
  };
}

/** Seeds the baseline, writes its manifests to `dir` and loads them. */
export async function seedBaselineIn(
  clients: AwsClients,
  dir: string,
  options: BaselineOptions = {},
): Promise<{ b: Baseline; desired: DesiredState }> {
  const b = await seedBaseline(clients, options);
  await writeManifests(dir, baselineManifests(b));
  return { b, desired: await loadDesired(dir) };
}

// ---------------------------------------------------------------------------------------------
// The built-in demo

export async function seedDemoScenario(clients: AwsClients, dir: string): Promise<DemoIds> {
  const ids = await seedDemo(clients, await ensureEmulatorLambdaRole(emulatorEndpoint()));
  await writeDemoManifests(dir, ids);
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Planning

/** `plan --output json` as printed on stdout (contract §3). */
export interface PlanDocument {
  formatVersion: string;
  mode: string;
  runId: string;
  manifestRevision: string;
  drift: {
    id: string;
    code: string;
    severity: string;
    remediation: string;
    resource: { type: string; id: string };
    manifest: { kind: string; name: string; file: string };
    field: string;
    expected: JsonValue;
    actual: JsonValue;
    message: string;
  }[];
  actions: {
    id: string;
    type: ActionType;
    phase: number;
    driftIds: string[];
    resource: { type: string; id: string };
    params: Record<string, JsonValue>;
  }[];
  summary: { drift: number; auto: number; manual: number; actions: number };
}

export interface PlanRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The parsed stdout; undefined when stdout was not JSON. */
  plan: PlanDocument | undefined;
}

/** Runs the real CLI in-process: `plan --manifests DIR --output json` against this worker's emulator. */
export async function runPlanJson(dir: string): Promise<PlanRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(
    [
      "plan",
      "--manifests",
      dir,
      "--output",
      "json",
      "--endpoint-url",
      emulatorEndpoint(),
      "--region",
      "us-east-1",
    ],
    {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { NO_COLOR: "1" },
      isTTY: false,
    },
  );
  let plan: PlanDocument | undefined;
  try {
    plan = JSON.parse(stdout) as PlanDocument;
  } catch {
    plan = undefined;
  }
  return { code, stdout, stderr, plan };
}

/** observe → planChanges through the library (what `apply` plans from). */
export async function planFor(desired: DesiredState, clients: AwsClients, runId = "it-run"): Promise<Plan> {
  const observed = await observe(desired, clients);
  return planChanges(desired, observed, { mode: "apply", runId });
}

/** The single planned action of `type` (throws when there is none or several). */
export function onlyAction<T extends ActionType>(plan: Plan, type: T): Extract<Action, { type: T }> {
  const found = plan.actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type} action, the plan has ${found.length}: ${JSON.stringify(plan.actions.map((a) => a.description))}`,
    );
  }
  return found[0] as Extract<Action, { type: T }>;
}

export function actionsOf<T extends ActionType>(plan: Plan, type: T): Extract<Action, { type: T }>[] {
  return plan.actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);
}

// ---------------------------------------------------------------------------------------------
// A read-only snapshot of the account

/** Response without its request metadata (request ids differ on every call). */
function body(out: object): unknown {
  const { $metadata: _ignored, ...rest } = out as { $metadata?: unknown };
  return rest;
}

/**
 * Everything the product can read or write in the emulator's account, as JSON: file systems,
 * their mount targets (with security groups), lifecycle and backup policies, access points,
 * VPCs, subnets, security groups and rules, network interfaces, functions. Only Describe/List
 * calls; DescribeMountTargets counts as an appearance for the `mountTargetCreatingDescribes` knob.
 */
export async function accountSnapshot(clients: AwsClients): Promise<string> {
  const { ec2, efs, lambda } = clients;
  const fileSystems = await efs.send(new DescribeFileSystemsCommand({}));
  const perFileSystem = [];
  for (const fs of fileSystems.FileSystems ?? []) {
    const FileSystemId = fs.FileSystemId;
    const mountTargets = await efs.send(new DescribeMountTargetsCommand({ FileSystemId }));
    const groups = [];
    for (const mt of mountTargets.MountTargets ?? []) {
      const g = await efs.send(
        new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: mt.MountTargetId }),
      );
      groups.push({ mountTargetId: mt.MountTargetId, securityGroups: g.SecurityGroups ?? [] });
    }
    perFileSystem.push({
      fileSystemId: FileSystemId,
      mountTargets: body(mountTargets),
      mountTargetGroups: groups,
      lifecycle: body(await efs.send(new DescribeLifecycleConfigurationCommand({ FileSystemId }))),
      backup: body(await efs.send(new DescribeBackupPolicyCommand({ FileSystemId }))),
      accessPoints: body(await efs.send(new DescribeAccessPointsCommand({ FileSystemId }))),
      policy: await efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId })).then(
        (out) => out.Policy ?? null,
        (err: { name?: string }) => `no policy (${err.name ?? "error"})`,
      ),
    });
  }
  // SizeInBytes.Timestamp is when EFS last metered the size (the time of the call in the emulator).
  const stableFileSystems = (fileSystems.FileSystems ?? []).map((fs) => ({
    ...fs,
    SizeInBytes: { ...fs.SizeInBytes, Timestamp: undefined },
  }));
  const snapshot = {
    fileSystems: stableFileSystems,
    perFileSystem,
    vpcs: body(await ec2.send(new DescribeVpcsCommand({}))),
    subnets: body(await ec2.send(new DescribeSubnetsCommand({}))),
    securityGroups: body(await ec2.send(new DescribeSecurityGroupsCommand({}))),
    securityGroupRules: body(await ec2.send(new DescribeSecurityGroupRulesCommand({}))),
    networkInterfaces: body(await ec2.send(new DescribeNetworkInterfacesCommand({}))),
    functions: body(await lambda.send(new ListFunctionsCommand({}))),
  };
  return JSON.stringify(snapshot, null, 1);
}
