/**
 * The checklist codes of the pure diff: public subnets, the execution role's EFS access, the log
 * format and the file system's alarms. Each case changes a copy of a converged world (the world of
 * world.ts, plus what the checklist observes: route tables, IAM and alarms).
 */
import { describe, expect, it } from "vitest";
import type { ObservedAlarm, ObservedRouteTable } from "../../../src/observe/types";
import { alarmName, desiredAlarm } from "../../../src/plan/alarm-definitions";
import { planChanges } from "../../../src/plan/index";
import type { Action, Drift, Plan } from "../../../src/plan/types";
import { buildReportView } from "../../../src/render/report-view";
import { converged, FS_ID, liveFn, liveFs, type World } from "./world";

const ACCOUNT = "123456789012";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ml-lambda`;
const FS_ARN = `arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:file-system/${FS_ID}`;
const ALARM = alarmName(FS_ID, "percentIOLimit");
const BURST_ALARM = alarmName(FS_ID, "burstCreditBalanceBytes");
const SEARCH = "arn:aws:lambda:us-east-1:123456789012:function:search";
const EMBED = "arn:aws:lambda:us-east-1:123456789012:function:embed";
const MANAGED = { "efs-reconciler.io/managed-by": "efs-reconciler" };

const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const efsStatement = (Action: string[] | string, Resource = FS_ARN) => ({
  Effect: "Allow",
  Action,
  Resource,
});
const READ_WRITE = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"];

function liveAlarm(kind: "percentIOLimit" | "burstCreditBalanceBytes", threshold: number): ObservedAlarm {
  const def = desiredAlarm(FS_ID, kind, { percentIOLimit: threshold, burstCreditBalanceBytes: threshold });
  if (!def) throw new Error("no alarm");
  return {
    alarmName: def.alarmName,
    alarmArn: `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${def.alarmName}`,
    alarmDescription: def.alarmDescription,
    namespace: def.namespace,
    metricName: def.metricName,
    dimensions: [{ name: "FileSystemId", value: FS_ID }],
    statistic: def.statistic,
    period: def.period,
    evaluationPeriods: def.evaluationPeriods,
    datapointsToAlarm: def.datapointsToAlarm,
    threshold: def.threshold,
    comparisonOperator: def.comparisonOperator,
    treatMissingData: def.treatMissingData,
    actionsEnabled: true,
    tags: { ...MANAGED },
  };
}

const mainTable = (routes: ObservedRouteTable["routes"] = []): ObservedRouteTable => ({
  routeTableId: "rtb-main",
  vpcId: "vpc-1",
  main: true,
  subnetIds: [],
  routes: [{ destinationCidrBlock: "10.0.0.0/16", gatewayId: "local", state: "active" }, ...routes],
});

const IGW_ROUTE = { destinationCidrBlock: "0.0.0.0/0", gatewayId: "igw-0public", state: "active" };
const NAT_ROUTE = { destinationCidrBlock: "0.0.0.0/0", natGatewayId: "nat-0private", state: "active" };

/** world.ts's converged world, with what the checklist observes, converged too. */
function checklistWorld(): World {
  const w = converged();
  for (const name of ["search", "embed"]) liveFn(w, name).role = ROLE;
  w.observed.routeTables = { "rtb-main": mainTable() };
  w.observed.iam = {
    roles: {
      [ROLE]: {
        roleArn: ROLE,
        roleName: "ml-lambda",
        found: true,
        policies: [{ kind: "inline", name: "efs-client", document: doc(efsStatement(READ_WRITE)) }],
      },
    },
    fileSystemPolicies: { [FS_ID]: null },
  };
  w.observed.alarms = { [ALARM]: liveAlarm("percentIOLimit", 90) };
  return w;
}

const role = (w: World) => {
  const r = w.observed.iam?.roles[ROLE];
  if (!r) throw new Error("no role");
  return r;
};

const plan = (w: World): Plan => planChanges(w.desired, w.observed, { mode: "dry-run", runId: "run-1" });

interface Case {
  name: string;
  mutate: (w: World) => void;
  /** Expected drift as `CODE severity remediation resourceId field`, order-insensitive. */
  drift: string[];
  /** Expected actions as `phase TYPE resourceId`, in plan order. */
  actions: string[];
  /** Substrings of the message of the first drift item (in plan order) with the first expected code. */
  message?: string[];
}

const cases: Case[] = [
  // ---- private subnets
  {
    name: "FN_PUBLIC_SUBNET / MT_PUBLIC_SUBNET: an explicitly associated table routes to an internet gateway",
    mutate: (w) => {
      w.observed.routeTables = {
        "rtb-main": mainTable([NAT_ROUTE]),
        "rtb-public": {
          routeTableId: "rtb-public",
          vpcId: "vpc-1",
          main: false,
          subnetIds: ["subnet-0a"],
          routes: [IGW_ROUTE],
        },
      };
    },
    drift: [
      `FN_PUBLIC_SUBNET medium manual ${EMBED} subnets.subnet-0a`,
      `FN_PUBLIC_SUBNET medium manual ${SEARCH} subnets.subnet-0a`,
      "MT_PUBLIC_SUBNET high manual fsmt-a subnetId",
    ],
    actions: [],
    message: ["route table rtb-public sends 0.0.0.0/0 to internet gateway igw-0public"],
  },
  {
    name: "FN_PUBLIC_SUBNET: the main table routes to an internet gateway, an explicit NAT table keeps subnet-0b private",
    mutate: (w) => {
      w.observed.routeTables = {
        "rtb-main": mainTable([IGW_ROUTE]),
        "rtb-nat": {
          routeTableId: "rtb-nat",
          vpcId: "vpc-1",
          main: false,
          subnetIds: ["subnet-0b"],
          routes: [NAT_ROUTE],
        },
      };
    },
    drift: [
      `FN_PUBLIC_SUBNET medium manual ${EMBED} subnets.subnet-0a`,
      `FN_PUBLIC_SUBNET medium manual ${SEARCH} subnets.subnet-0a`,
      "MT_PUBLIC_SUBNET high manual fsmt-a subnetId",
    ],
    actions: [],
    message: ["the main route table rtb-main of vpc-1", "igw-0public"],
  },
  {
    name: "a NAT gateway route is private",
    mutate: (w) => {
      w.observed.routeTables = { "rtb-main": mainTable([NAT_ROUTE]) };
    },
    drift: [],
    actions: [],
  },
  {
    name: "a blackholed internet route is private",
    mutate: (w) => {
      w.observed.routeTables = { "rtb-main": mainTable([{ ...IGW_ROUTE, state: "blackhole" }]) };
    },
    drift: [],
    actions: [],
  },
  {
    name: "public subnets in the manifest's vpc are reported against the manifest",
    mutate: (w) => {
      w.desired.functions[0]!.spec.vpc = {
        subnetIds: ["subnet-0a", "subnet-0c"],
        securityGroupIds: ["sg-0fn00000000000001"],
      };
      w.observed.routeTables = {
        "rtb-main": mainTable(),
        "rtb-public": {
          routeTableId: "rtb-public",
          vpcId: "vpc-1",
          main: false,
          subnetIds: ["subnet-0c"],
          routes: [IGW_ROUTE],
        },
      };
    },
    drift: [
      `FN_PUBLIC_SUBNET medium manual ${SEARCH} subnets.subnet-0c`,
      `FN_VPC_CONFIG high auto ${SEARCH} vpcConfig`,
      `MT_MISSING_IN_AZ high auto ${FS_ID}/us-east-1c availabilityZones`,
    ],
    actions: [`1 CreateMountTarget ${FS_ID}/us-east-1c`, `2 UpdateFunctionConfiguration ${SEARCH}`],
    message: ["spec.vpc.subnetIds"],
  },
  {
    name: "route tables not observed: no public-subnet check",
    mutate: (w) => {
      w.observed.routeTables = undefined;
    },
    drift: [],
    actions: [],
  },
  // ---- IAM
  {
    name: "FN_IAM_EFS_ACCESS_MISSING: no EFS grant at all (every function of the role)",
    mutate: (w) => {
      role(w).policies = [
        { kind: "inline", name: "logs", document: doc({ Effect: "Allow", Action: "logs:*", Resource: "*" }) },
      ];
    },
    drift: [
      `FN_IAM_EFS_ACCESS_MISSING critical manual ${EMBED} role`,
      `FN_IAM_EFS_ACCESS_MISSING critical manual ${SEARCH} role`,
    ],
    actions: [],
    message: [
      "lacks elasticfilesystem:ClientMount and elasticfilesystem:ClientWrite",
      `{"Effect":"Allow","Action":["elasticfilesystem:ClientMount","elasticfilesystem:ClientWrite"],"Resource":"${FS_ARN}"}`,
    ],
  },
  {
    name: "FN_IAM_EFS_ACCESS_MISSING: no ClientWrite for readWrite (readOnly is satisfied)",
    mutate: (w) => {
      role(w).policies[0]!.document = doc(efsStatement("elasticfilesystem:ClientMount"));
      w.desired.functions[1]!.spec.access = "readOnly";
    },
    drift: [`FN_IAM_EFS_ACCESS_MISSING critical manual ${SEARCH} role`],
    actions: [],
    message: ["lacks elasticfilesystem:ClientWrite on", "no policy grants ClientWrite"],
  },
  {
    name: "FN_IAM_EFS_ACCESS_MISSING: the file system's policy denies writes",
    mutate: (w) => {
      w.observed.iam!.fileSystemPolicies[FS_ID] = doc({
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "elasticfilesystem:ClientWrite",
        Resource: FS_ARN,
      });
    },
    drift: [
      `FN_IAM_EFS_ACCESS_MISSING critical manual ${EMBED} role`,
      `FN_IAM_EFS_ACCESS_MISSING critical manual ${SEARCH} role`,
    ],
    actions: [],
    message: ["ClientWrite is denied by the file system's policy", "and lift the deny"],
  },
  {
    name: "FN_IAM_EFS_ACCESS_MISSING: the execution role does not exist",
    mutate: (w) => {
      Object.assign(role(w), { found: false, policies: [] });
    },
    drift: [
      `FN_IAM_EFS_ACCESS_MISSING critical manual ${EMBED} role`,
      `FN_IAM_EFS_ACCESS_MISSING critical manual ${SEARCH} role`,
    ],
    actions: [],
    message: [`execution role ${ROLE} of function embed does not exist`],
  },
  {
    name: "a grant in the file system's policy alone is enough",
    mutate: (w) => {
      role(w).policies = [];
      w.observed.iam!.fileSystemPolicies[FS_ID] = doc({
        Effect: "Allow",
        Principal: { AWS: ROLE },
        Action: READ_WRITE,
        Resource: FS_ARN,
      });
    },
    drift: [],
    actions: [],
  },
  {
    name: "FN_IAM_EFS_ACCESS_TOO_BROAD: the AWS managed AmazonElasticFileSystemClientReadWriteAccess",
    mutate: (w) => {
      role(w).policies = [
        {
          kind: "managed",
          name: "AmazonElasticFileSystemClientReadWriteAccess",
          arn: "arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadWriteAccess",
          document: doc(efsStatement([...READ_WRITE, "elasticfilesystem:DescribeMountTargets"], "*")),
        },
      ];
    },
    drift: [
      `FN_IAM_EFS_ACCESS_TOO_BROAD medium manual ${EMBED} role.efsGrants`,
      `FN_IAM_EFS_ACCESS_TOO_BROAD medium manual ${SEARCH} role.efsGrants`,
    ],
    actions: [],
    message: [
      "AWS managed policy AmazonElasticFileSystemClientReadWriteAccess grants elasticfilesystem:DescribeMountTargets on * (every file system)",
      "AWS's ready-made EFS client policy",
      "grant exactly this statement instead",
    ],
  },
  {
    name: "FN_IAM_EFS_ACCESS_TOO_BROAD: elasticfilesystem:* on the file system",
    mutate: (w) => {
      role(w).policies[0]!.document = doc({ Sid: "All", ...efsStatement("elasticfilesystem:*") });
    },
    drift: [
      `FN_IAM_EFS_ACCESS_TOO_BROAD medium manual ${EMBED} role.efsGrants`,
      `FN_IAM_EFS_ACCESS_TOO_BROAD medium manual ${SEARCH} role.efsGrants`,
    ],
    actions: [],
    message: ["inline policy efs-client of role ml-lambda (statement All) grants elasticfilesystem:Backup"],
  },
  {
    name: "statements that name only other services' resources grant nothing on EFS, whatever their actions",
    mutate: (w) => {
      const minimal = JSON.parse(role(w).policies[0]!.document) as { Statement: object[] };
      role(w).policies[0]!.document = doc(
        ...minimal.Statement,
        { Sid: "Bucket", Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::my-bucket/*" },
        {
          Sid: "Table",
          Effect: "Allow",
          NotAction: "iam:*",
          Resource: ["arn:aws:dynamodb:us-east-1:111122223333:table/t"],
        },
      );
    },
    drift: [],
    actions: [],
  },
  {
    name: "a function outside any VPC reports FN_NOT_IN_VPC only (no log format, no IAM)",
    mutate: (w) => {
      const fn = liveFn(w, "search");
      delete fn.vpcConfig;
      fn.fileSystemConfigs = [];
      fn.logFormat = "Text";
      // Its own role, granting nothing.
      fn.role = `${ROLE}-search`;
      w.observed.iam!.roles[fn.role] = {
        roleArn: fn.role,
        roleName: "ml-lambda-search",
        found: true,
        policies: [],
      };
    },
    drift: [`FN_NOT_IN_VPC critical manual ${SEARCH} vpcConfig`],
    actions: [],
  },
  {
    name: "IAM not observed: no IAM check",
    mutate: (w) => {
      w.observed.iam = undefined;
    },
    drift: [],
    actions: [],
  },
  // ---- log format
  {
    name: "FN_LOG_FORMAT: Text logs, JSON wanted",
    mutate: (w) => {
      liveFn(w, "embed").logFormat = "Text";
    },
    drift: [`FN_LOG_FORMAT low auto ${EMBED} loggingConfig.logFormat`],
    actions: [`1 UpdateFunctionConfiguration ${EMBED}`],
    message: ["function embed writes Text logs, the manifest wants JSON"],
  },
  {
    name: "FN_LOG_FORMAT: JSON logs, Text wanted",
    mutate: (w) => {
      w.desired.functions[0]!.spec.logFormat = "Text";
    },
    drift: [`FN_LOG_FORMAT low auto ${SEARCH} loggingConfig.logFormat`],
    actions: [`1 UpdateFunctionConfiguration ${SEARCH}`],
  },
  {
    name: "logFormat unmanaged: any format is fine",
    mutate: (w) => {
      w.desired.functions[0]!.spec.logFormat = "unmanaged";
      liveFn(w, "search").logFormat = "Text";
    },
    drift: [],
    actions: [],
  },
  {
    name: "a log format Lambda did not report is not checked",
    mutate: (w) => {
      delete liveFn(w, "search").logFormat;
    },
    drift: [],
    actions: [],
  },
  // ---- alarms
  {
    name: "FS_ALARMS: the PercentIOLimit alarm is missing",
    mutate: (w) => {
      w.observed.alarms = {};
    },
    drift: [`FS_ALARMS low auto ${ALARM} alarms.percentIOLimit`],
    actions: [`1 PutMetricAlarm ${ALARM}`],
    message: [`${FS_ID} has no alarm PercentIOLimit ≥ 90%`],
  },
  {
    name: "FS_ALARMS: the threshold differs",
    mutate: (w) => {
      w.desired.fileSystems[0]!.spec.alarms.percentIOLimit = 75;
    },
    drift: [`FS_ALARMS low auto ${ALARM} alarms.percentIOLimit`],
    actions: [`1 PutMetricAlarm ${ALARM}`],
    message: ["threshold 90 → 75"],
  },
  {
    name: "FS_ALARMS: the alarm is not tagged managed",
    mutate: (w) => {
      w.observed.alarms![ALARM]!.tags = {};
    },
    drift: [`FS_ALARMS low auto ${ALARM} alarms.percentIOLimit`],
    actions: [`1 PutMetricAlarm ${ALARM}`],
    message: ["tag efs-reconciler.io/managed-by (none) → efs-reconciler"],
  },
  {
    name: "FS_ALARMS: a burst-credit alarm is wanted",
    mutate: (w) => {
      w.desired.fileSystems[0]!.spec.alarms.burstCreditBalanceBytes = 1_000_000_000;
    },
    drift: [`FS_ALARMS low auto ${BURST_ALARM} alarms.burstCreditBalanceBytes`],
    actions: [`1 PutMetricAlarm ${BURST_ALARM}`],
    message: ["BurstCreditBalance < 1000000000 bytes"],
  },
  {
    name: "FS_ALARMS: a managed alarm no longer wanted is deleted",
    mutate: (w) => {
      w.desired.fileSystems[0]!.spec.alarms.percentIOLimit = false;
    },
    drift: [`FS_ALARMS low auto ${ALARM} alarms.percentIOLimit`],
    actions: [`3 DeleteAlarm ${ALARM}`],
    message: ["was made by efs-reconciler and the manifest no longer wants it"],
  },
  {
    name: "an unwanted alarm that is not tagged managed is left alone",
    mutate: (w) => {
      w.desired.fileSystems[0]!.spec.alarms.percentIOLimit = false;
      w.observed.alarms![ALARM]!.tags = { team: "ml" };
    },
    drift: [],
    actions: [],
  },
  {
    name: "another file system's alarms are not this one's",
    mutate: (w) => {
      const other = liveAlarm("burstCreditBalanceBytes", 5);
      const name = other.alarmName.replace(FS_ID, `${FS_ID}9`);
      w.observed.alarms![name] = { ...other, alarmName: name };
    },
    drift: [],
    actions: [],
  },
  {
    name: "alarms not observed: no alarm check",
    mutate: (w) => {
      w.observed.alarms = undefined;
    },
    drift: [],
    actions: [],
  },
];

const driftLine = (d: Drift) => `${d.code} ${d.severity} ${d.remediation} ${d.resource.id} ${d.field}`;
const actionLine = (a: Action) => `${a.phase} ${a.type} ${a.resource.id}`;

describe("diff: the checklist codes", () => {
  it("a converged world (checklist included) has no drift", () => {
    const p = plan(checklistWorld());
    expect(p.drift).toEqual([]);
    expect(p.actions).toEqual([]);
  });

  it.each(cases)("$name", (c) => {
    const w = checklistWorld();
    c.mutate(w);
    const p = plan(w);
    expect(p.drift.map(driftLine).sort()).toEqual([...c.drift].sort());
    expect(p.actions.map(actionLine)).toEqual(c.actions);
    const first = p.drift.find((d) => d.code === c.drift[0]?.split(" ")[0]);
    for (const text of c.message ?? []) expect(first?.message).toContain(text);
    // Every action fixes drift of this plan.
    const ids = new Set(p.drift.map((d) => d.id));
    for (const a of p.actions) for (const id of a.driftIds) expect(ids.has(id)).toBe(true);
  });
});

describe("diff: checklist actions", () => {
  it("merges the log format into the function's one phase-1 update", () => {
    const w = checklistWorld();
    liveFn(w, "search").logFormat = "Text";
    liveFn(w, "search").timeout = 10;
    const p = plan(w);
    const updates = p.actions.filter((a) => a.type === "UpdateFunctionConfiguration");
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      phase: 1,
      params: { functionName: "search", timeout: 30, logFormat: "JSON" },
      description: "raise timeout 10 s → 30 s; set log format Text → JSON",
    });
    expect(updates[0]?.driftIds.map((id) => p.drift.find((d) => d.id === id)?.code).sort()).toEqual([
      "FN_LOG_FORMAT",
      "FN_TIMEOUT",
    ]);
  });

  it("plans the full alarm definition, tagged as created or updated", () => {
    const w = checklistWorld();
    w.observed.alarms = {};
    const create = plan(w).actions[0];
    expect(create).toMatchObject({
      type: "PutMetricAlarm",
      params: {
        exists: false,
        alarm: {
          alarmName: ALARM,
          namespace: "AWS/EFS",
          metricName: "PercentIOLimit",
          fileSystemId: FS_ID,
          statistic: "Maximum",
          threshold: 90,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
        },
      },
    });
    w.observed.alarms = { [ALARM]: { ...liveAlarm("percentIOLimit", 90), period: 300 } };
    const update = plan(w).actions[0];
    expect(update?.type === "PutMetricAlarm" && update.params.exists).toBe(true);
    // Create and update are one idempotent PutMetricAlarm; the renderers show them as + and ~.
    const symbols = (p: Plan) => buildReportView(p).phases.flatMap((ph) => ph.actions.map((v) => v.symbol));
    w.observed.alarms = {};
    expect(symbols(plan(w))).toEqual(["+"]);
    w.observed.alarms = { [ALARM]: { ...liveAlarm("percentIOLimit", 90), period: 300 } };
    expect(symbols(plan(w))).toEqual(["~"]);
    w.desired.fileSystems[0]!.spec.alarms.percentIOLimit = false;
    expect(symbols(plan(w))).toEqual(["-"]);
  });

  it("checks every function of a shared role against its own access", () => {
    const w = checklistWorld();
    role(w).policies[0]!.document = doc(efsStatement("elasticfilesystem:ClientMount"));
    for (const f of w.desired.functions) f.spec.access = "readOnly";
    expect(plan(w).drift).toEqual([]);
  });

  it("does not check IAM of a function whose file system is not found", () => {
    const w = checklistWorld();
    role(w).policies = [];
    w.observed.fileSystems["ml-data"] = { found: false, reason: "gone", candidates: [] };
    expect(plan(w).drift.map((d) => d.code)).toEqual(["FS_NOT_FOUND"]);
  });

  it("keeps drift ids stable per function, code and subnet", () => {
    const w = checklistWorld();
    w.observed.routeTables = { "rtb-main": mainTable([IGW_ROUTE]) };
    const first = plan(w).drift.map((d) => d.id);
    const again = plan(w).drift.map((d) => d.id);
    expect(first).toEqual(again);
    expect(new Set(first).size).toBe(first.length);
    expect(liveFs(w).mountTargets).toHaveLength(2);
  });
});

describe("mount-target subnet choice", () => {
  it("prefers a private subnet of the AZ over a lower-id public one", () => {
    const w = converged();
    // A second function subnet in us-east-1b, with a higher id but private.
    w.observed.subnets["subnet-0b2"] = {
      subnetId: "subnet-0b2",
      vpcId: "vpc-1",
      availabilityZone: "us-east-1b",
    };
    liveFn(w, "search").vpcConfig!.subnetIds = ["subnet-0a", "subnet-0b", "subnet-0b2"];
    liveFs(w).mountTargets.pop();
    w.observed.routeTables = {
      "rtb-main": mainTable(),
      "rtb-public": {
        routeTableId: "rtb-public",
        vpcId: "vpc-1",
        main: false,
        subnetIds: ["subnet-0b"],
        routes: [IGW_ROUTE],
      },
    };
    const create = planChanges(w.desired, w.observed, { mode: "dry-run", runId: "r" }).actions.find(
      (a): a is Extract<Action, { type: "CreateMountTarget" }> => a.type === "CreateMountTarget",
    );
    expect(create?.params.subnetId).toBe("subnet-0b2");
  });

  it("falls back to a public subnet when the AZ has no private one (reported as public, never skipped)", () => {
    const w = converged();
    liveFs(w).mountTargets.pop();
    w.observed.routeTables = {
      "rtb-main": mainTable(),
      "rtb-public": {
        routeTableId: "rtb-public",
        vpcId: "vpc-1",
        main: false,
        subnetIds: ["subnet-0b"],
        routes: [IGW_ROUTE],
      },
    };
    const create = planChanges(w.desired, w.observed, { mode: "dry-run", runId: "r" }).actions.find(
      (a): a is Extract<Action, { type: "CreateMountTarget" }> => a.type === "CreateMountTarget",
    );
    expect(create?.params.subnetId).toBe("subnet-0b");
  });
});
