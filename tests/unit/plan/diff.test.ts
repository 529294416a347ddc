import { describe, expect, it } from "vitest";
import { planChanges } from "../../../src/plan/index";
import type { Plan } from "../../../src/plan/types";
import { AP_ARN, AP_ID, converged, FN_SG, FS_ID, liveFn, liveFs, MT_SG, type World } from "./world";

const plan = (w: World): Plan => planChanges(w.desired, w.observed, { mode: "dry-run", runId: "run-1" });

/** NFS open to the world on the mount-target group. */
const WORLD_OPEN_NFS = {
  ruleId: "sgr-open",
  groupId: MT_SG,
  isEgress: false,
  ipProtocol: "tcp",
  fromPort: 2049,
  toPort: 2049,
  cidrIpv4: "0.0.0.0/0",
};

/** The manifest allows one more group, of the mount-target group's VPC. */
function allowExtraGroup(w: World): void {
  w.desired.fileSystems[0]!.spec.mountTargets.allowedSecurityGroupIds = ["sg-0extra0000000001"];
  const mtGroup = w.observed.securityGroups[MT_SG]!;
  w.observed.securityGroups["sg-0extra0000000001"] = {
    ...mtGroup,
    groupId: "sg-0extra0000000001",
    groupName: "extra",
    rules: [],
  };
}

interface Case {
  name: string;
  mutate: (w: World) => void;
  /** Expected drift as `CODE severity remediation resourceId`, order-insensitive. */
  drift: string[];
  /** Expected actions as `phase TYPE resourceId`, in plan order. */
  actions: string[];
}

