/**
 * The built-in demo (src/demo/scenario.ts) as the fully drifted fixture of the reliability tests:
 * every action family, the access-point replacement chain (create → repoint both functions →
 * delete the old one) and the security-group chain (authorize → revoke). Plus the end state the
 * safety promises are checked on.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeSecurityGroupRulesCommand } from "@aws-sdk/client-ec2";
import { DescribeAccessPointsCommand, DescribeMountTargetsCommand } from "@aws-sdk/client-efs";
import { GetFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import type { AwsClients } from "../../../src/aws/clients";
import { type DemoIds, writeDemoManifests } from "../../../src/demo/scenario";
import { canonicalRule } from "../../../src/observe/canonical";
import type { SecurityGroupRule } from "../../../src/observe/types";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { seedDemoScenario } from "../../support/scenarios";

export const NAME_TAG = "efs-reconciler.io/name";
export const MANAGED_BY_TAG = "efs-reconciler.io/managed-by";
export const DEMO_FUNCTIONS = ["suplementia-search", "suplementia-embeddings"] as const;
export const DEMO_ACCESS_POINT = "lambda";

export interface DemoFixture {
  ids: DemoIds;
  /** Holds `desired-state/` (the manifests) and `state/` (run records). */
  dir: string;
  manifests: string;
  stateDir: string;
  cleanup: () => Promise<void>;
}

