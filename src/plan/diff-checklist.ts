/**
 * The checklist part of the pure diff (contract §2, the last six codes): public subnets of
 * functions and mount targets, the execution roles' EFS access (missing or too broad), the
 * functions' log format, and the file systems' CloudWatch alarms. Each check runs only when the
 * snapshot holds what it needs (`routeTables`, `iam`, `alarms`, a function's `logFormat`).
 */
import type { DesiredState, FileSystemManifest, Kind, LambdaFunctionManifest } from "../desired-state/types";
import type {
  ObservedAlarm,
  ObservedFileSystem,
  ObservedFunction,
  ObservedRoute,
  ObservedRouteTable,
  ObservedState,
} from "../observe/types";
import {
  ALARM_KINDS,
  type AlarmDefinition,
  alarmDifferences,
  alarmJson,
  alarmName,
  alarmNamePrefixOf,
  describeAlarm,
  desiredAlarm,
  isManagedAlarm,
  observedAlarmJson,
} from "./alarm-definitions";
import type { DiffBuilder, FunctionView, ProposedAction } from "./diff";
import {
  AWS_MANAGED_EFS_CLIENT_POLICIES,
  awsManagedPolicyName,
  type BroadGrant,
  evaluateEfsAccess,
  minimalStatement,
  type PolicySource,
  requiredActions,
} from "./iam-policy";
import type { JsonValue, ResourceRef } from "./types";

type FunctionUpdate = ProposedAction & { type: "UpdateFunctionConfiguration" };

const manifestRef = (m: { kind: Kind; name: string; source: { file: string } }) => ({
  kind: m.kind,
  name: m.name,
  file: m.source.file,
});

/** Runs every checklist check; `functionUpdates` holds the phase-1 function updates planned so far. */
export function diffChecklist(
  b: DiffBuilder,
  desired: DesiredState,
  observed: ObservedState,
  views: ReadonlyMap<string, FunctionView>,
  functionUpdates: Map<string, FunctionUpdate>,
): void {
  const fileSystemOf = fileSystemResolver(desired, observed);
  for (const view of views.values()) {
    // A function outside any VPC (and not put into one by its manifest) reports FN_NOT_IN_VPC only.
    if (!view.fn || (!view.fn.vpcConfig && !view.manifest.spec.vpc)) continue;
    diffLogFormat(b, view.manifest, view.fn, functionUpdates);
    if (observed.routeTables) diffFunctionSubnets(b, view, observed, observed.routeTables);
    const bound = fileSystemOf(view.manifest);
    if (observed.iam && bound) diffRoleAccess(b, view.manifest, view.fn, bound, observed);
  }
  for (const fsm of desired.fileSystems) {
    const lookup = observed.fileSystems[fsm.name];
    if (!lookup?.found) continue;
    if (observed.routeTables)
      diffMountTargetSubnets(b, fsm, lookup.fileSystem, observed, observed.routeTables);
    if (observed.alarms) diffAlarms(b, fsm, lookup.fileSystem, observed.alarms);
  }
}

/** The live file system a function is bound to through its access point, if found. */
function fileSystemResolver(desired: DesiredState, observed: ObservedState) {
  const aps = new Map(desired.accessPoints.map((a) => [a.name, a]));
  return (m: LambdaFunctionManifest): ObservedFileSystem | undefined => {
    const fsName = aps.get(m.spec.accessPoint)?.spec.fileSystem;
    const lookup = fsName ? observed.fileSystems[fsName] : undefined;
    return lookup?.found ? lookup.fileSystem : undefined;
  };
}

// ---------------------------------------------------------------------------------------------
// FN_LOG_FORMAT