const cases: Case[] = [
  {
    name: "FS_NOT_FOUND: selector matches nothing",
    mutate: (w) => {
      w.observed.fileSystems["ml-data"] = {
        found: false,
        reason: "no file system is tagged Name=ml-data",
        candidates: [],
      };
    },
    drift: ["FS_NOT_FOUND critical manual selector:Name=ml-data"],
    actions: [],
  },
  {
    name: "FS_NOT_FOUND: id given",
    mutate: (w) => {
      w.desired.fileSystems[0]!.spec = {
        ...w.desired.fileSystems[0]!.spec,
        fileSystemId: "fs-0000000000000dead",
        selector: undefined,
      };
      w.observed.fileSystems["ml-data"] = {
        found: false,
        reason: "fs-0000000000000dead does not exist",
        candidates: [],
      };
    },
    drift: ["FS_NOT_FOUND critical manual fs-0000000000000dead"],
    actions: [],
  },
  {
    name: "FS_NOT_ENCRYPTED",
    mutate: (w) => {
      liveFs(w).encrypted = false;
    },
    drift: [`FS_NOT_ENCRYPTED high manual ${FS_ID}`],
    actions: [],
  },
  {
    name: "encrypted:false in the manifest does not flag an encrypted file system",
    mutate: (w) => {
      w.desired.fileSystems[0]!.spec.encrypted = false;
    },
    drift: [],
    actions: [],
  },
  {
    name: "FS_PERFORMANCE_MODE",
    mutate: (w) => {
      liveFs(w).performanceMode = "maxIO";
    },
    drift: [`FS_PERFORMANCE_MODE medium manual ${FS_ID}`],
    actions: [],
  },
  {
    name: "FS_THROUGHPUT_MODE: mode",
    mutate: (w) => {
      liveFs(w).throughputMode = "elastic";
    },
    drift: [`FS_THROUGHPUT_MODE medium auto ${FS_ID}`],
    actions: [`1 UpdateThroughputMode ${FS_ID}`],
  },
  {
    name: "FS_THROUGHPUT_MODE: provisioned MiB/s",
    mutate: (w) => {
      w.desired.fileSystems[0]!.spec.throughputMode = "provisioned";
      w.desired.fileSystems[0]!.spec.provisionedThroughputInMibps = 128;
      liveFs(w).throughputMode = "provisioned";
      liveFs(w).provisionedThroughputInMibps = 64;
    },
    drift: [`FS_THROUGHPUT_MODE medium auto ${FS_ID}`],
    actions: [`1 UpdateThroughputMode ${FS_ID}`],
  },
  {
    name: "provisioned MiB/s reported while bursting is ignored",
    mutate: (w) => {
      liveFs(w).provisionedThroughputInMibps = 0;
    },
    drift: [],
    actions: [],
  },
  {
    name: "FS_LIFECYCLE_POLICY: unset",
    mutate: (w) => {
      liveFs(w).lifecycle = { transitionToIA: "NONE", transitionToPrimaryStorageClass: "NONE" };
    },
    drift: [`FS_LIFECYCLE_POLICY low auto ${FS_ID}`],
    actions: [`1 PutLifecycleConfiguration ${FS_ID}`],
  },
  {
    name: "FS_BACKUP_POLICY only when managed",
    mutate: (w) => {
      w.desired.fileSystems[0]!.spec.backupPolicy = "ENABLED";
      liveFs(w).backupPolicy = "DISABLED";
    },
    drift: [`FS_BACKUP_POLICY medium auto ${FS_ID}`],
    actions: [`1 PutBackupPolicy ${FS_ID}`],
  },
  {
    name: "MT_MISSING_IN_AZ: a function subnet's AZ",
    mutate: (w) => {
      liveFs(w).mountTargets.pop();
    },
    drift: [`MT_MISSING_IN_AZ high auto ${FS_ID}/us-east-1b`],
    actions: [`1 CreateMountTarget ${FS_ID}/us-east-1b`],
  },
  {
    name: "MT_MISSING_IN_AZ: an explicitly required AZ uses a VPC subnet",
    mutate: (w) => {
      w.desired.fileSystems[0]!.spec.mountTargets.availabilityZones = ["us-east-1c"];
      w.observed.vpcSubnets["vpc-1"] = [
        { subnetId: "subnet-0c", vpcId: "vpc-1", availabilityZone: "us-east-1c" },
      ];
    },
    drift: [`MT_MISSING_IN_AZ high auto ${FS_ID}/us-east-1c`],
    actions: [`1 CreateMountTarget ${FS_ID}/us-east-1c`],
  },
  {
    name: "MT_MISSING_IN_AZ without any subnet there is manual",
    mutate: (w) => {
      w.desired.fileSystems[0]!.spec.mountTargets.availabilityZones = ["us-east-1d"];
    },
    drift: [`MT_MISSING_IN_AZ high manual ${FS_ID}/us-east-1d`],
    actions: [],
  },
  {
    name: "MT_SECURITY_GROUPS",
    mutate: (w) => {
      liveFs(w).mountTargets[0]!.securityGroupIds = ["sg-0other00000000001"];
    },
    drift: ["MT_SECURITY_GROUPS high auto fsmt-a"],
    actions: ["1 AddMountTargetSecurityGroup fsmt-a"],
  },
  {
    name: "SG_INGRESS_NOT_ALLOWED: world-open CIDR is critical, revoked last",
    mutate: (w) => {
      w.observed.securityGroups[MT_SG]!.rules.push(WORLD_OPEN_NFS);
    },
    drift: [`SG_INGRESS_NOT_ALLOWED critical auto ${MT_SG}`],
    actions: [`3 RevokeIngress ${MT_SG}`],
  },
  {
    name: "SG_INGRESS_NOT_ALLOWED: IPv6 world-open is critical",
    mutate: (w) => {
      w.observed.securityGroups[MT_SG]!.rules.push({
        ruleId: "sgr-v6",
        groupId: MT_SG,
        isEgress: false,
        ipProtocol: "-1",
        fromPort: 0,
        toPort: 65535,
        cidrIpv6: "::/0",
      });
    },
    drift: [`SG_INGRESS_NOT_ALLOWED critical auto ${MT_SG}`],
    actions: [`3 RevokeIngress ${MT_SG}`],
  },
  {
    name: "SG_INGRESS_NOT_ALLOWED: other port from the function SG is high; exact rule added first",
    mutate: (w) => {
      w.observed.securityGroups[MT_SG]!.rules = [
        {
          ruleId: "sgr-wide",
          groupId: MT_SG,
          isEgress: false,
          ipProtocol: "tcp",
          fromPort: 0,
          toPort: 65535,
          referencedGroupId: FN_SG,
        },
      ];
    },
    drift: [
      `SG_INGRESS_MISSING high auto ${MT_SG}`,
      `SG_INGRESS_MISSING high auto ${MT_SG}`,
      `SG_INGRESS_NOT_ALLOWED high auto ${MT_SG}`,
    ],
    actions: [`1 AuthorizeIngress ${MT_SG}`, `3 RevokeIngress ${MT_SG}`],
  },
  {
    name: "SG_INGRESS_NOT_ALLOWED: prefix list",
    mutate: (w) => {
      w.observed.securityGroups[MT_SG]!.rules.push({
        ruleId: "sgr-pl",
        groupId: MT_SG,
        isEgress: false,
        ipProtocol: "tcp",
        fromPort: 2049,
        toPort: 2049,
        prefixListId: "pl-12345678",
      });
    },
    drift: [`SG_INGRESS_NOT_ALLOWED high auto ${MT_SG}`],
    actions: [`3 RevokeIngress ${MT_SG}`],
  },
  {
    name: "SG_INGRESS_MISSING for an allowedSecurityGroupIds entry",
    mutate: (w) => {
      allowExtraGroup(w);
    },
    drift: [`SG_INGRESS_MISSING high auto ${MT_SG}`],
    actions: [`1 AuthorizeIngress ${MT_SG}`],
  },
  {
    name: "SG_INGRESS_MISSING, manual, for an allowedSecurityGroupIds entry that does not exist (a rule from it would be refused)",
    mutate: (w) => {
      w.desired.fileSystems[0]!.spec.mountTargets.allowedSecurityGroupIds = ["sg-0gone00000000001"];
    },
    drift: [`SG_INGRESS_MISSING high manual ${MT_SG}`],
    actions: [],
  },
  {
    name: "an allowed extra group's rule is not drift",
    mutate: (w) => {
      allowExtraGroup(w);
      w.observed.securityGroups[MT_SG]!.rules.push({
        ruleId: "sgr-x",
        groupId: MT_SG,
        isEgress: false,
        ipProtocol: "tcp",
        fromPort: 2049,
        toPort: 2049,
        referencedGroupId: "sg-0extra0000000001",
      });
    },
    drift: [],
    actions: [],
  },
  {
    name: "SG_EGRESS_MISSING",
    mutate: (w) => {
      w.observed.securityGroups[FN_SG]!.rules = [];
    },
    drift: [`SG_EGRESS_MISSING high auto ${FN_SG}`, `SG_EGRESS_MISSING high auto ${FN_SG}`],
    actions: [`1 AuthorizeEgress ${FN_SG}`],
  },
  {
    name: "egress to 0.0.0.0/0 on all traffic counts as allowing NFS",
    mutate: (w) => {
      w.observed.securityGroups[FN_SG]!.rules = [
        {
          ruleId: "sgr-all",
          groupId: FN_SG,
          isEgress: true,
          ipProtocol: "-1",
          fromPort: 0,
          toPort: 65535,
          cidrIpv4: "0.0.0.0/0",
        },
      ];
    },
    drift: [],
    actions: [],
  },
  {
    name: "AP_MISSING: create, then mount it",
    mutate: (w) => {
      liveFs(w).accessPoints = [];
      liveFn(w, "search").fileSystemConfigs = [];
      liveFn(w, "embed").fileSystemConfigs = [];
      w.observed.mountedBy = {};
    },
    drift: [
      `AP_MISSING high auto ${FS_ID}/lambda`,
      "FN_FILE_SYSTEM_CONFIG high auto arn:aws:lambda:us-east-1:123456789012:function:embed",
      "FN_FILE_SYSTEM_CONFIG high auto arn:aws:lambda:us-east-1:123456789012:function:search",
    ],
    actions: [
      `1 CreateAccessPoint ${FS_ID}/lambda`,
      "2 UpdateFunctionFileSystem arn:aws:lambda:us-east-1:123456789012:function:embed",
      "2 UpdateFunctionFileSystem arn:aws:lambda:us-east-1:123456789012:function:search",
    ],
  },
  {
    name: "AP_POSIX_USER: root access point is replaced (create, repoint, delete)",
    mutate: (w) => {
      liveFs(w).accessPoints[0]!.posixUser = { uid: 0, gid: 0, secondaryGids: [] };
    },
    drift: [`AP_POSIX_USER high auto ${AP_ID}`],
    actions: [
      `1 CreateAccessPoint ${FS_ID}/lambda`,
      "2 UpdateFunctionFileSystem arn:aws:lambda:us-east-1:123456789012:function:embed",
      "2 UpdateFunctionFileSystem arn:aws:lambda:us-east-1:123456789012:function:search",
      `3 DeleteAccessPoint ${AP_ID}`,
    ],
  },
  {
    name: "AP_ROOT_DIRECTORY: permissions differ",
    mutate: (w) => {
      liveFs(w).accessPoints[0]!.rootDirectory.creationInfo!.permissions = "0777";
    },
    drift: [`AP_ROOT_DIRECTORY high auto ${AP_ID}`],
    actions: [
      `1 CreateAccessPoint ${FS_ID}/lambda`,
      "2 UpdateFunctionFileSystem arn:aws:lambda:us-east-1:123456789012:function:embed",
      "2 UpdateFunctionFileSystem arn:aws:lambda:us-east-1:123456789012:function:search",
      `3 DeleteAccessPoint ${AP_ID}`,
    ],
  },
  {
    name: "AP_ORPHANED: managed, unwanted, unmounted",
    mutate: (w) => {
      liveFs(w).accessPoints.push({
        accessPointId: "fsap-old",
        accessPointArn: "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-old",
        fileSystemId: FS_ID,
        lifeCycleState: "available",
        tags: { "efs-reconciler.io/name": "retired", "efs-reconciler.io/managed-by": "efs-reconciler" },
        rootDirectory: { path: "/old" },
      });
    },
    drift: ["AP_ORPHANED low auto fsap-old"],
    actions: ["3 DeleteAccessPoint fsap-old"],
  },
  {
    name: "unmanaged or mounted access points are never orphaned",
    mutate: (w) => {
      const base = { fileSystemId: FS_ID, lifeCycleState: "available", rootDirectory: { path: "/x" } };
      liveFs(w).accessPoints.push(
        {
          ...base,
          accessPointId: "fsap-theirs",
          accessPointArn: "arn:ap/fsap-theirs",
          tags: { owner: "someone" },
        },
        {
          ...base,
          accessPointId: "fsap-used",
          accessPointArn: "arn:ap/fsap-used",
          tags: { "efs-reconciler.io/managed-by": "efs-reconciler" },
        },
      );
      w.observed.mountedBy["arn:ap/fsap-used"] = ["unrelated-fn"];
    },
    drift: [],
    actions: [],
  },
  {
    name: "a released access point (kept for a function outside the manifests) is neither drift nor deleted",
    mutate: (w) => {
      const live = liveFs(w).accessPoints[0]!;
      liveFs(w).accessPoints.push({
        ...live,
        accessPointId: "fsap-released",
        accessPointArn: "arn:ap/fsap-released",
        posixUser: { uid: 0, gid: 0, secondaryGids: [] },
        tags: { Name: "lambda" },
      });
      w.observed.mountedBy["arn:ap/fsap-released"] = ["someone-elses-function"];
    },
    drift: [],
    actions: [],
  },
  {
    name: "FN_NOT_FOUND subsumes the function's other checks",
    mutate: (w) => {
      w.observed.functions.search = { found: false };
    },
    drift: ["FN_NOT_FOUND critical manual search"],
    actions: [],
  },
  {
    name: "FN_NOT_IN_VPC (manual) reports only that",
    mutate: (w) => {
      const fn = liveFn(w, "search");
      delete fn.vpcConfig;
      fn.fileSystemConfigs = [];
      fn.timeout = 3;
    },
    drift: ["FN_NOT_IN_VPC critical manual arn:aws:lambda:us-east-1:123456789012:function:search"],
    actions: [],
  },
  {
    name: "FN_NOT_IN_VPC (auto with vpc), then it mounts",
    mutate: (w) => {
      w.desired.functions[0]!.spec.vpc = { subnetIds: ["subnet-0a", "subnet-0b"], securityGroupIds: [FN_SG] };
      const fn = liveFn(w, "search");
      delete fn.vpcConfig;
      fn.fileSystemConfigs = [];
      w.observed.mountedBy[AP_ARN] = ["embed"];
    },
    drift: [
      "FN_NOT_IN_VPC critical auto arn:aws:lambda:us-east-1:123456789012:function:search",
      "FN_FILE_SYSTEM_CONFIG high auto arn:aws:lambda:us-east-1:123456789012:function:search",
    ],
    actions: [
      "1 UpdateFunctionConfiguration arn:aws:lambda:us-east-1:123456789012:function:search",
      "2 UpdateFunctionFileSystem arn:aws:lambda:us-east-1:123456789012:function:search",
    ],
  },
  {
    name: "mount-target security group missing: mount-target drift waits for a person (no action uses the group)",
    mutate: (w) => {
      delete w.observed.securityGroups[MT_SG];
      liveFs(w).mountTargets = liveFs(w).mountTargets.filter((mt) => mt.availabilityZone !== "us-east-1b");
      liveFs(w).mountTargets[0]!.securityGroupIds = [];
    },
    drift: [
      `SG_INGRESS_MISSING high manual ${MT_SG}`,
      `MT_MISSING_IN_AZ high manual ${FS_ID}/us-east-1b`,
      "MT_SECURITY_GROUPS high manual fsmt-a",
    ],
    actions: [],
  },
  ...(["deleting", "error"] as const).map((state) => ({
    name: `MT_MISSING_IN_AZ: the AZ's mount target is ${state} (manual: EFS allows no second one there)`,
    mutate: (w: World) => {
      liveFs(w).mountTargets[1]!.lifeCycleState = state;
    },
    drift: [`MT_MISSING_IN_AZ high manual ${FS_ID}/us-east-1b`],
    actions: [],
  })),
  {
    name: "FN_VPC_CONFIG",
    mutate: (w) => {
      w.desired.functions[0]!.spec.vpc = {
        subnetIds: ["subnet-0a", "subnet-0b"],
        securityGroupIds: [FN_SG, "sg-0fn00000000000002"],
      };
    },
    drift: ["FN_VPC_CONFIG high auto arn:aws:lambda:us-east-1:123456789012:function:search"],
    actions: ["2 UpdateFunctionConfiguration arn:aws:lambda:us-east-1:123456789012:function:search"],
  },
  {
    name: "FN_TOO_FEW_AZS (manual without vpc)",
    mutate: (w) => {
      liveFn(w, "search").vpcConfig!.subnetIds = ["subnet-0a"];
    },
    drift: ["FN_TOO_FEW_AZS medium manual arn:aws:lambda:us-east-1:123456789012:function:search"],
    actions: [],
  },
  {
    name: "FN_TOO_FEW_AZS (auto with vpc) merges into one function update",
    mutate: (w) => {
      w.desired.functions[0]!.spec.vpc = { subnetIds: ["subnet-0a", "subnet-0b"], securityGroupIds: [FN_SG] };
      liveFn(w, "search").vpcConfig!.subnetIds = ["subnet-0a"];
      liveFn(w, "search").timeout = 3;
    },
    drift: [
      "FN_TIMEOUT medium auto arn:aws:lambda:us-east-1:123456789012:function:search",
      "FN_TOO_FEW_AZS medium auto arn:aws:lambda:us-east-1:123456789012:function:search",
      "FN_VPC_CONFIG high auto arn:aws:lambda:us-east-1:123456789012:function:search",
    ],
    actions: ["2 UpdateFunctionConfiguration arn:aws:lambda:us-east-1:123456789012:function:search"],
  },
  {
    name: "FN_FILE_SYSTEM_CONFIG: wrong mount path",
    mutate: (w) => {
      liveFn(w, "search").fileSystemConfigs = [{ arn: AP_ARN, localMountPath: "/mnt/data" }];
    },
    drift: ["FN_FILE_SYSTEM_CONFIG high auto arn:aws:lambda:us-east-1:123456789012:function:search"],
    actions: ["2 UpdateFunctionFileSystem arn:aws:lambda:us-east-1:123456789012:function:search"],
  },
  {
    name: "FN_TIMEOUT below min is raised",
    mutate: (w) => {
      liveFn(w, "embed").timeout = 3;
    },
    drift: ["FN_TIMEOUT medium auto arn:aws:lambda:us-east-1:123456789012:function:embed"],
    actions: ["1 UpdateFunctionConfiguration arn:aws:lambda:us-east-1:123456789012:function:embed"],
  },
  {
    name: "FN_TIMEOUT above max is manual",
    mutate: (w) => {
      liveFn(w, "embed").timeout = 900;
    },
    drift: ["FN_TIMEOUT medium manual arn:aws:lambda:us-east-1:123456789012:function:embed"],
    actions: [],
  },
  {
    name: "canonical forms are not drift: 755 = 0755, secondary gid order, rule sets",
    mutate: (w) => {
      w.desired.accessPoints[0]!.spec.posixUser.secondaryGids = [20, 10];
      liveFs(w).accessPoints[0]!.posixUser!.secondaryGids = [10, 20];
      liveFs(w).accessPoints[0]!.rootDirectory.creationInfo!.permissions = "0755";
      w.desired.accessPoints[0]!.spec.rootDirectory.creationInfo.permissions = "0755";
    },
    drift: [],
    actions: [],
  },
];

