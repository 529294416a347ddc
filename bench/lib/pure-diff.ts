/**
 * Diff + plan alone, no AWS: an in-memory desired state and snapshot of a synthetic fleet with the
 * same shape as the seeded one (per app: a file system, two mount targets, an access point, two
 * functions, two security groups; its alarm, JSON logs; per 100 apps a VPC with its main route
 * table and a team role granting EFS client access), one app in ten drifted (no lifecycle policy,
 * a mount target missing, NFS open to the world) so the planner has work to do.
 */
import type {
  AccessPointManifest,
  DesiredState,
  FileSystemManifest,
  LambdaFunctionManifest,
} from "../../src/desired-state/types";
import type {
  ObservedAlarm,
  ObservedFileSystem,
  ObservedState,
  SecurityGroupRule,
} from "../../src/observe/types";
import { desiredAlarm } from "../../src/plan/alarm-definitions";
import { planChanges } from "../../src/plan/index";
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, NAME_TAG } from "../../src/reconcilers/access-point-identity";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const AZS = ["us-east-1a", "us-east-1b"];
/** Resources per app the diff compares: FS, 2 mount targets, AP, 2 functions, 2 groups. */
export const RESOURCES_PER_APP = 8;

const hex = (n: number, width = 17): string => n.toString(16).padStart(width, "0");

export interface SyntheticFleet {
  desired: DesiredState;
  observed: ObservedState;
  resources: number;
}