/** Wipes the emulator and seeds the drifted demo with its manifests in a new temporary directory. */
export async function freshDemo(): Promise<DemoFixture> {
  await resetEmulator();
  const dir = await mkdtemp(join(tmpdir(), "efs-reconciler-reliability-"));
  const manifests = join(dir, "desired-state");
  const ids = await seedDemoScenario(emulatorClients(), manifests);
  return {
    ids,
    dir,
    manifests,
    stateDir: join(dir, "state"),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The demo's manifests only (nothing seeded): for runs that fail before they change anything. */
export async function demoManifestsOnly(): Promise<Omit<DemoFixture, "ids">> {
  const dir = await mkdtemp(join(tmpdir(), "efs-reconciler-reliability-"));
  const manifests = join(dir, "desired-state");
  await writeDemoManifests(manifests, { mountTargetSecurityGroupId: "sg-0123456789abcdef0" });
  return {
    dir,
    manifests,
    stateDir: join(dir, "state"),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface LiveAccessPoint {
  id: string;
  arn: string;
  uid: number | undefined;
  tags: Record<string, string>;
}

export interface DemoState {
  accessPoints: LiveAccessPoint[];
  /** Function name → its file system configs. */
  mounts: Record<string, { arn: string; path: string }[]>;
  /** Ingress rules of the mount-target security group, canonical. */
  ingress: SecurityGroupRule[];
  /** Availability zone of every mount target (one entry per mount target). */
  mountTargetAzs: string[];
}

/** Reads what the safety promises are about (read-only calls, one attempt each). */
export async function demoState(ids: DemoIds, clients: AwsClients = emulatorClients()): Promise<DemoState> {
  const aps = await clients.efs.send(new DescribeAccessPointsCommand({ FileSystemId: ids.fileSystemId }));
  const accessPoints = (aps.AccessPoints ?? [])
    .filter((ap) => ap.LifeCycleState !== "deleting" && ap.LifeCycleState !== "deleted")
    .map((ap) => ({
      id: ap.AccessPointId ?? "",
      arn: ap.AccessPointArn ?? "",
      uid: ap.PosixUser?.Uid,
      tags: Object.fromEntries((ap.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
    }));
  const mounts: DemoState["mounts"] = {};
  for (const name of DEMO_FUNCTIONS) {
    const fn = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    mounts[name] = (fn.FileSystemConfigs ?? []).map((c) => ({
      arn: c.Arn ?? "",
      path: c.LocalMountPath ?? "",
    }));
  }
  const rules = await clients.ec2.send(
    new DescribeSecurityGroupRulesCommand({
      Filters: [{ Name: "group-id", Values: [ids.mountTargetSecurityGroupId] }],
    }),
  );
  const ingress = (rules.SecurityGroupRules ?? [])
    .map((r) => canonicalRule(r))
    .filter((r): r is SecurityGroupRule => r !== undefined && !r.isEgress);
  const mts = await clients.efs.send(new DescribeMountTargetsCommand({ FileSystemId: ids.fileSystemId }));
  const mountTargetAzs = (mts.MountTargets ?? []).map((mt) => mt.AvailabilityZoneName ?? "").sort();
  return { accessPoints, mounts, ingress, mountTargetAzs };
}

const ruleKey = (r: SecurityGroupRule) =>
  `${r.ipProtocol}/${r.fromPort}-${r.toPort}/${r.cidrIpv4 ?? r.cidrIpv6 ?? r.prefixListId ?? r.referencedGroupId}`;

/**
 * What breaks the safety promises at any moment, converged or not (a crash may stop an apply
 * anywhere): every function mounts exactly one access point that exists; no duplicate rule or
 * mount target; the open rules are revoked only once the functions' own rule exists.
 */
export function safetyProblems(state: DemoState, ids: DemoIds): string[] {
  const problems: string[] = [];
  const live = new Set(state.accessPoints.map((ap) => ap.arn));
  for (const [fn, configs] of Object.entries(state.mounts)) {
    if (configs.length !== 1) problems.push(`${fn} has ${configs.length} file system configs`);
    for (const c of configs) {
      if (!live.has(c.arn)) problems.push(`${fn} mounts ${c.arn}, which does not exist`);
      if (c.path !== "/mnt/efs") problems.push(`${fn} mounts at ${c.path}`);
    }
  }
  const keys = state.ingress.map(ruleKey);
  if (new Set(keys).size !== keys.length) problems.push(`duplicate ingress rules: ${keys.join(", ")}`);
  if (new Set(state.mountTargetAzs).size !== state.mountTargetAzs.length) {
    problems.push(`two mount targets in one AZ: ${state.mountTargetAzs.join(", ")}`);
  }
  const openNfs = state.ingress.some((r) => r.cidrIpv4 === "0.0.0.0/0");
  const fromFunctions = state.ingress.some((r) => r.referencedGroupId === ids.functionSecurityGroupId);
  if (!openNfs && !fromFunctions) problems.push("NFS was revoked before the functions' own rule existed");
  return problems;
}

/** What keeps the demo from being converged (empty when it is), besides `safetyProblems`. */
export function convergenceProblems(state: DemoState, ids: DemoIds): string[] {
  const problems = safetyProblems(state, ids);
  const named = state.accessPoints.filter((ap) => ap.tags[NAME_TAG] === DEMO_ACCESS_POINT);
  if (named.length !== 1) {
    problems.push(`${named.length} access points are tagged ${NAME_TAG}=${DEMO_ACCESS_POINT}, not one`);
  }
  const [live] = named;
  const managed = state.accessPoints.filter((ap) => ap.tags[MANAGED_BY_TAG] === "efs-reconciler");
  if (managed.length !== 1 || managed[0]?.id !== live?.id) {
    problems.push(`managed access points: ${managed.map((ap) => ap.id).join(", ") || "none"} (leaked?)`);
  }
  if (live && live.uid !== 1000) problems.push(`the live access point runs as uid ${live.uid}`);
  for (const [fn, configs] of Object.entries(state.mounts)) {
    if (configs[0]?.arn !== live?.arn) problems.push(`${fn} does not mount the live access point`);
  }
  const expected = [`tcp/2049-2049/${ids.functionSecurityGroupId}`];
  const keys = state.ingress.map(ruleKey).sort();
  if (keys.length !== 1 || keys[0] !== expected[0]) {
    problems.push(`mount-target ingress is [${keys.join(", ")}], not [${expected.join(", ")}]`);
  }
  if (state.mountTargetAzs.join(",") !== "us-east-1a,us-east-1b,us-east-1c") {
    problems.push(`mount targets in ${state.mountTargetAzs.join(", ")}`);
  }
  return problems;
}