describe("diff: one case per drift code", () => {
  it("a converged world has no drift and no actions", () => {
    const p = plan(converged());
    expect(p.drift).toEqual([]);
    expect(p.actions).toEqual([]);
    expect(p.summary).toEqual({ drift: 0, auto: 0, manual: 0, actions: 0 });
  });

  it.each(cases)("$name", (c) => {
    const w = converged();
    c.mutate(w);
    const p = plan(w);
    expect(p.drift.map((d) => `${d.code} ${d.severity} ${d.remediation} ${d.resource.id}`).sort()).toEqual(
      [...c.drift].sort(),
    );
    expect(p.actions.map((a) => `${a.phase} ${a.type} ${a.resource.id}`)).toEqual(c.actions);
    // Every action fixes known drift (adoption excepted) and every auto drift item has an action.
    const driftIds = new Set(p.drift.map((d) => d.id));
    for (const a of p.actions) for (const id of a.driftIds) expect(driftIds.has(id)).toBe(true);
    const fixed = new Set(p.actions.flatMap((a) => a.driftIds));
    for (const d of p.drift) expect(fixed.has(d.id)).toBe(d.remediation === "auto");
    expect(p.summary).toEqual({
      drift: p.drift.length,
      auto: p.drift.filter((d) => d.remediation === "auto").length,
      manual: p.drift.filter((d) => d.remediation === "manual").length,
      actions: p.actions.length,
    });
  });
});

