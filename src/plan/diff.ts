/**
 * The pure diff: desired state + observed snapshot → findings (a drift item and the actions that
 * remediate it). No I/O. Canonicalises before comparing, so AWS's own normalisation never shows as
 * drift.
 */
import type {
  AccessPointManifest,
  DesiredState,
  FileSystemManifest,
  Kind,
  LambdaFunctionManifest,
} from "../desired-state/types";
import type {
  ObservedAccessPoint,
  ObservedFileSystem,
  ObservedFunction,
  ObservedState,
  SecurityGroupRule,
} from "../observe/types";
import {
  accessPointClientToken,
  accessPointSpecHash,
  MANAGED_BY_TAG,
  MANAGED_BY_VALUE,
  NAME_TAG,
} from "../reconcilers/access-point-identity";
import { DRIFT_CATALOG, NFS_PORT } from "./catalog";
import { diffChecklist, isPublicSubnet } from "./diff-checklist";
import { stableId } from "./hash";
import type {
  AccessPointDefinition,
  AccessPointTarget,
  ActionSpec,
  Drift,
  DriftCode,
  JsonValue,
  Remediation,
  ResourceRef,
  Severity,
} from "./types";

/** An action proposed by the diff, before the planner merges, orders and identifies it. */
export type ProposedAction = ActionSpec & {
  phase: 1 | 2 | 3;
  resource: ResourceRef;
  description: string;
  driftIds: string[];
};

export interface DiffResult {
  drift: Drift[];
  actions: ProposedAction[];
}

interface DriftInput {
  code: DriftCode;
  manifest: { kind: Kind; name: string; file: string };
  resource: ResourceRef;
  field: string;
  expected: JsonValue;
  actual: JsonValue;
  message: string;
  severity?: Severity;
  remediation?: Remediation;
}

/** Everything the diff knows about one function manifest once resolved against the account. */
export interface FunctionView {
  manifest: LambdaFunctionManifest;
  fn?: ObservedFunction;
  /** Subnets the function has once its manifest is applied (manifest `vpc` wins over live). */
  subnets: string[];
  securityGroups: string[];
  /** Whether the network-dependent checks apply (in a VPC now, or put into one by this plan). */
  networked: boolean;
}

export class DiffBuilder {
  readonly drift: Drift[] = [];
  readonly actions: ProposedAction[] = [];

  add(input: DriftInput): Drift {
    const catalog = DRIFT_CATALOG[input.code];
    const drift: Drift = {
      id: stableId(input.code, input.resource.id, input.field),
      code: input.code,
      severity: input.severity ?? catalog.severity,
      remediation: input.remediation ?? catalog.remediation,
      resource: input.resource,
      manifest: input.manifest,
      field: input.field,
      expected: input.expected,
      actual: input.actual,
      message: input.message,
    };
    this.drift.push(drift);
    return drift;
  }

  propose(action: ProposedAction): void {
    this.actions.push(action);
  }
}

const ref = (m: { kind: Kind; name: string; source: { file: string } }) => ({
  kind: m.kind,
  name: m.name,
  file: m.source.file,
});

const uniqSorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();
const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const x = uniqSorted(a);
  const y = uniqSorted(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

/** Octal permission strings compared as numbers: "755" = "0755". */
export function samePermissions(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Number.parseInt(a, 8) === Number.parseInt(b, 8);
}

export function describeRule(rule: SecurityGroupRule): string {
  const proto = rule.ipProtocol === "-1" ? "all traffic" : rule.ipProtocol.toUpperCase();
  const ports =
    rule.ipProtocol === "-1"
      ? ""
      : rule.fromPort === rule.toPort
        ? ` ${rule.fromPort}`
        : ` ${rule.fromPort}-${rule.toPort}`;
  const source =
    rule.referencedGroupId ?? rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.prefixListId ?? "an unknown source";
  return `${proto}${ports} ${rule.isEgress ? "to" : "from"} ${source}`;
}

function coversNfs(rule: SecurityGroupRule): boolean {
  return (
    rule.ipProtocol === "-1" ||
    (rule.ipProtocol === "tcp" && rule.fromPort <= NFS_PORT && rule.toPort >= NFS_PORT)
  );
}

function isExactNfsFrom(rule: SecurityGroupRule, allowedSources: ReadonlySet<string>): boolean {
  return (
    !rule.isEgress &&
    rule.ipProtocol === "tcp" &&
    rule.fromPort === NFS_PORT &&
    rule.toPort === NFS_PORT &&
    rule.referencedGroupId !== undefined &&
    allowedSources.has(rule.referencedGroupId) &&
    rule.cidrIpv4 === undefined &&
    rule.cidrIpv6 === undefined &&
    rule.prefixListId === undefined
  );
}

function isWorldOpen(rule: SecurityGroupRule): boolean {
  return rule.cidrIpv4 === "0.0.0.0/0" || rule.cidrIpv6 === "::/0";
}

export function accessPointDefinition(ap: AccessPointManifest, fileSystemId: string): AccessPointDefinition {
  const s = ap.spec;
  return {
    fileSystemId,
    name: ap.name,
    posixUser: {
      uid: s.posixUser.uid,
      gid: s.posixUser.gid,
      secondaryGids: [...s.posixUser.secondaryGids].sort((a, b) => a - b),
    },
    rootDirectory: {
      path: s.rootDirectory.path,
      creationInfo: { ...s.rootDirectory.creationInfo },
    },
  };
}

function posixMatches(def: AccessPointDefinition, ap: ObservedAccessPoint): boolean {
  const p = ap.posixUser;
  if (!p) return false;
  const live = [...p.secondaryGids].sort((a, b) => a - b);
  return (
    p.uid === def.posixUser.uid &&
    p.gid === def.posixUser.gid &&
    live.length === def.posixUser.secondaryGids.length &&
    live.every((g, i) => g === def.posixUser.secondaryGids[i])
  );
}

function rootMatches(def: AccessPointDefinition, ap: ObservedAccessPoint): boolean {
  const live = ap.rootDirectory;
  const want = def.rootDirectory;
  const ci = live.creationInfo;
  return (
    live.path === want.path &&
    ci !== undefined &&
    ci.ownerUid === want.creationInfo.ownerUid &&
    ci.ownerGid === want.creationInfo.ownerGid &&
    samePermissions(ci.permissions, want.creationInfo.permissions)
  );
}

function posixJson(p: ObservedAccessPoint["posixUser"]): JsonValue {
  return p ? { uid: p.uid, gid: p.gid, secondaryGids: [...p.secondaryGids].sort((a, b) => a - b) } : null;
}

function rootJson(r: ObservedAccessPoint["rootDirectory"]): JsonValue {
  return {
    path: r.path,
    creationInfo: r.creationInfo
      ? {
          ownerUid: r.creationInfo.ownerUid,
          ownerGid: r.creationInfo.ownerGid,
          permissions: r.creationInfo.permissions,
        }
      : null,
  };
}

function functionViews(desired: DesiredState, observed: ObservedState): Map<string, FunctionView> {
  const views = new Map<string, FunctionView>();
  for (const m of desired.functions) {
    const lookup = observed.functions[m.name];
    const fn = lookup?.found ? lookup.fn : undefined;
    const subnets = m.spec.vpc?.subnetIds ?? fn?.vpcConfig?.subnetIds ?? [];
    const securityGroups = m.spec.vpc?.securityGroupIds ?? fn?.vpcConfig?.securityGroupIds ?? [];
    views.set(m.name, {
      manifest: m,
      ...(fn ? { fn } : {}),
      subnets,
      securityGroups,
      networked: fn !== undefined && subnets.length > 0,
    });
  }
  return views;
}

function azsOf(subnets: readonly string[], observed: ObservedState): string[] {
  return uniqSorted(
    subnets.map((s) => observed.subnets[s]?.availabilityZone).filter((az): az is string => az !== undefined),
  );
}

export interface DiffOptions {
  /** The only security groups whose ingress may be changed; absent, every group a manifest names. */
  ingressGroups?: readonly string[] | undefined;
}

export function diff(desired: DesiredState, observed: ObservedState, options: DiffOptions = {}): DiffResult {
  const b = new DiffBuilder();
  const views = functionViews(desired, observed);
  const apsByName = new Map(desired.accessPoints.map((a) => [a.name, a]));

  // Indexes built once, so the diff stays linear in the number of manifests.
  const viewsByFs = new Map<string, FunctionView[]>();
  const viewsByAp = new Map<string, FunctionView[]>();
  const push = <K, V>(index: Map<K, V[]>, key: K, value: V): void => {
    const list = index.get(key);
    if (list) list.push(value);
    else index.set(key, [value]);
  };
  for (const v of views.values()) {
    push(viewsByAp, v.manifest.spec.accessPoint, v);
    const fsName = apsByName.get(v.manifest.spec.accessPoint)?.spec.fileSystem;
    if (fsName !== undefined) push(viewsByFs, fsName, v);
  }
  const apsByFs = new Map<string, typeof desired.accessPoints>();
  for (const a of desired.accessPoints) push(apsByFs, a.spec.fileSystem, a);

  /** Functions bound (through their access point) to each FileSystem manifest. */
  const boundTo = (fsName: string): FunctionView[] => viewsByFs.get(fsName) ?? [];
  /** Every live function a manifest binds; other functions mounting an access point are not ours to move. */
  const manifestFunctions = uniqSorted([...views.values()].flatMap((v) => (v.fn ? [v.fn.functionName] : [])));

  const groups = new Map<string, MountTargetGroup>();
  for (const fsm of desired.fileSystems) {
    const sgId = fsm.spec.mountTargets.securityGroupId;
    const group = groups.get(sgId) ?? {
      sources: new Set<string>(),
      owners: [],
      reported: new Set<string>(),
      outOfScope: outOfScope(sgId, options.ingressGroups),
    };
    groups.set(sgId, group);
    group.owners.push(fsm.name);
    const bound = boundTo(fsm.name).filter((v) => v.networked);
    for (const source of nfsSources(fsm, bound, observed).sources) group.sources.add(source);
  }

  // Function-level checks first: they decide which functions are networked.
  const fnVpcActions = new Map<string, ProposedAction & { type: "UpdateFunctionConfiguration" }>();
  for (const view of views.values()) {
    diffFunction(b, view, observed, fnVpcActions);
  }

  for (const fsm of desired.fileSystems) {
    const lookup = observed.fileSystems[fsm.name];
    if (!lookup?.found) {
      const id =
        fsm.spec.fileSystemId ??
        `selector:${Object.entries(fsm.spec.selector?.tags ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(",")}`;
      b.add({
        code: "FS_NOT_FOUND",
        manifest: ref(fsm),
        resource: { type: "AWS::EFS::FileSystem", id },
        field: fsm.spec.fileSystemId ? "fileSystemId" : "selector",
        expected: fsm.spec.fileSystemId ?? (fsm.spec.selector?.tags as JsonValue) ?? null,
        actual: lookup ? lookup.candidates : [],
        message: lookup ? lookup.reason : `no file system matches ${id}`,
      });
      continue;
    }
    const fs = lookup.fileSystem;
    const bound = boundTo(fsm.name).filter((v) => v.networked);
    diffFileSystemSettings(b, fsm, fs);
    diffMountTargets(b, fsm, fs, bound, observed);
    const group = groups.get(fsm.spec.mountTargets.securityGroupId);
    if (group) diffSecurityGroup(b, fsm, bound, observed, group);
    const aps = apsByFs.get(fsm.name) ?? [];
    const wanted = new Set(aps.map((a) => a.name));
    const keep = new Set<string>();
    for (const apm of aps) {
      diffAccessPoint(b, apm, fs, viewsByAp.get(apm.name) ?? [], observed, keep, manifestFunctions);
    }
    diffOrphans(b, fsm, fs, wanted, keep, observed, manifestFunctions);
  }
  diffChecklist(b, desired, observed, views, fnVpcActions);
  return { drift: b.drift, actions: b.actions };
}

function diffFunction(
  b: DiffBuilder,
  view: FunctionView,
  observed: ObservedState,
  vpcActions: Map<string, ProposedAction & { type: "UpdateFunctionConfiguration" }>,
): void {
  const m = view.manifest;
  const fn = view.fn;
  const mref = ref(m);
  if (!fn) {
    b.add({
      code: "FN_NOT_FOUND",
      manifest: mref,
      resource: { type: "AWS::Lambda::Function", id: m.spec.functionName },
      field: "functionName",
      expected: m.spec.functionName,
      actual: null,
      message: `function ${m.spec.functionName} does not exist in ${observed.region}`,
    });
    return;
  }
  const resource: ResourceRef = { type: "AWS::Lambda::Function", id: fn.functionArn };
  const update = (
    change: { timeout?: number; vpcConfig?: { subnetIds: string[]; securityGroupIds: string[] } },
    driftId: string,
    why: string,
  ) => {
    // Moving a function that mounts EFS to other subnets or groups repoints it: Lambda refuses a
    // subnet whose AZ has no mount target, and the new groups need their NFS rules first. So it
    // waits for phase 1 (rules made, mount targets available), like a mount change.
    const phase = change.vpcConfig && fn.fileSystemConfigs.length > 0 ? 2 : 1;
    const existing = vpcActions.get(m.name);
    if (existing) {
      Object.assign(existing.params, change);
      existing.driftIds.push(driftId);
      existing.description = `${existing.description}; ${why}`;
      existing.phase = Math.max(existing.phase, phase) as typeof existing.phase;
      return;
    }
    const action: ProposedAction & { type: "UpdateFunctionConfiguration" } = {
      type: "UpdateFunctionConfiguration",
      params: { functionName: fn.functionName, ...change },
      phase,
      resource,
      description: why,
      driftIds: [driftId],
    };
    vpcActions.set(m.name, action);
    b.propose(action);
  };

  const vpc = m.spec.vpc;
  const liveVpc = fn.vpcConfig;
  if (!liveVpc) {
    const d = b.add({
      code: "FN_NOT_IN_VPC",
      manifest: mref,
      resource,
      field: "vpcConfig",
      expected: vpc
        ? { subnetIds: uniqSorted(vpc.subnetIds), securityGroupIds: uniqSorted(vpc.securityGroupIds) }
        : "in a VPC",
      actual: null,
      message: vpc
        ? `function ${fn.functionName} is not in a VPC; it will be attached to subnets ${vpc.subnetIds.join(", ")}`
        : `function ${fn.functionName} is not in a VPC, so it cannot mount EFS; attach it to private subnets (or set spec.vpc to let efs-reconciler do it)`,
      remediation: vpc ? "auto" : "manual",
    });
    if (!vpc) return; // Everything else needs a VPC: subsumed until it is in one.
    update(
      { vpcConfig: { subnetIds: [...vpc.subnetIds], securityGroupIds: [...vpc.securityGroupIds] } },
      d.id,
      "attach to the manifest's VPC subnets and security groups",
    );
  } else if (
    vpc &&
    (!sameSet(vpc.subnetIds, liveVpc.subnetIds) || !sameSet(vpc.securityGroupIds, liveVpc.securityGroupIds))
  ) {
    const d = b.add({
      code: "FN_VPC_CONFIG",
      manifest: mref,
      resource,
      field: "vpcConfig",
      expected: { subnetIds: uniqSorted(vpc.subnetIds), securityGroupIds: uniqSorted(vpc.securityGroupIds) },
      actual: {
        subnetIds: uniqSorted(liveVpc.subnetIds),
        securityGroupIds: uniqSorted(liveVpc.securityGroupIds),
      },
      message: `function ${fn.functionName} VPC config differs from the manifest`,
    });
    update(
      { vpcConfig: { subnetIds: [...vpc.subnetIds], securityGroupIds: [...vpc.securityGroupIds] } },
      d.id,
      "set the manifest's VPC subnets and security groups",
    );
  }

  // Availability zones.
  const min = m.spec.minAvailabilityZones;
  const liveAzs = liveVpc ? azsOf(liveVpc.subnetIds, observed) : [];
  if (vpc) {
    const wantAzs = azsOf(vpc.subnetIds, observed);
    if (wantAzs.length < min) {
      b.add({
        code: "FN_TOO_FEW_AZS",
        manifest: mref,
        resource,
        field: "vpc.subnetIds",
        expected: min,
        actual: wantAzs.length,
        message: `the manifest's subnets for ${fn.functionName} span ${wantAzs.length} AZ(s) (${wantAzs.join(", ") || "none known"}), fewer than minAvailabilityZones ${min}; add subnets in other AZs to spec.vpc.subnetIds`,
        remediation: "manual",
      });
    } else if (liveVpc && liveAzs.length < min) {
      const d = b.add({
        code: "FN_TOO_FEW_AZS",
        manifest: mref,
        resource,
        field: "vpcConfig.subnetIds",
        expected: min,
        actual: liveAzs.length,
        message: `function ${fn.functionName} spans ${liveAzs.length} AZ(s) (${liveAzs.join(", ")}); the manifest's subnets span ${wantAzs.length}`,
        remediation: "auto",
      });
      update(
        { vpcConfig: { subnetIds: [...vpc.subnetIds], securityGroupIds: [...vpc.securityGroupIds] } },
        d.id,
        `spread over ${wantAzs.length} AZs`,
      );
    }
  } else if (liveAzs.length < min) {
    b.add({
      code: "FN_TOO_FEW_AZS",
      manifest: mref,
      resource,
      field: "vpcConfig.subnetIds",
      expected: min,
      actual: liveAzs.length,
      message: `function ${fn.functionName} spans ${liveAzs.length} AZ(s) (${liveAzs.join(", ")}), fewer than minAvailabilityZones ${min}; add subnets in other AZs`,
      remediation: "manual",
    });
  }

  // Timeout.
  const { min: tmin, max: tmax } = m.spec.timeoutSeconds;
  if (fn.timeout < tmin) {
    const d = b.add({
      code: "FN_TIMEOUT",
      manifest: mref,
      resource,
      field: "timeout",
      expected: { min: tmin, max: tmax },
      actual: fn.timeout,
      message: `function ${fn.functionName} times out after ${fn.timeout} s, below ${tmin} s: EFS cold starts need room; it will be raised to ${tmin} s`,
      remediation: "auto",
    });
    update({ timeout: tmin }, d.id, `raise timeout ${fn.timeout} s → ${tmin} s`);
  } else if (fn.timeout > tmax) {
    b.add({
      code: "FN_TIMEOUT",
      manifest: mref,
      resource,
      field: "timeout",
      expected: { min: tmin, max: tmax },
      actual: fn.timeout,
      message: `function ${fn.functionName} times out after ${fn.timeout} s, above the manifest's maximum ${tmax} s; lower it (or raise timeoutSeconds.max)`,
      remediation: "manual",
    });
  }
}

function diffFileSystemSettings(b: DiffBuilder, fsm: FileSystemManifest, fs: ObservedFileSystem): void {
  const s = fsm.spec;
  const resource: ResourceRef = { type: "AWS::EFS::FileSystem", id: fs.fileSystemId };
  const mref = ref(fsm);
  if (s.encrypted && !fs.encrypted) {
    b.add({
      code: "FS_NOT_ENCRYPTED",
      manifest: mref,
      resource,
      field: "encrypted",
      expected: true,
      actual: false,
      message: `${fs.fileSystemId} is not encrypted at rest; encryption cannot be turned on in place: migrate the data to a new encrypted file system`,
    });
  }
  if (s.performanceMode !== fs.performanceMode) {
    b.add({
      code: "FS_PERFORMANCE_MODE",
      manifest: mref,
      resource,
      field: "performanceMode",
      expected: s.performanceMode,
      actual: fs.performanceMode,
      message: `${fs.fileSystemId} uses performance mode ${fs.performanceMode}, the manifest wants ${s.performanceMode}; the mode is fixed at creation: migrate to a new file system`,
    });
  }
  const wantMibps = s.throughputMode === "provisioned" ? s.provisionedThroughputInMibps : undefined;
  const liveMibps = fs.throughputMode === "provisioned" ? fs.provisionedThroughputInMibps : undefined;
  if (s.throughputMode !== fs.throughputMode || wantMibps !== liveMibps) {
    const show = (mode: string, mibps: number | undefined) =>
      mibps !== undefined ? `${mode} (${mibps} MiB/s)` : mode;
    const d = b.add({
      code: "FS_THROUGHPUT_MODE",
      manifest: mref,
      resource,
      field: "throughputMode",
      expected: show(s.throughputMode, wantMibps),
      actual: show(fs.throughputMode, liveMibps),
      message: `${fs.fileSystemId} throughput is ${show(fs.throughputMode, liveMibps)}, the manifest wants ${show(s.throughputMode, wantMibps)}`,
    });
    b.propose({
      type: "UpdateThroughputMode",
      params: {
        fileSystemId: fs.fileSystemId,
        throughputMode: s.throughputMode,
        ...(wantMibps !== undefined ? { provisionedThroughputInMibps: wantMibps } : {}),
      },
      phase: 1,
      resource,
      description: `set throughput mode ${show(s.throughputMode, wantMibps)}`,
      driftIds: [d.id],
    });
  }
  const lc = s.lifecyclePolicy;
  if (
    lc.transitionToIA !== fs.lifecycle.transitionToIA ||
    lc.transitionToPrimaryStorageClass !== fs.lifecycle.transitionToPrimaryStorageClass
  ) {
    const d = b.add({
      code: "FS_LIFECYCLE_POLICY",
      manifest: mref,
      resource,
      field: "lifecyclePolicy",
      expected: {
        transitionToIA: lc.transitionToIA,
        transitionToPrimaryStorageClass: lc.transitionToPrimaryStorageClass,
      },
      actual: {
        transitionToIA: fs.lifecycle.transitionToIA,
        transitionToPrimaryStorageClass: fs.lifecycle.transitionToPrimaryStorageClass,
      },
      message: `${fs.fileSystemId} lifecycle is IA ${fs.lifecycle.transitionToIA} / primary ${fs.lifecycle.transitionToPrimaryStorageClass}, the manifest wants IA ${lc.transitionToIA} / primary ${lc.transitionToPrimaryStorageClass}`,
    });
    b.propose({
      type: "PutLifecycleConfiguration",
      params: {
        fileSystemId: fs.fileSystemId,
        transitionToIA: lc.transitionToIA,
        transitionToPrimaryStorageClass: lc.transitionToPrimaryStorageClass,
      },
      phase: 1,
      resource,
      description: `set lifecycle: IA ${lc.transitionToIA}, back to primary ${lc.transitionToPrimaryStorageClass}`,
      driftIds: [d.id],
    });
  }
  if (s.backupPolicy !== undefined && s.backupPolicy !== fs.backupPolicy) {
    const d = b.add({
      code: "FS_BACKUP_POLICY",
      manifest: mref,
      resource,
      field: "backupPolicy",
      expected: s.backupPolicy,
      actual: fs.backupPolicy ?? null,
      message: `${fs.fileSystemId} automatic backups are ${fs.backupPolicy ?? "unknown"}, the manifest wants ${s.backupPolicy}`,
    });
    b.propose({
      type: "PutBackupPolicy",
      params: { fileSystemId: fs.fileSystemId, status: s.backupPolicy },
      phase: 1,
      resource,
      description: `set automatic backups ${s.backupPolicy}`,
      driftIds: [d.id],
    });
  }
}

/** Mount-target states that serve no client and block a new mount target in their AZ. */
const UNUSABLE_MOUNT_TARGET = new Set(["deleting", "deleted", "error"]);

function diffMountTargets(
  b: DiffBuilder,
  fsm: FileSystemManifest,
  fs: ObservedFileSystem,
  bound: FunctionView[],
  observed: ObservedState,
): void {
  const sg = fsm.spec.mountTargets.securityGroupId;
  const mref = ref(fsm);
  const fsVpc = fs.mountTargets[0]?.vpcId;
  // A mount-target group that does not exist (reported as SG_INGRESS_MISSING, manual) can be given
  // to no mount target: what needs it waits for a person to create it or fix the manifest.
  const groupMissing = observed.securityGroups[sg] === undefined;
  const waitForGroup = `; mount-target security group ${sg} does not exist, so nothing is done until it does`;
  // AZ → candidate subnets (bound functions' subnets first, then the VPC's for explicit AZs).
  const reasons = new Map<string, string[]>();
  const candidates = new Map<string, string[]>();
  for (const v of bound) {
    for (const subnetId of v.subnets) {
      const subnet = observed.subnets[subnetId];
      if (!subnet || (fsVpc && subnet.vpcId !== fsVpc)) continue;
      reasons.set(subnet.availabilityZone, [
        ...(reasons.get(subnet.availabilityZone) ?? []),
        v.manifest.name,
      ]);
      candidates.set(subnet.availabilityZone, [...(candidates.get(subnet.availabilityZone) ?? []), subnetId]);
    }
  }
  const required = uniqSorted([...reasons.keys(), ...fsm.spec.mountTargets.availabilityZones]);
  // A mount target being deleted, or failed, serves no client: its AZ has none until it is gone
  // (EFS refuses a second one in that AZ meanwhile).
  const unusable = new Map(
    fs.mountTargets
      .filter((mt) => UNUSABLE_MOUNT_TARGET.has(mt.lifeCycleState))
      .map((mt) => [mt.availabilityZone, mt]),
  );
  const have = new Set(
    fs.mountTargets
      .filter((mt) => !UNUSABLE_MOUNT_TARGET.has(mt.lifeCycleState))
      .map((mt) => mt.availabilityZone),
  );
  // A mount target still being created serves no client yet: apply waits for it in phase 1, so
  // nothing is repointed to the AZ before it is available (§5.3).
  const creating = new Map(
    fs.mountTargets.filter((mt) => mt.lifeCycleState === "creating").map((mt) => [mt.availabilityZone, mt]),
  );
  const vpcOfBound = fsVpc ?? bound.map((v) => observed.subnets[v.subnets[0] ?? ""]?.vpcId).find((x) => x);
  const whyIn = (az: string): string => {
    const users = uniqSorted(reasons.get(az) ?? []);
    return users.length > 0
      ? `${users.join(", ")} ${users.length === 1 ? "runs" : "run"}`
      : "mountTargets.availabilityZones requires one";
  };
  const resourceIn = (az: string): ResourceRef => ({
    type: "AWS::EFS::MountTarget",
    id: `${fs.fileSystemId}/${az}`,
  });
  const missingIn = (az: string, actual: string | null, message: string, manual: boolean) =>
    b.add({
      code: "MT_MISSING_IN_AZ",
      manifest: mref,
      resource: resourceIn(az),
      field: "availabilityZones",
      expected: az,
      actual,
      message,
      ...(manual ? { remediation: "manual" as const } : {}),
    });
  const createIn = (az: string, subnetId: string, description: string, driftId: string) =>
    b.propose({
      type: "CreateMountTarget",
      params: { fileSystemId: fs.fileSystemId, availabilityZone: az, subnetId, securityGroupIds: [sg] },
      phase: 1,
      resource: resourceIn(az),
      description,
      driftIds: [driftId],
    });
  for (const az of required) {
    const why = whyIn(az);
    const settling = creating.get(az);
    if (settling) {
      const d = missingIn(
        az,
        `${settling.mountTargetId} (creating)`,
        `${fs.fileSystemId}'s mount target in ${az} (${settling.mountTargetId}) is still being created, where ${why}${groupMissing ? waitForGroup : "; apply waits until it is available with the manifest's security group"}`,
        groupMissing,
      );
      if (!groupMissing) {
        createIn(
          az,
          settling.subnetId,
          `wait for mount target ${settling.mountTargetId} in ${az} to become available`,
          d.id,
        );
      }
      continue;
    }
    if (have.has(az)) continue;
    const stuck = unusable.get(az);
    if (stuck) {
      missingIn(
        az,
        `${stuck.mountTargetId} (${stuck.lifeCycleState})`,
        stuck.lifeCycleState === "error"
          ? `${fs.fileSystemId}'s mount target in ${az} (${stuck.mountTargetId}) is in state error, where ${why}; delete it, and the next run creates a new one`
          : `${fs.fileSystemId}'s mount target in ${az} (${stuck.mountTargetId}) is ${stuck.lifeCycleState}, where ${why}; the first run after it is gone creates a new one`,
        true,
      );
      continue;
    }
    const fromFunctions = uniqSorted(candidates.get(az) ?? []);
    const fromVpc = uniqSorted(
      (vpcOfBound ? (observed.vpcSubnets[vpcOfBound] ?? []) : [])
        .filter((s) => s.availabilityZone === az)
        .map((s) => s.subnetId),
    );
    // Deterministic: the lowest id, private subnets first (a mount target in a public subnet is
    // MT_PUBLIC_SUBNET drift).
    const ordered = [...fromFunctions, ...fromVpc];
    const subnetId = ordered.find((id) => !isPublicSubnet(id, observed)) ?? ordered[0];
    const d = missingIn(
      az,
      null,
      !subnetId
        ? `${fs.fileSystemId} has no mount target in ${az} (${why}) and no subnet of its VPC there is known; create a subnet in ${az}`
        : `${fs.fileSystemId} has no mount target in ${az}, where ${why}${groupMissing ? waitForGroup : ""}`,
      !subnetId || groupMissing,
    );
    if (subnetId && !groupMissing) {
      createIn(az, subnetId, `create mount target in ${az} (subnet ${subnetId}, security group ${sg})`, d.id);
    }
  }
  for (const mt of fs.mountTargets) {
    // A mount target still being created (or deleted) has no settled security groups yet.
    if (mt.lifeCycleState !== "available" || mt.securityGroupIds.includes(sg)) continue;
    const resource: ResourceRef = { type: "AWS::EFS::MountTarget", id: mt.mountTargetId };
    const d = b.add({
      code: "MT_SECURITY_GROUPS",
      manifest: mref,
      resource,
      field: "mountTargets.securityGroupId",
      expected: sg,
      actual: uniqSorted(mt.securityGroupIds),
      message: `mount target ${mt.mountTargetId} (${mt.availabilityZone}) lacks security group ${sg}${groupMissing ? waitForGroup : ""}`,
      ...(groupMissing ? { remediation: "manual" as const } : {}),
    });
    if (groupMissing) continue;
    b.propose({
      type: "AddMountTargetSecurityGroup",
      params: { fileSystemId: fs.fileSystemId, mountTargetId: mt.mountTargetId, securityGroupId: sg },
      phase: 1,
      resource,
      description: `add security group ${sg} to mount target ${mt.mountTargetId}`,
      driftIds: [d.id],
    });
  }
}

/**
 * A mount-target security group, judged once however many FileSystem manifests name it: a rule one
 * of them needs is never revoked, and each finding on the group is reported once.
 */
interface MountTargetGroup {
  /** NFS sources of every manifest naming the group: bound functions' groups and allowed groups. */
  sources: Set<string>;
  /** The FileSystem manifests naming the group, in manifest order. */
  owners: string[];
  /** Drift fields already reported on the group. */
  reported: Set<string>;
  /**
   * Why this deployment may not change the group's ingress (appended to each finding on it, each
   * then manual, with no action), or "" when it may.
   */
  outOfScope: string;
}

/** Why ingress on `groupId` is outside `ingressGroups`, or "" when it is not (or there is no list). */
function outOfScope(groupId: string, ingressGroups: readonly string[] | undefined): string {
  if (ingressGroups === undefined || ingressGroups.includes(groupId)) return "";
  return `; this deployment may change ingress only on its MountTargetSecurityGroupIds (${ingressGroups.join(", ") || "none"}), so it leaves ${groupId} as it is: add ${groupId} to that parameter and update the stack`;
}

/** A manifest's NFS sources: its bound functions' groups and its allowed groups of the mount-target group's VPC. */
function nfsSources(fsm: FileSystemManifest, bound: FunctionView[], observed: ObservedState) {
  const sg = observed.securityGroups[fsm.spec.mountTargets.securityGroupId];
  // An allowed group of another VPC than the mount-target group's is rejected: never a source.
  const foreign = fsm.spec.mountTargets.allowedSecurityGroupIds.flatMap((id) => {
    const group = observed.securityGroups[id];
    return sg && group && group.vpcId !== sg.vpcId ? [group] : [];
  });
  // An allowed group that does not exist cannot be a source either: a rule from it would be refused.
  const missing = fsm.spec.mountTargets.allowedSecurityGroupIds.filter(
    (id) => sg !== undefined && observed.securityGroups[id] === undefined,
  );
  const allowedExtra = fsm.spec.mountTargets.allowedSecurityGroupIds.filter(
    (id) => !foreign.some((g) => g.groupId === id) && !missing.includes(id),
  );
  return {
    sg,
    foreign,
    missing,
    allowedExtra,
    sources: [...bound.flatMap((v) => v.securityGroups), ...allowedExtra],
  };
}

function diffSecurityGroup(
  b: DiffBuilder,
  fsm: FileSystemManifest,
  bound: FunctionView[],
  observed: ObservedState,
  group: MountTargetGroup,
): void {
  const sgId = fsm.spec.mountTargets.securityGroupId;
  const mref = ref(fsm);
  const resource: ResourceRef = { type: "AWS::EC2::SecurityGroup", id: sgId };
  const { sg, foreign, missing, allowedExtra } = nfsSources(fsm, bound, observed);
  const allowedSources = group.sources;
  const once = (field: string): boolean => {
    if (group.reported.has(field)) return false;
    group.reported.add(field);
    return true;
  };
  if (!sg) {
    if (!once("mountTargets.securityGroupId")) return;
    b.add({
      code: "SG_INGRESS_MISSING",
      manifest: mref,
      resource,
      field: "mountTargets.securityGroupId",
      expected: `security group ${sgId}`,
      actual: null,
      message: `mount-target security group ${sgId} does not exist; create it (in the file system's VPC) or fix mountTargets.securityGroupId`,
      remediation: "manual",
    });
    return;
  }
  for (const other of foreign) {
    if (!once(`ingress.from.${other.groupId}`)) continue;
    b.add({
      code: "SG_INGRESS_MISSING",
      manifest: mref,
      resource,
      field: `ingress.from.${other.groupId}`,
      expected: `TCP ${NFS_PORT} from ${other.groupId}`,
      actual: null,
      message: `allowedSecurityGroupIds entry ${other.groupId} is in ${other.vpcId}, not in ${sg.vpcId} of the mount-target security group ${sgId}, so it is not allowed as an NFS source; name a security group of ${sg.vpcId} instead`,
      remediation: "manual",
    });
  }
  for (const id of missing) {
    if (!once(`ingress.from.${id}`)) continue;
    b.add({
      code: "SG_INGRESS_MISSING",
      manifest: mref,
      resource,
      field: `ingress.from.${id}`,
      expected: `TCP ${NFS_PORT} from ${id}`,
      actual: null,
      message: `allowedSecurityGroupIds entry ${id} does not exist, so ${sgId} cannot admit NFS from it; create it (in ${sg.vpcId}) or remove it from allowedSecurityGroupIds`,
      remediation: "manual",
    });
  }
  const ingress = sg.rules.filter((r) => !r.isEgress);
  const allowedRules = ingress.filter((r) => isExactNfsFrom(r, allowedSources));
  const admitted = new Set(allowedRules.map((r) => r.referencedGroupId));
  const expectedText = `TCP ${NFS_PORT} from ${uniqSorted(allowedSources).join(", ") || "bound functions' security groups"} only`;

  // Required sources: one per bound function (any of its groups suffices), and each allowed group.
  const required: { source: string; field: string; why: string }[] = [];
  for (const v of bound) {
    if (v.securityGroups.some((g) => admitted.has(g))) continue;
    const source = v.securityGroups[0];
    if (!source) continue;
    required.push({
      source,
      field: `ingress.from.${v.manifest.name}`,
      why: `function ${v.manifest.spec.functionName}`,
    });
  }
  for (const source of allowedExtra) {
    if (admitted.has(source)) continue;
    required.push({ source, field: `ingress.from.${source}`, why: "allowedSecurityGroupIds" });
  }
  for (const r of required) {
    if (!once(r.field)) continue;
    const d = b.add({
      code: "SG_INGRESS_MISSING",
      manifest: mref,
      resource,
      field: r.field,
      expected: `TCP ${NFS_PORT} from ${r.source}`,
      actual: null,
      message: `${sgId} does not admit TCP ${NFS_PORT} from ${r.source} (${r.why})${group.outOfScope}`,
      ...(group.outOfScope ? { remediation: "manual" as const } : {}),
    });
    if (group.outOfScope) continue;
    b.propose({
      type: "AuthorizeIngress",
      params: { groupId: sgId, sourceGroupId: r.source, port: NFS_PORT },
      phase: 1,
      resource,
      description: `allow TCP ${NFS_PORT} from ${r.source}`,
      driftIds: [d.id],
    });
  }
  const whose =
    group.owners.length > 1 ? `the functions bound to ${group.owners.join(", ")}` : "the bound functions";
  for (const rule of ingress) {
    if (allowedRules.includes(rule) || !once(`ingress.${rule.ruleId}`)) continue;
    const d = b.add({
      code: "SG_INGRESS_NOT_ALLOWED",
      manifest: mref,
      resource,
      field: `ingress.${rule.ruleId}`,
      expected: expectedText,
      actual: describeRule(rule),
      message: `${sgId} admits ${describeRule(rule)} (rule ${rule.ruleId}), outside NFS from ${whose}${group.outOfScope}`,
      severity: isWorldOpen(rule) ? "critical" : "high",
      ...(group.outOfScope ? { remediation: "manual" as const } : {}),
    });
    if (group.outOfScope) continue;
    b.propose({
      type: "RevokeIngress",
      params: { groupId: sgId, ruleId: rule.ruleId, rule },
      phase: 3,
      resource,
      description: `revoke ${describeRule(rule)} (rule ${rule.ruleId})`,
      driftIds: [d.id],
    });
  }

  // Egress from each bound function to the mount-target group.
  for (const v of bound) {
    const rules = v.securityGroups.flatMap((g) => observed.securityGroups[g]?.rules ?? []);
    const ok = rules.some(
      (r) => r.isEgress && coversNfs(r) && (r.referencedGroupId === sgId || r.cidrIpv4 === "0.0.0.0/0"),
    );
    if (ok) continue;
    const fnSg = v.securityGroups[0];
    if (!fnSg) continue;
    const fnResource: ResourceRef = { type: "AWS::EC2::SecurityGroup", id: fnSg };
    const d = b.add({
      code: "SG_EGRESS_MISSING",
      manifest: ref(v.manifest),
      resource: fnResource,
      // Per function: functions sharing a group each get their own item (and id).
      field: `egress.to.${sgId}.from.${v.manifest.name}`,
      expected: `TCP ${NFS_PORT} to ${sgId}`,
      actual: null,
      message: `security groups of ${v.manifest.spec.functionName} (${v.securityGroups.join(", ")}) allow no egress to TCP ${NFS_PORT} of ${sgId}`,
    });
    b.propose({
      type: "AuthorizeEgress",
      params: { groupId: fnSg, destinationGroupId: sgId, port: NFS_PORT },
      phase: 1,
      resource: fnResource,
      description: `allow egress TCP ${NFS_PORT} to ${sgId}`,
      driftIds: [d.id],
    });
  }
}

function diffAccessPoint(
  b: DiffBuilder,
  apm: AccessPointManifest,
  fs: ObservedFileSystem,
  bound: FunctionView[],
  observed: ObservedState,
  keep: Set<string>,
  manifestFunctions: string[],
): void {
  const def = accessPointDefinition(apm, fs.fileSystemId);
  const specHash = accessPointSpecHash(def);
  const mref = ref(apm);
  const boundNames = new Set(bound.filter((v) => v.fn).map((v) => v.fn!.functionName));
  const named = fs.accessPoints
    .filter((ap) => ap.tags[NAME_TAG] === apm.name)
    .sort((x, y) => x.accessPointId.localeCompare(y.accessPointId));
  const mountedByBound = (ap: ObservedAccessPoint) =>
    (observed.mountedBy[ap.accessPointArn] ?? []).some((f) => boundNames.has(f));

  const matches = (ap: ObservedAccessPoint) => posixMatches(def, ap) && rootMatches(def, ap);
  // Among duplicates, keep the one the functions already mount: no needless repoint.
  let live: ObservedAccessPoint | undefined =
    named.find((ap) => matches(ap) && mountedByBound(ap)) ??
    named.find(matches) ??
    named.find(mountedByBound) ??
    named[0];
  let adopted = false;
  if (!live) {
    // Adoption: the untagged-by-name access point a bound function mounts today.
    live = fs.accessPoints.find((ap) => ap.tags[NAME_TAG] === undefined && mountedByBound(ap));
    adopted = live !== undefined;
  }

  let target: AccessPointTarget;
  let replaced: ObservedAccessPoint | undefined;
  const replacementDrift: string[] = [];
  if (!live) {
    const resource: ResourceRef = { type: "AWS::EFS::AccessPoint", id: `${fs.fileSystemId}/${apm.name}` };
    const d = b.add({
      code: "AP_MISSING",
      manifest: mref,
      resource,
      field: "accessPoint",
      expected: { posixUser: def.posixUser, rootDirectory: def.rootDirectory },
      actual: null,
      message: `no access point ${apm.name} on ${fs.fileSystemId}`,
    });
    b.propose(
      createAction(
        def,
        specHash,
        resource,
        [d.id],
        `create access point ${apm.name} (uid ${def.posixUser.uid}, ${def.rootDirectory.path})`,
      ),
    );
    target = { create: def, specHash };
  } else {
    keep.add(live.accessPointId);
    const resource: ResourceRef = { type: "AWS::EFS::AccessPoint", id: live.accessPointId };
    if (adopted || live.tags[MANAGED_BY_TAG] !== MANAGED_BY_VALUE) {
      b.propose({
        type: "TagAccessPoint",
        params: { accessPointId: live.accessPointId, name: apm.name },
        phase: 1,
        resource,
        description: `adopt ${live.accessPointId} as ${apm.name} (tag it managed)`,
        driftIds: [],
      });
    }
    if (!posixMatches(def, live)) {
      replacementDrift.push(
        b.add({
          code: "AP_POSIX_USER",
          manifest: mref,
          resource,
          field: "posixUser",
          expected: def.posixUser,
          actual: posixJson(live.posixUser),
          message: live.posixUser
            ? `${live.accessPointId} runs as uid ${live.posixUser.uid} gid ${live.posixUser.gid}${live.posixUser.uid === 0 ? " (root)" : ""}, the manifest wants uid ${def.posixUser.uid} gid ${def.posixUser.gid}; access points are immutable: it will be replaced`
            : `${live.accessPointId} enforces no POSIX user, the manifest wants uid ${def.posixUser.uid} gid ${def.posixUser.gid}; it will be replaced`,
        }).id,
      );
    }
    if (!rootMatches(def, live)) {
      replacementDrift.push(
        b.add({
          code: "AP_ROOT_DIRECTORY",
          manifest: mref,
          resource,
          field: "rootDirectory",
          expected: def.rootDirectory,
          actual: rootJson(live.rootDirectory),
          message: `${live.accessPointId} root directory differs from the manifest (${def.rootDirectory.path}, owner ${def.rootDirectory.creationInfo.ownerUid}:${def.rootDirectory.creationInfo.ownerGid}, ${def.rootDirectory.creationInfo.permissions}); it will be replaced`,
        }).id,
      );
    }
    if (replacementDrift.length > 0) {
      b.propose(
        createAction(
          def,
          specHash,
          { type: "AWS::EFS::AccessPoint", id: `${fs.fileSystemId}/${apm.name}` },
          replacementDrift,
          `create replacement for ${live.accessPointId} (uid ${def.posixUser.uid}, ${def.rootDirectory.path})`,
        ),
      );
      target = { create: def, specHash };
      replaced = live;
    } else {
      target = { accessPointArn: live.accessPointArn };
    }
  }

  // Functions: each bound, networked function mounts the target at its mountPath.
  const repointed = new Set<string>();
  for (const v of bound) {
    if (!v.fn || !v.networked) continue;
    const fn = v.fn;
    const mountPath = v.manifest.spec.mountPath;
    const onlyMount = fn.fileSystemConfigs.length === 1 ? fn.fileSystemConfigs[0] : undefined;
    const mountsLive =
      live !== undefined && onlyMount?.arn === live.accessPointArn && onlyMount.localMountPath === mountPath;
    if (mountsLive && !replaced) continue;
    const resource: ResourceRef = { type: "AWS::Lambda::Function", id: fn.functionArn };
    let driftIds = replacementDrift;
    if (!mountsLive) {
      driftIds = [
        b.add({
          code: "FN_FILE_SYSTEM_CONFIG",
          manifest: ref(v.manifest),
          resource,
          field: "fileSystemConfigs",
          expected: { accessPoint: apm.name, localMountPath: mountPath },
          actual: fn.fileSystemConfigs.map((c) => ({ arn: c.arn, localMountPath: c.localMountPath })),
          message:
            fn.fileSystemConfigs.length === 0
              ? `function ${fn.functionName} mounts no file system; it will mount access point ${apm.name} at ${mountPath}`
              : `function ${fn.functionName} mounts ${fn.fileSystemConfigs.map((c) => `${c.arn} at ${c.localMountPath}`).join(", ")}, not access point ${apm.name} at ${mountPath}`,
        }).id,
        ...replacementDrift,
      ];
    }
    repointed.add(fn.functionName);
    b.propose({
      type: "UpdateFunctionFileSystem",
      params: {
        functionName: fn.functionName,
        localMountPath: mountPath,
        target,
        replaces: fn.fileSystemConfigs.map((c) => ({ arn: c.arn, localMountPath: c.localMountPath })),
      },
      phase: 2,
      resource,
      description: `mount access point ${apm.name} at ${mountPath}`,
      driftIds,
    });
  }

  // Break: delete the replaced access point and stale duplicates once no manifest function mounts
  // them. One a function outside the manifests mounts is released instead (the reconciler removes
  // efs-reconciler's tags at delete time and keeps it), so the name stays on one access point.
  const stale = [...(replaced ? [replaced] : []), ...named.filter((ap) => ap !== live)];
  for (const ap of stale) {
    const mounters = observed.mountedBy[ap.accessPointArn] ?? [];
    if (mounters.some((f) => manifestFunctions.includes(f) && !repointed.has(f))) continue;
    const outside = mounters.filter((f) => !manifestFunctions.includes(f));
    const resource: ResourceRef = { type: "AWS::EFS::AccessPoint", id: ap.accessPointId };
    if (ap !== replaced && ap.tags[MANAGED_BY_TAG] !== MANAGED_BY_VALUE) {
      // Carries the name but is not ours (§5.1): reported, never deleted.
      keep.add(ap.accessPointId);
      b.add({
        code: "AP_ORPHANED",
        manifest: mref,
        resource,
        field: "accessPoint",
        expected: null,
        actual: ap.accessPointId,
        message: `${ap.accessPointId} also carries the name ${apm.name} but is not tagged ${MANAGED_BY_TAG}=${MANAGED_BY_VALUE}, so efs-reconciler does not delete it; delete it or remove its ${NAME_TAG} tag by hand`,
        remediation: "manual",
      });
      continue;
    }
    let driftIds = ap === replaced ? replacementDrift : [];
    if (ap !== replaced) {
      driftIds = [
        b.add({
          code: "AP_ORPHANED",
          manifest: mref,
          resource,
          field: "accessPoint",
          expected: null,
          actual: ap.accessPointId,
          message: `${ap.accessPointId} also carries the name ${apm.name}; only ${live?.accessPointId ?? "the new access point"} is kept`,
        }).id,
      ];
    }
    keep.add(ap.accessPointId); // handled here, not again as an orphan
    const which = ap === replaced ? "replaced" : "duplicate";
    b.propose(
      deleteAction(
        ap,
        outside.length > 0
          ? `release ${which} access point (${outside.join(", ")}, outside the manifests, mounts it: it is kept, its efs-reconciler tags removed)`
          : `delete ${which} access point`,
        driftIds,
        manifestFunctions,
      ),
    );
  }
}

function createAction(
  def: AccessPointDefinition,
  specHash: string,
  resource: ResourceRef,
  driftIds: string[],
  description: string,
): ProposedAction {
  return {
    type: "CreateAccessPoint",
    params: { definition: def, specHash, clientToken: accessPointClientToken(def) },
    phase: 1,
    resource,
    description,
    driftIds,
  };
}

/** Phase 3: delete an access point (the reconciler re-checks ownership and mounts first). */
function deleteAction(
  ap: ObservedAccessPoint,
  what: string,
  driftIds: string[],
  manifestFunctions: string[],
): ProposedAction {
  return {
    type: "DeleteAccessPoint",
    params: {
      accessPointId: ap.accessPointId,
      accessPointArn: ap.accessPointArn,
      fileSystemId: ap.fileSystemId,
      manifestFunctions,
    },
    phase: 3,
    resource: { type: "AWS::EFS::AccessPoint", id: ap.accessPointId },
    description: `${what} ${ap.accessPointId}`,
    driftIds,
  };
}

function diffOrphans(
  b: DiffBuilder,
  fsm: FileSystemManifest,
  fs: ObservedFileSystem,
  wanted: ReadonlySet<string>,
  keep: ReadonlySet<string>,
  observed: ObservedState,
  manifestFunctions: string[],
): void {
  for (const ap of fs.accessPoints) {
    if (keep.has(ap.accessPointId) || ap.tags[MANAGED_BY_TAG] !== MANAGED_BY_VALUE) continue;
    const name = ap.tags[NAME_TAG];
    if (name !== undefined && wanted.has(name)) continue;
    if ((observed.mountedBy[ap.accessPointArn] ?? []).length > 0) continue;
    const resource: ResourceRef = { type: "AWS::EFS::AccessPoint", id: ap.accessPointId };
    const d = b.add({
      code: "AP_ORPHANED",
      manifest: ref(fsm),
      resource,
      field: "accessPoint",
      expected: null,
      actual: ap.accessPointId,
      message: `${ap.accessPointId}${name ? ` (${name})` : ""} is managed by efs-reconciler, wanted by no manifest and mounted by no function`,
    });
    b.propose(deleteAction(ap, "delete orphaned access point", [d.id], manifestFunctions));
  }
}