function diffLogFormat(
  b: DiffBuilder,
  m: LambdaFunctionManifest,
  fn: ObservedFunction,
  functionUpdates: Map<string, FunctionUpdate>,
): void {
  const want = m.spec.logFormat;
  if (want === "unmanaged" || fn.logFormat === undefined || fn.logFormat === want) return;
  const resource: ResourceRef = { type: "AWS::Lambda::Function", id: fn.functionArn };
  const d = b.add({
    code: "FN_LOG_FORMAT",
    manifest: manifestRef(m),
    resource,
    field: "loggingConfig.logFormat",
    expected: want,
    actual: fn.logFormat,
    message: `function ${fn.functionName} writes ${fn.logFormat} logs, the manifest wants ${want}; its log format will be set to ${want}${want === "JSON" ? " (structured logs CloudWatch Logs Insights can query by field)" : ""}`,
  });
  const why = `set log format ${fn.logFormat} → ${want}`;
  // One UpdateFunctionConfiguration per function: Lambda refuses a second update while one is in progress.
  const existing = functionUpdates.get(m.name);
  if (existing) {
    existing.params.logFormat = want;
    existing.driftIds.push(d.id);
    existing.description = `${existing.description}; ${why}`;
    return;
  }
  const action: FunctionUpdate = {
    type: "UpdateFunctionConfiguration",
    params: { functionName: fn.functionName, logFormat: want },
    phase: 1,
    resource,
    description: why,
    driftIds: [d.id],
  };
  functionUpdates.set(m.name, action);
  b.propose(action);
}

// ---------------------------------------------------------------------------------------------
// FN_PUBLIC_SUBNET, MT_PUBLIC_SUBNET

interface Routing {
  table: ObservedRouteTable;
  /** True when the table is the VPC's main table (the subnet has no explicit association). */
  viaMain: boolean;
}

/** The route table of a subnet: its explicit association, else the main table of its VPC. */
export function routeTableOf(
  subnetId: string,
  observed: Pick<ObservedState, "subnets">,
  tables: Record<string, ObservedRouteTable>,
): Routing | undefined {
  const all = Object.values(tables);
  const explicit = all.find((t) => t.subnetIds.includes(subnetId));
  if (explicit) return { table: explicit, viaMain: false };
  const vpcId = observed.subnets[subnetId]?.vpcId;
  const main = vpcId ? all.find((t) => t.main && t.vpcId === vpcId) : undefined;
  return main ? { table: main, viaMain: true } : undefined;
}

/** The route that makes a table public: 0.0.0.0/0 to an internet gateway (NAT and others are private). */
export function internetRoute(table: ObservedRouteTable): ObservedRoute | undefined {
  return table.routes.find(
    (r) =>
      r.destinationCidrBlock === "0.0.0.0/0" && r.gatewayId?.startsWith("igw-") && r.state !== "blackhole",
  );
}

interface PublicSubnet {
  subnetId: string;
  routing: Routing;
  gatewayId: string;
}

function publicSubnet(
  subnetId: string,
  observed: ObservedState,
  tables: Record<string, ObservedRouteTable>,
): PublicSubnet | undefined {
  const routing = routeTableOf(subnetId, observed, tables);
  const route = routing ? internetRoute(routing.table) : undefined;
  return routing && route?.gatewayId ? { subnetId, routing, gatewayId: route.gatewayId } : undefined;
}

/** Whether the snapshot shows the subnet routing 0.0.0.0/0 to an internet gateway (unknown: no). */
export function isPublicSubnet(subnetId: string, observed: ObservedState): boolean {
  return (
    observed.routeTables !== undefined && publicSubnet(subnetId, observed, observed.routeTables) !== undefined
  );
}

function describeRouting(p: PublicSubnet): string {
  const which = p.routing.viaMain
    ? `the main route table ${p.routing.table.routeTableId} of ${p.routing.table.vpcId} (the subnet has no route table of its own)`
    : `route table ${p.routing.table.routeTableId}`;
  return `${which} sends 0.0.0.0/0 to internet gateway ${p.gatewayId}`;
}

function publicJson(p: PublicSubnet): JsonValue {
  return {
    subnetId: p.subnetId,
    routeTableId: p.routing.table.routeTableId,
    mainRouteTable: p.routing.viaMain,
    internetGatewayId: p.gatewayId,
  };
}