describe("diff: DeleteAccessPoint names the manifests' functions", () => {
  it("so the reconciler can tell a function outside the manifests that mounts it at delete time", () => {
    const w = converged();
    liveFs(w).accessPoints[0]!.posixUser!.uid = 0;
    const deletes = plan(w).actions.filter((a) => a.type === "DeleteAccessPoint");
    expect(deletes.map((a) => a.params)).toEqual([
      {
        accessPointId: AP_ID,
        accessPointArn: AP_ARN,
        fileSystemId: FS_ID,
        manifestFunctions: ["embed", "search"],
      },
    ]);
  });
});

describe("diff: transitional states", () => {
  it("a mount target still being created is waited for in phase 1, not judged on its security groups", () => {
    const w = converged();
    liveFs(w).mountTargets[0]!.lifeCycleState = "creating";
    liveFs(w).mountTargets[0]!.securityGroupIds = [];
    const p = plan(w);
    expect(p.drift.map((d) => [d.code, d.remediation, d.resource.id, d.actual])).toEqual([
      ["MT_MISSING_IN_AZ", "auto", `${FS_ID}/us-east-1a`, "fsmt-a (creating)"],
    ]);
    expect(p.drift[0]?.message).toContain("is still being created, where");
    expect(p.actions.map((a) => [a.type, a.phase, a.params, a.description])).toEqual([
      [
        "CreateMountTarget",
        1,
        {
          fileSystemId: FS_ID,
          availabilityZone: "us-east-1a",
          subnetId: "subnet-0a",
          securityGroupIds: [MT_SG],
        },
        "wait for mount target fsmt-a in us-east-1a to become available",
      ],
    ]);
  });

  it("a mount target being created while the manifest's group does not exist is manual, with no action", () => {
    const w = converged();
    liveFs(w).mountTargets[0]!.lifeCycleState = "creating";
    delete w.observed.securityGroups[MT_SG];
    const p = plan(w);
    const waiting = p.drift.find((d) => d.code === "MT_MISSING_IN_AZ");
    expect(waiting?.remediation).toBe("manual");
    expect(waiting?.message).toContain("does not exist, so nothing is done until it does");
    expect(p.actions.filter((a) => a.type === "CreateMountTarget")).toEqual([]);
  });
});