export function syntheticFleet(apps: number): SyntheticFleet {
  const desired: DesiredState = {
    fileSystems: [],
    accessPoints: [],
    functions: [],
    revision: "sha256:bench",
  };
  const observed: ObservedState = {
    region: REGION,
    fileSystems: {},
    functions: {},
    mountedBy: {},
    subnets: {},
    vpcSubnets: {},
    securityGroups: {},
    routeTables: {},
    iam: { roles: {}, fileSystemPolicies: {} },
    alarms: {},
  };
  const routeTables = observed.routeTables ?? {};
  const iam = observed.iam ?? { roles: {}, fileSystemPolicies: {} };
  const alarms: Record<string, ObservedAlarm> = observed.alarms ?? {};
  const source = { file: "bench.yaml", line: 1, col: 1 };
  const teamArns: string[][] = [];
  for (let v = 0; v * 100 < apps; v++) {
    for (const [a, az] of AZS.entries()) {
      const subnetId = `subnet-${hex(v * 10 + a)}`;
      observed.subnets[subnetId] = { subnetId, vpcId: `vpc-${hex(v)}`, availabilityZone: az };
    }
    const routeTableId = `rtb-${hex(v)}`;
    routeTables[routeTableId] = {
      routeTableId,
      vpcId: `vpc-${hex(v)}`,
      main: true,
      subnetIds: [],
      routes: [{ destinationCidrBlock: `10.${v}.0.0/16`, gatewayId: "local", state: "active" }],
    };
    teamArns.push([]);
  }
  for (let i = 0; i < apps; i++) {
    const name = `app-${String(i).padStart(5, "0")}`;
    const drifted = i % 10 === 0;
    const v = Math.floor(i / 100);
    const vpcId = `vpc-${hex(v)}`;
    const subnetIds = AZS.map((_, a) => `subnet-${hex(v * 10 + a)}`);
    const fsId = `fs-${hex(i)}`;
    const mtSg = `sg-${hex(2 * i)}`;
    const fnSg = `sg-${hex(2 * i + 1)}`;
    const apId = `fsap-${hex(i)}`;
    const apArn = `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:access-point/${apId}`;
    const fsm: FileSystemManifest = {
      kind: "FileSystem",
      name,
      labels: {},
      source,
      spec: {
        fileSystemId: fsId,
        encrypted: true,
        performanceMode: "generalPurpose",
        throughputMode: "bursting",
        lifecyclePolicy: {
          transitionToIA: "AFTER_30_DAYS",
          transitionToPrimaryStorageClass: "AFTER_1_ACCESS",
        },
        mountTargets: { securityGroupId: mtSg, availabilityZones: [], allowedSecurityGroupIds: [] },
        alarms: { percentIOLimit: 90, burstCreditBalanceBytes: false },
      },
    };
    const fsArn = `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/${fsId}`;
    teamArns[v]?.push(fsArn);
    iam.fileSystemPolicies[fsId] = null;
    const alarm = desiredAlarm(fsId, "percentIOLimit", fsm.spec.alarms);
    if (alarm) {
      alarms[alarm.alarmName] = {
        alarmName: alarm.alarmName,
        alarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${alarm.alarmName}`,
        alarmDescription: alarm.alarmDescription,
        namespace: alarm.namespace,
        metricName: alarm.metricName,
        dimensions: [{ name: "FileSystemId", value: fsId }],
        statistic: alarm.statistic,
        period: alarm.period,
        evaluationPeriods: alarm.evaluationPeriods,
        datapointsToAlarm: alarm.datapointsToAlarm,
        threshold: alarm.threshold,
        comparisonOperator: alarm.comparisonOperator,
        treatMissingData: alarm.treatMissingData,
        tags: { [MANAGED_BY_TAG]: MANAGED_BY_VALUE },
      };
    }
    const apm: AccessPointManifest = {
      kind: "AccessPoint",
      name,
      labels: {},
      source,
      spec: {
        fileSystem: name,
        posixUser: { uid: 1000, gid: 1000, secondaryGids: [] },
        rootDirectory: {
          path: `/${name}`,
          creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "0755" },
        },
      },
    };
    desired.fileSystems.push(fsm);
    desired.accessPoints.push(apm);
    const fnNames = [0, 1].map((f) => `${name}-fn${f}`);
    for (const fnName of fnNames) {
      const fm: LambdaFunctionManifest = {
        kind: "LambdaFunction",
        name: fnName,
        labels: {},
        source,
        spec: {
          functionName: fnName,
          accessPoint: name,
          mountPath: "/mnt/efs",
          timeoutSeconds: { min: 30, max: 60 },
          minAvailabilityZones: 2,
          access: "readWrite",
          logFormat: "JSON",
        },
      };
      desired.functions.push(fm);
      observed.functions[fnName] = {
        found: true,
        fn: {
          functionName: fnName,
          functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fnName}`,
          role: teamRole(v),
          logFormat: "JSON",
          timeout: 30,
          vpcConfig: { vpcId, subnetIds, securityGroupIds: [fnSg] },
          fileSystemConfigs: [{ arn: apArn, localMountPath: "/mnt/efs" }],
        },
      };
    }
    observed.mountedBy[apArn] = fnNames;
    const mountTargets = (drifted ? AZS.slice(0, 1) : AZS).map((az, a) => ({
      mountTargetId: `fsmt-${hex(2 * i + a)}`,
      fileSystemId: fsId,
      subnetId: subnetIds[a] ?? "",
      vpcId,
      availabilityZone: az,
      lifeCycleState: "available",
      networkInterfaceId: `eni-${hex(2 * i + a)}`,
      securityGroupIds: [mtSg],
    }));
    const fs: ObservedFileSystem = {
      fileSystemId: fsId,
      fileSystemArn: `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/${fsId}`,
      tags: { Name: name },
      encrypted: true,
      performanceMode: "generalPurpose",
      throughputMode: "bursting",
      lifeCycleState: "available",
      lifecycle: drifted
        ? { transitionToIA: "NONE", transitionToPrimaryStorageClass: "NONE" }
        : { transitionToIA: "AFTER_30_DAYS", transitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
      mountTargets,
      accessPoints: [
        {
          accessPointId: apId,
          accessPointArn: apArn,
          fileSystemId: fsId,
          lifeCycleState: "available",
          tags: { [NAME_TAG]: name, [MANAGED_BY_TAG]: MANAGED_BY_VALUE },
          posixUser: { uid: 1000, gid: 1000, secondaryGids: [] },
          rootDirectory: {
            path: `/${name}`,
            creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "755" },
          },
        },
      ],
    };
    observed.fileSystems[name] = { found: true, fileSystem: fs };
    const rule = (id: number, r: Omit<SecurityGroupRule, "ruleId" | "groupId">, groupId: string) => ({
      ruleId: `sgr-${hex(id)}`,
      groupId,
      ...r,
    });
    const egressAll = { isEgress: true, ipProtocol: "-1", fromPort: -1, toPort: -1, cidrIpv4: "0.0.0.0/0" };
    const mtRules: SecurityGroupRule[] = [
      rule(
        4 * i,
        { isEgress: false, ipProtocol: "tcp", fromPort: 2049, toPort: 2049, referencedGroupId: fnSg },
        mtSg,
      ),
      rule(4 * i + 1, egressAll, mtSg),
    ];
    if (drifted) {
      mtRules.push(
        rule(
          4 * i + 3,
          { isEgress: false, ipProtocol: "tcp", fromPort: 2049, toPort: 2049, cidrIpv4: "0.0.0.0/0" },
          mtSg,
        ),
      );
    }
    observed.securityGroups[mtSg] = { groupId: mtSg, vpcId, rules: mtRules };
    observed.securityGroups[fnSg] = { groupId: fnSg, vpcId, rules: [rule(4 * i + 2, egressAll, fnSg)] };
  }
  for (const [v, arns] of teamArns.entries()) {
    iam.roles[teamRole(v)] = {
      roleArn: teamRole(v),
      roleName: `team-${v}`,
      found: true,
      policies: [
        {
          kind: "inline",
          name: "efs-client",
          document: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                Resource: arns,
              },
            ],
          }),
        },
      ],
    };
  }
  return { desired, observed, resources: apps * RESOURCES_PER_APP };
}

const teamRole = (v: number): string => `arn:aws:iam::${ACCOUNT}:role/team-${v}`;

export interface PureDiffResult {
  resources: number;
  /** Median of the timed runs. */
  seconds: number;
  runs: number[];
  drift: number;
  actions: number;
}

/** Times diff + plan of `apps` apps: one untimed warm-up, then the median of `runs` runs. */
export function measurePureDiff(apps: number, runs = 5): PureDiffResult {
  const { desired, observed, resources } = syntheticFleet(apps);
  let plan = planChanges(desired, observed, { mode: "dry-run", runId: "bench" });
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    plan = planChanges(desired, observed, { mode: "dry-run", runId: "bench" });
    times.push((performance.now() - started) / 1000);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    resources,
    seconds: sorted[Math.floor(sorted.length / 2)] ?? 0,
    runs: times,
    drift: plan.summary.drift,
    actions: plan.summary.actions,
  };
}