const PRIVATE = "private: no 0.0.0.0/0 route to an internet gateway";

function diffFunctionSubnets(
  b: DiffBuilder,
  view: FunctionView,
  observed: ObservedState,
  tables: Record<string, ObservedRouteTable>,
): void {
  const fn = view.fn;
  if (!fn) return;
  const fromManifest = view.manifest.spec.vpc !== undefined;
  for (const subnetId of [...new Set(view.subnets)].sort()) {
    const p = publicSubnet(subnetId, observed, tables);
    if (!p) continue;
    const az = observed.subnets[subnetId]?.availabilityZone;
    b.add({
      code: "FN_PUBLIC_SUBNET",
      manifest: manifestRef(view.manifest),
      resource: { type: "AWS::Lambda::Function", id: fn.functionArn },
      field: `subnets.${subnetId}`,
      expected: PRIVATE,
      actual: publicJson(p),
      message:
        `function ${fn.functionName} runs in public subnet ${subnetId}${az ? ` (${az})` : ""}: ${describeRouting(p)}; ` +
        "functions belong in private subnets (a function never gets a public IP, so a public subnet does not even give it internet access): " +
        `${fromManifest ? "list private subnets in spec.vpc.subnetIds" : "move it to private subnets"} ` +
        "(0.0.0.0/0 through a NAT gateway if it needs the internet), or remove that route",
    });
  }
}

function diffMountTargetSubnets(
  b: DiffBuilder,
  fsm: FileSystemManifest,
  fs: ObservedFileSystem,
  observed: ObservedState,
  tables: Record<string, ObservedRouteTable>,
): void {
  for (const mt of fs.mountTargets) {
    const p = publicSubnet(mt.subnetId, observed, tables);
    if (!p) continue;
    b.add({
      code: "MT_PUBLIC_SUBNET",
      manifest: manifestRef(fsm),
      resource: { type: "AWS::EFS::MountTarget", id: mt.mountTargetId },
      field: "subnetId",
      expected: PRIVATE,
      actual: publicJson(p),
      message:
        `mount target ${mt.mountTargetId} of ${fs.fileSystemId} (${mt.availabilityZone}) sits in public subnet ${mt.subnetId}: ` +
        `${describeRouting(p)}; replace it with a mount target in a private subnet of ${mt.availabilityZone}, ` +
        "or remove that route (efs-reconciler never deletes mount targets)",
    });
  }
}

// ---------------------------------------------------------------------------------------------
// FN_IAM_EFS_ACCESS_MISSING, FN_IAM_EFS_ACCESS_TOO_BROAD

function policyLabel(
  p: { kind: "inline" | "managed"; name: string; arn?: string },
  roleName: string,
): string {
  if (p.kind === "inline") return `inline policy ${p.name} of role ${roleName}`;
  const awsManaged = awsManagedPolicyName(p.arn);
  return awsManaged ? `AWS managed policy ${awsManaged}` : `managed policy ${p.name}`;
}

function describeGrant(g: BroadGrant): string {
  const parts: string[] = [];
  if (g.beyondClient.length > 0) parts.push(g.beyondClient.map((a) => `elasticfilesystem:${a}`).join(", "));
  if (g.onEveryFileSystem) parts.push(`on ${g.resources.join(", ") || "*"} (every file system)`);
  const managed = /^AWS managed policy (\S+)$/.exec(g.source)?.[1];
  const note = managed ? AWS_MANAGED_EFS_CLIENT_POLICIES[managed] : undefined;
  return `${g.source}${g.sid ? ` (statement ${g.sid})` : ""} grants ${parts.join(" ")}${note ? ` — ${note}` : ""}`;
}