describe("diff: a mount-target security group several file systems share", () => {
  const FS2 = "fs-0fedcba9876543210";
  const FN_SG2 = "sg-0fn00000000000002";
  const AP2 = "fsap-0000000000000002";
  const AP2_ARN = `arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/${AP2}`;

  /** The converged world plus a second file system ("logs") on the same MT_SG, mounted by "ingest" in FN_SG2. */
  function shared(): World {
    const w = converged();
    const fsm = w.desired.fileSystems[0]!;
    const apm = w.desired.accessPoints[0]!;
    const fnm = w.desired.functions[0]!;
    w.desired.fileSystems.push({
      ...fsm,
      name: "logs",
      spec: { ...fsm.spec, selector: { tags: { Name: "logs" } } },
    });
    w.desired.accessPoints.push({ ...apm, name: "logs-ap", spec: { ...apm.spec, fileSystem: "logs" } });
    w.desired.functions.push({
      ...fnm,
      name: "ingest",
      spec: { ...fnm.spec, functionName: "ingest", accessPoint: "logs-ap" },
    });
    const fs = liveFs(w);
    w.observed.fileSystems.logs = {
      found: true,
      fileSystem: {
        ...fs,
        fileSystemId: FS2,
        fileSystemArn: fs.fileSystemArn.replace(FS_ID, FS2),
        tags: { Name: "logs" },
        mountTargets: fs.mountTargets.map((mt) => ({
          ...mt,
          mountTargetId: `${mt.mountTargetId}-2`,
          fileSystemId: FS2,
        })),
        accessPoints: [
          {
            ...fs.accessPoints[0]!,
            accessPointId: AP2,
            accessPointArn: AP2_ARN,
            fileSystemId: FS2,
            tags: { ...fs.accessPoints[0]!.tags, "efs-reconciler.io/name": "logs-ap" },
          },
        ],
      },
    };
    const search = liveFn(w, "search");
    w.observed.functions.ingest = {
      found: true,
      fn: {
        ...search,
        functionName: "ingest",
        functionArn: search.functionArn.replace("search", "ingest"),
        vpcConfig: { ...search.vpcConfig!, securityGroupIds: [FN_SG2] },
        fileSystemConfigs: [{ arn: AP2_ARN, localMountPath: "/mnt/efs" }],
      },
    };
    w.observed.mountedBy[AP2_ARN] = ["ingest"];
    const fnGroup = w.observed.securityGroups[FN_SG]!;
    w.observed.securityGroups[FN_SG2] = {
      ...fnGroup,
      groupId: FN_SG2,
      rules: fnGroup.rules.map((r) => ({ ...r, ruleId: "sgr-out2", groupId: FN_SG2 })),
    };
    const mtGroup = w.observed.securityGroups[MT_SG]!;
    mtGroup.rules.push({ ...mtGroup.rules[0]!, ruleId: "sgr-in2", referencedGroupId: FN_SG2 });
    return w;
  }

  it("admits the functions of every file system naming it: nothing is revoked", () => {
    const p = plan(shared());
    expect(p.drift).toEqual([]);
    expect(p.actions).toEqual([]);
  });

  it("reports a rule no file system allows once, with one revocation", () => {
    const w = shared();
    w.observed.securityGroups[MT_SG]!.rules.push(WORLD_OPEN_NFS);
    const p = plan(w);
    expect(p.drift.map((d) => `${d.code} ${d.field} ${d.manifest.name}`)).toEqual([
      "SG_INGRESS_NOT_ALLOWED ingress.sgr-open ml-data",
    ]);
    expect(p.drift[0]!.message).toContain("outside NFS from the functions bound to ml-data, logs");
    expect(
      p.actions.map((a) => `${a.phase} ${a.type} ${JSON.stringify(a.params).includes("sgr-open")}`),
    ).toEqual(["3 RevokeIngress true"]);
  });

  it("asks for the missing rule of one file system's function and keeps the other's", () => {
    const w = shared();
    const mtGroup = w.observed.securityGroups[MT_SG]!;
    mtGroup.rules = mtGroup.rules.filter((r) => r.referencedGroupId !== FN_SG2);
    const p = plan(w);
    expect(p.drift.map((d) => `${d.code} ${d.field} ${d.manifest.name}`)).toEqual([
      "SG_INGRESS_MISSING ingress.from.ingest logs",
    ]);
    expect(p.actions.map((a) => `${a.phase} ${a.type}`)).toEqual(["1 AuthorizeIngress"]);
    expect(p.actions[0]!.params).toMatchObject({ groupId: MT_SG, sourceGroupId: FN_SG2 });
  });

  it("a shared group that does not exist is reported once", () => {
    const w = shared();
    delete w.observed.securityGroups[MT_SG];
    const p = plan(w);
    const missing = p.drift.filter((d) => d.field === "mountTargets.securityGroupId");
    expect(missing.map((d) => `${d.code} ${d.remediation} ${d.manifest.name}`)).toEqual([
      "SG_INGRESS_MISSING manual ml-data",
    ]);
    expect(new Set(p.drift.map((d) => d.id)).size).toBe(p.drift.length);
  });
});