function diffRoleAccess(
  b: DiffBuilder,
  m: LambdaFunctionManifest,
  fn: ObservedFunction,
  fs: ObservedFileSystem,
  observed: ObservedState,
): void {
  const iam = observed.iam;
  const roleArn = fn.role;
  const role = roleArn ? iam?.roles[roleArn] : undefined;
  if (!iam || !roleArn || !role) return;
  const resource: ResourceRef = { type: "AWS::Lambda::Function", id: fn.functionArn };
  const access = m.spec.access;
  const statement = minimalStatement(fs.fileSystemArn, access);
  const statementText = JSON.stringify(statement);
  const mref = manifestRef(m);

  if (!role.found) {
    b.add({
      code: "FN_IAM_EFS_ACCESS_MISSING",
      manifest: mref,
      resource,
      field: "role",
      expected: statement,
      actual: { role: roleArn, exists: false },
      message: `execution role ${roleArn} of function ${fn.functionName} does not exist, so the function cannot mount ${fs.fileSystemId}; give it a role with this statement: ${statementText}`,
    });
    return;
  }

  const mounted = fn.fileSystemConfigs.find((c) => fs.accessPoints.some((ap) => ap.accessPointArn === c.arn));
  const identityPolicies: PolicySource[] = role.policies.map((p) => ({
    label: policyLabel(p, role.roleName),
    document: p.document,
  }));
  const evaluation = evaluateEfsAccess({
    roleArn,
    fileSystemArn: fs.fileSystemArn,
    identityPolicies,
    resourcePolicy: iam.fileSystemPolicies[fs.fileSystemId] ?? null,
    ...(mounted ? { accessPointArn: mounted.arn } : {}),
  });
  const unreadable =
    evaluation.unreadable.length > 0
      ? `; unreadable policies grant nothing: ${evaluation.unreadable.join("; ")}`
      : "";

  const missing = requiredActions(access).filter((a) => !evaluation.decisions[a].allowed);
  if (missing.length > 0) {
    const reasons = missing.map((a) => {
      const d = evaluation.decisions[a];
      if (d.deniedBy.length > 0) return `${a} is denied by ${d.deniedBy.join(", ")}`;
      if (d.conditionallyAllowedBy.length > 0) {
        return `${a} is granted only under conditions efs-reconciler cannot confirm for a Lambda mount (${d.conditionallyAllowedBy.join(", ")})`;
      }
      return `no policy grants ${a}`;
    });
    b.add({
      code: "FN_IAM_EFS_ACCESS_MISSING",
      manifest: mref,
      resource,
      field: "role",
      expected: statement,
      actual: {
        role: roleArn,
        missing: missing.map((a) => `elasticfilesystem:${a}`),
        deniedBy: [...new Set(missing.flatMap((a) => evaluation.decisions[a].deniedBy))],
      },
      message:
        `role ${role.roleName} of function ${fn.functionName} lacks ${missing.map((a) => `elasticfilesystem:${a}`).join(" and ")} ` +
        `on ${fs.fileSystemId} (access: ${access}): ${reasons.join("; ")}${unreadable}; ` +
        `add this statement to the role${missing.some((a) => evaluation.decisions[a].deniedBy.length > 0) ? " and lift the deny" : ""}: ${statementText}`,
    });
  }

  if (evaluation.broadGrants.length > 0) {
    const g = evaluation.broadGrants;
    b.add({
      code: "FN_IAM_EFS_ACCESS_TOO_BROAD",
      manifest: mref,
      resource,
      field: "role.efsGrants",
      expected: statement,
      actual: g.map((x) => ({
        policy: x.source,
        ...(x.sid ? { sid: x.sid } : {}),
        beyondClientActions: x.beyondClient.map((a) => `elasticfilesystem:${a}`),
        onEveryFileSystem: x.onEveryFileSystem,
        resources: x.resources,
      })),
      message:
        `role ${role.roleName} of function ${fn.functionName} holds more EFS access than mounting ${fs.fileSystemId} needs: ` +
        `${g.map(describeGrant).join("; ")}; grant exactly this statement instead: ${statementText}`,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// FS_ALARMS

/** `efs-reconciler-<fileSystemId>-` of an alarm name (file-system ids hold no further `-`). */
const FILE_SYSTEM_PREFIX = /^efs-reconciler-fs-[^-]+-/;
const alarmIndexes = new WeakMap<object, Map<string, ObservedAlarm[]>>();

/** The alarms whose name starts with `prefix`; indexed once per snapshot, so the diff stays linear. */
function alarmsWithPrefix(alarms: NonNullable<ObservedState["alarms"]>, prefix: string): ObservedAlarm[] {
  if (!FILE_SYSTEM_PREFIX.test(prefix))
    return Object.values(alarms).filter((a) => a.alarmName.startsWith(prefix));
  let index = alarmIndexes.get(alarms);
  if (!index) {
    index = new Map();
    for (const a of Object.values(alarms)) {
      const key = FILE_SYSTEM_PREFIX.exec(a.alarmName)?.[0];
      if (!key) continue;
      const list = index.get(key) ?? [];
      list.push(a);
      index.set(key, list);
    }
    alarmIndexes.set(alarms, index);
  }
  return index.get(prefix) ?? [];
}

function diffAlarms(
  b: DiffBuilder,
  fsm: FileSystemManifest,
  fs: ObservedFileSystem,
  alarms: NonNullable<ObservedState["alarms"]>,
): void {
  const mref = manifestRef(fsm);
  const wanted = new Set<string>();
  for (const kind of ALARM_KINDS) {
    const def = desiredAlarm(fs.fileSystemId, kind, fsm.spec.alarms);
    if (!def) continue;
    wanted.add(def.alarmName);
    const live = alarms[def.alarmName];
    const resource: ResourceRef = { type: "AWS::CloudWatch::Alarm", id: def.alarmName };
    const differences = live ? alarmDifferences(def, live) : [];
    if (live && differences.length === 0) continue;
    const d = b.add({
      code: "FS_ALARMS",
      manifest: mref,
      resource,
      field: `alarms.${kind}`,
      expected: alarmJson(def),
      actual: live ? observedAlarmJson(live) : null,
      message: live
        ? `alarm ${def.alarmName} on ${fs.fileSystemId} differs: ${differences.map((x) => `${x.field} ${x.live} → ${x.wanted}`).join(", ")}; it will be updated`
        : `${fs.fileSystemId} has no alarm ${describeAlarm(def)}; ${def.alarmName} will be created`,
    });
    b.propose(putAlarmAction(def, live !== undefined, resource, d.id));
  }
  // Alarms efs-reconciler made for this file system that the manifest no longer wants.
  const prefix = alarmNamePrefixOf(fs.fileSystemId);
  for (const live of alarmsWithPrefix(alarms, prefix)) {
    if (!live.alarmName.startsWith(prefix) || wanted.has(live.alarmName) || !isManagedAlarm(live)) continue;
    const kind = ALARM_KINDS.find((k) => live.alarmName === alarmName(fs.fileSystemId, k));
    const resource: ResourceRef = { type: "AWS::CloudWatch::Alarm", id: live.alarmName };
    const d = b.add({
      code: "FS_ALARMS",
      manifest: mref,
      resource,
      field: kind ? `alarms.${kind}` : "alarms",
      expected: null,
      actual: observedAlarmJson(live),
      message: `alarm ${live.alarmName} on ${fs.fileSystemId} was made by efs-reconciler and the manifest no longer wants it${kind ? ` (alarms.${kind}: false)` : ""}; it will be deleted`,
    });
    b.propose({
      type: "DeleteAlarm",
      params: { alarmName: live.alarmName, fileSystemId: fs.fileSystemId },
      phase: 3,
      resource,
      description: `delete alarm ${live.alarmName} (no longer wanted)`,
      driftIds: [d.id],
    });
  }
}

function putAlarmAction(
  def: AlarmDefinition,
  exists: boolean,
  resource: ResourceRef,
  driftId: string,
): ProposedAction {
  return {
    type: "PutMetricAlarm",
    params: { alarm: def, exists },
    phase: 1,
    resource,
    description: `${exists ? "update" : "create"} alarm ${describeAlarm(def)}`,
    driftIds: [driftId],
  };
}