describe("diff: groups outside the deployment's MountTargetSecurityGroupIds", () => {
  /** The converged world with NFS open to the world and the function's own rule gone. */
  function drifted(): World {
    const w = converged();
    const mtGroup = w.observed.securityGroups[MT_SG]!;
    mtGroup.rules = [...mtGroup.rules.filter((r) => r.referencedGroupId !== FN_SG), WORLD_OPEN_NFS];
    return w;
  }
  const planWith = (w: World, ingressGroups: readonly string[] | undefined): Plan =>
    planChanges(w.desired, w.observed, { mode: "dry-run", runId: "run-1", ingressGroups });
  const ingressDrift = (p: Plan) =>
    p.drift.filter((d) => d.code.startsWith("SG_INGRESS")).map((d) => `${d.code} ${d.remediation}`);
  const ingressActions = (p: Plan) =>
    p.actions.filter((a) => a.type === "AuthorizeIngress" || a.type === "RevokeIngress").map((a) => a.type);

  it("a listed group (or no list) is remediated as usual", () => {
    for (const p of [planWith(drifted(), [MT_SG, "sg-other"]), planWith(drifted(), undefined)]) {
      expect(ingressDrift(p).sort()).toEqual([
        "SG_INGRESS_MISSING auto",
        "SG_INGRESS_MISSING auto",
        "SG_INGRESS_NOT_ALLOWED auto",
      ]);
      expect(ingressActions(p).sort()).toEqual(["AuthorizeIngress", "RevokeIngress"]);
    }
  });

  it("a group the list leaves out: its ingress drift is manual, says to add it, and gets no action", () => {
    const p = planWith(drifted(), ["sg-other"]);
    expect(ingressDrift(p).sort()).toEqual([
      "SG_INGRESS_MISSING manual",
      "SG_INGRESS_MISSING manual",
      "SG_INGRESS_NOT_ALLOWED manual",
    ]);
    expect(ingressActions(p)).toEqual([]);
    for (const d of p.drift.filter((x) => x.code.startsWith("SG_INGRESS"))) {
      expect(d.message).toContain(
        `this deployment may change ingress only on its MountTargetSecurityGroupIds (sg-other), so it leaves ${MT_SG} as it is: add ${MT_SG} to that parameter and update the stack`,
      );
    }
    // The world-open rule keeps its severity; nothing else about the plan changes.
    expect(p.drift.find((d) => d.code === "SG_INGRESS_NOT_ALLOWED")?.severity).toBe("critical");
    const unlimited = planWith(drifted(), undefined);
    expect(p.drift.filter((d) => !d.code.startsWith("SG_INGRESS"))).toEqual(
      unlimited.drift.filter((d) => !d.code.startsWith("SG_INGRESS")),
    );
    expect(p.actions).toEqual(
      unlimited.actions.filter((a) => a.type !== "AuthorizeIngress" && a.type !== "RevokeIngress"),
    );
  });
});
