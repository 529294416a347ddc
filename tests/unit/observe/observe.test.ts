import {
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
} from "@aws-sdk/client-ec2";
import {
  DescribeAccessPointsCommand,
  DescribeBackupPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeLifecycleConfigurationCommand,
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
  FileSystemNotFound,
} from "@aws-sdk/client-efs";
import { LambdaServiceException, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { observe } from "../../../src/observe/observe";
import { ObserveError } from "../../../src/observe/observe-error";
import type { ObservedState } from "../../../src/observe/types";
import {
  ACCOUNT,
  AP_ARN,
  AP_ID,
  alarmArn,
  convergedAccount,
  convergedDesired,
  efsClientPolicy,
  FN_SG,
  FS_ID,
  fileSystem,
  fnArn,
  fnManifest,
  fsManifest,
  lambdaFunction,
  MT_SG,
  mockAccount,
  mountTarget,
  OTHER_AP_ARN,
  SHARED_POLICY_ARN,
  subnet,
} from "./fake-account";

const FS_ARN = `arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:file-system/${FS_ID}`;

function found(state: ObservedState, name: string) {
  const lookup = state.fileSystems[name];
  if (!lookup?.found) throw new Error(`file system ${name} not found: ${JSON.stringify(lookup)}`);
  return lookup.fileSystem;
}

describe("observe: a converged fleet", () => {
  it("builds the whole snapshot from the minimum set of reads", async () => {
    const { clients, commandNames } = mockAccount(convergedAccount());
    const lines: string[] = [];

    const state = await observe(convergedDesired(), clients, { log: (m) => lines.push(m) });

    expect(state).toEqual({
      region: "us-east-1",
      fileSystems: {
        "ml-data": {
          found: true,
          fileSystem: {
            fileSystemId: FS_ID,
            fileSystemArn: FS_ARN,
            name: "ml-data",
            tags: { Name: "ml-data", team: "ml" },
            encrypted: true,
            performanceMode: "generalPurpose",
            throughputMode: "bursting",
            lifeCycleState: "available",
            lifecycle: { transitionToIA: "AFTER_30_DAYS", transitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
            backupPolicy: "ENABLED",
            mountTargets: [
              {
                mountTargetId: "fsmt-a",
                fileSystemId: FS_ID,
                subnetId: "subnet-a",
                vpcId: "vpc-1",
                availabilityZone: "us-east-1a",
                lifeCycleState: "available",
                networkInterfaceId: "eni-a",
                securityGroupIds: [MT_SG],
              },
              {
                mountTargetId: "fsmt-b",
                fileSystemId: FS_ID,
                subnetId: "subnet-b",
                vpcId: "vpc-1",
                availabilityZone: "us-east-1b",
                lifeCycleState: "available",
                networkInterfaceId: "eni-b",
                securityGroupIds: [MT_SG],
              },
            ],
            accessPoints: [
              {
                accessPointId: AP_ID,
                accessPointArn: AP_ARN,
                fileSystemId: FS_ID,
                lifeCycleState: "available",
                tags: { "efs-reconciler.io/name": "lambda" },
                posixUser: { uid: 1000, gid: 1000, secondaryGids: [] },
                rootDirectory: {
                  path: "/lambda",
                  creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "755" },
                },
              },
            ],
          },
        },
      },
      functions: {
        search: {
          found: true,
          fn: {
            functionName: "search",
            functionArn: fnArn("search"),
            role: `arn:aws:iam::${ACCOUNT}:role/search`,
            timeout: 45,
            vpcConfig: { vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: [FN_SG] },
            fileSystemConfigs: [{ arn: AP_ARN, localMountPath: "/mnt/efs" }],
          },
        },
        embed: {
          found: true,
          fn: {
            functionName: "embed",
            functionArn: fnArn("embed"),
            role: `arn:aws:iam::${ACCOUNT}:role/embed`,
            timeout: 45,
            vpcConfig: { vpcId: "vpc-1", subnetIds: ["subnet-b", "subnet-a"], securityGroupIds: [FN_SG] },
            fileSystemConfigs: [{ arn: AP_ARN, localMountPath: "/mnt/efs" }],
          },
        },
      },
      mountedBy: { [AP_ARN]: ["embed", "legacy-batch", "search"], [OTHER_AP_ARN]: ["unrelated"] },
      subnets: {
        "subnet-a": { subnetId: "subnet-a", vpcId: "vpc-1", availabilityZone: "us-east-1a" },
        "subnet-b": { subnetId: "subnet-b", vpcId: "vpc-1", availabilityZone: "us-east-1b" },
      },
      vpcSubnets: {},
      routeTables: {
        "rtb-main": {
          routeTableId: "rtb-main",
          vpcId: "vpc-1",
          main: true,
          subnetIds: [],
          routes: [{ destinationCidrBlock: "10.0.0.0/16", gatewayId: "local", state: "active" }],
        },
        "rtb-nat": {
          routeTableId: "rtb-nat",
          vpcId: "vpc-1",
          main: false,
          subnetIds: ["subnet-b"],
          routes: [
            { destinationCidrBlock: "10.0.0.0/16", gatewayId: "local", state: "active" },
            { destinationCidrBlock: "0.0.0.0/0", natGatewayId: "nat-1", state: "active" },
          ],
        },
      },
      iam: {
        roles: Object.fromEntries(
          ["embed", "search"].map((name) => [
            `arn:aws:iam::${ACCOUNT}:role/${name}`,
            {
              roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
              roleName: name,
              found: true,
              policies: [
                { kind: "inline", name: "efs-client", document: efsClientPolicy() },
                {
                  kind: "managed",
                  name: "lambda-basics",
                  arn: SHARED_POLICY_ARN,
                  document: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: "logs:CreateLogStream", Resource: "*" }],
                  }),
                },
              ],
            },
          ]),
        ),
        fileSystemPolicies: { [FS_ID]: null },
      },
      alarms: {
        [`efs-reconciler-${FS_ID}-percent-io-limit`]: {
          alarmName: `efs-reconciler-${FS_ID}-percent-io-limit`,
          alarmArn: alarmArn(`efs-reconciler-${FS_ID}-percent-io-limit`),
          alarmDescription: `EFS ${FS_ID} used 90% or more of its I/O limit for 5 minutes (managed by efs-reconciler)`,
          namespace: "AWS/EFS",
          metricName: "PercentIOLimit",
          dimensions: [{ name: "FileSystemId", value: FS_ID }],
          statistic: "Maximum",
          period: 60,
          evaluationPeriods: 5,
          datapointsToAlarm: 5,
          threshold: 90,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
          actionsEnabled: true,
          tags: { "efs-reconciler.io/managed-by": "efs-reconciler" },
        },
      },
      securityGroups: {
        [MT_SG]: {
          groupId: MT_SG,
          vpcId: "vpc-1",
          groupName: "efs-mount-targets",
          rules: [
            {
              ruleId: "sgr-1",
              groupId: MT_SG,
              isEgress: true,
              ipProtocol: "-1",
              fromPort: 0,
              toPort: 65535,
              cidrIpv4: "0.0.0.0/0",
            },
            {
              ruleId: "sgr-2",
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
          groupName: "functions",
          rules: [
            {
              ruleId: "sgr-3",
              groupId: FN_SG,
              isEgress: true,
              ipProtocol: "-1",
              fromPort: 0,
              toPort: 65535,
              cidrIpv4: "0.0.0.0/0",
            },
          ],
        },
      },
    } satisfies ObservedState);

    // 3 sweeps + (mount targets, lifecycle, backup) for 1 file system + 1 ENI batch + 1 subnet batch
    // + 1 security-group batch + 1 rule batch; the checklist: per role (2) its two listings and one
    // inline policy, the shared managed policy once (GetPolicy + GetPolicyVersion), the file
    // system's policy, one alarm sweep and one sweep of the tags of efs-reconciler's alarms,
    // and two route-table batches (associated tables, main tables).
    expect(commandNames().sort()).toEqual(
      [
        "DescribeAccessPointsCommand",
        "DescribeBackupPolicyCommand",
        "DescribeFileSystemsCommand",
        "DescribeLifecycleConfigurationCommand",
        "DescribeMountTargetsCommand",
        "DescribeNetworkInterfacesCommand",
        "DescribeSecurityGroupRulesCommand",
        "DescribeSecurityGroupsCommand",
        "DescribeSubnetsCommand",
        "ListFunctionsCommand",
        "ListRolePoliciesCommand",
        "ListRolePoliciesCommand",
        "ListAttachedRolePoliciesCommand",
        "ListAttachedRolePoliciesCommand",
        "GetRolePolicyCommand",
        "GetRolePolicyCommand",
        "GetPolicyCommand",
        "GetPolicyVersionCommand",
        "DescribeFileSystemPolicyCommand",
        "DescribeAlarmsCommand",
        "GetResourcesCommand",
        "DescribeRouteTablesCommand",
      ].sort(),
    );
    expect(lines.at(-1)).toBe(
      "observed us-east-1: 1 of 1 file system and 2 of 2 functions found (22 calls in total)",
    );
    expect(lines).toContain("observed 2 execution roles with 4 policy documents, 1 alarm (10 calls)");
    expect(lines).toContain(
      "observed 2 mount targets, lifecycle of 1 file system, backup policy of 1, 0 file-system policies (4 calls)",
    );
    expect(lines).toContain("observed 2 route tables of 2 subnets (1 call)");
    expect(lines[0]).toBe("observed 2 file systems, 2 access points, 5 functions in us-east-1 (3 calls)");
  });

  it("sends only read calls", async () => {
    const account = convergedAccount();
    const desired = convergedDesired();
    desired.fileSystems[0]!.spec.mountTargets.availabilityZones = ["us-east-1c"];
    account.mountTargets[0] = mountTarget("fsmt-b", FS_ID, "subnet-b", "us-east-1b"); // no ENI: fallback read
    const { clients, commandNames } = mockAccount(account);

    await observe(desired, clients);

    const names = commandNames();
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !/^(Describe|List|Get)/.test(n))).toEqual([]);
  });

  it("makes no call at all for an empty manifest set", async () => {
    const { clients, commandNames } = mockAccount(convergedAccount());
    const state = await observe({ revision: "x", fileSystems: [], accessPoints: [], functions: [] }, clients);
    expect(commandNames()).toEqual([]);
    expect(state).toEqual({
      region: "us-east-1",
      fileSystems: {},
      functions: {},
      mountedBy: {},
      subnets: {},
      vpcSubnets: {},
      securityGroups: {},
      routeTables: {},
      iam: { roles: {}, fileSystemPolicies: {} },
      alarms: {},
    });
  });
});

describe("observe: pagination", () => {
  it("follows every listing to its last page", async () => {
    const account = convergedAccount();
    account.pageSize = 1;
    const { clients, efs, lambda, ec2 } = mockAccount(account);

    const state = await observe(convergedDesired(), clients);

    // Every page was read: items of the last pages are present.
    const fs = found(state, "ml-data");
    expect(fs.mountTargets.map((m) => m.mountTargetId)).toEqual(["fsmt-a", "fsmt-b"]);
    expect(fs.accessPoints.map((a) => a.accessPointId)).toEqual([AP_ID]);
    expect(Object.keys(state.mountedBy).sort()).toEqual([AP_ARN, OTHER_AP_ARN].sort());
    expect(state.mountedBy[AP_ARN]).toEqual(["embed", "legacy-batch", "search"]);
    expect(Object.keys(state.subnets).sort()).toEqual(["subnet-a", "subnet-b"]);
    expect(Object.keys(state.securityGroups).sort()).toEqual([FN_SG, MT_SG].sort());
    expect(state.securityGroups[MT_SG]?.rules.map((r) => r.ruleId)).toEqual(["sgr-1", "sgr-2"]);
    expect(fs.mountTargets.every((m) => m.securityGroupIds.includes(MT_SG))).toBe(true);

    expect(efs).toHaveReceivedCommandTimes(DescribeFileSystemsCommand, 2);
    expect(efs).toHaveReceivedCommandWith(DescribeFileSystemsCommand, { Marker: "page-1" });
    expect(efs).toHaveReceivedCommandTimes(DescribeAccessPointsCommand, 2);
    expect(efs).toHaveReceivedCommandWith(DescribeAccessPointsCommand, { NextToken: "page-1" });
    expect(efs).toHaveReceivedCommandTimes(DescribeMountTargetsCommand, 2);
    expect(efs).toHaveReceivedCommandWith(DescribeMountTargetsCommand, {
      FileSystemId: FS_ID,
      Marker: "page-1",
    });
    expect(lambda).toHaveReceivedCommandTimes(ListFunctionsCommand, 5);
    expect(lambda).toHaveReceivedCommandWith(ListFunctionsCommand, { Marker: "page-4" });
    expect(ec2).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 2);
    expect(ec2).toHaveReceivedCommandTimes(DescribeSubnetsCommand, 2);
    expect(ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupsCommand, 2);
    expect(ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupRulesCommand, 3);
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupRulesCommand, { NextToken: "page-2" });
  });
});

describe("observe: batching", () => {
  it("reads the network interfaces of many mount targets and many subnets in one call each", async () => {
    const account = convergedAccount();
    const desired = convergedDesired();
    account.fileSystems = [];
    account.mountTargets = [];
    account.networkInterfaces = [];
    desired.fileSystems = [];
    for (let i = 0; i < 30; i++) {
      const id = `fs-${String(i).padStart(17, "0")}`;
      account.fileSystems.push(fileSystem(id, { Name: `fs${i}` }));
      desired.fileSystems.push(fsManifest(`fs${i}`, { fileSystemId: id }));
      for (const az of ["a", "b", "c"]) {
        const sub = `subnet-${i}${az}`;
        account.mountTargets.push(mountTarget(`fsmt-${i}${az}`, id, sub, `us-east-1${az}`, `eni-${i}${az}`));
        account.networkInterfaces.push({ NetworkInterfaceId: `eni-${i}${az}`, Groups: [{ GroupId: MT_SG }] });
        account.subnets.push(subnet(sub, "vpc-1", `us-east-1${az}`));
      }
    }
    const { clients, ec2, efs } = mockAccount(account);

    const state = await observe(desired, clients);

    expect(found(state, "fs29").mountTargets.map((m) => m.securityGroupIds)).toEqual([
      [MT_SG],
      [MT_SG],
      [MT_SG],
    ]);
    expect(Object.keys(state.subnets)).toHaveLength(92); // 90 mount-target subnets + 2 function subnets
    expect(ec2).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, {
      Filters: [{ Name: "network-interface-id", Values: expect.arrayContaining(["eni-0a", "eni-29c"]) }],
    });
    expect(ec2).toHaveReceivedCommandTimes(DescribeSubnetsCommand, 1);
    expect(efs).not.toHaveReceivedCommand(DescribeMountTargetSecurityGroupsCommand);
    expect(efs).toHaveReceivedCommandTimes(DescribeFileSystemsCommand, 1);
    expect(efs).toHaveReceivedCommandTimes(DescribeMountTargetsCommand, 30);
    expect(efs).not.toHaveReceivedCommand(DescribeBackupPolicyCommand);
  });

  it("reads many security groups' rules in one call and splits past 200 ids", async () => {
    const account = convergedAccount();
    const desired = convergedDesired();
    const allowed = Array.from({ length: 150 }, (_, i) => `sg-a${String(i).padStart(16, "0")}`);
    for (const id of allowed) {
      account.securityGroups.push({ GroupId: id, VpcId: "vpc-1" });
      account.rules.push({ SecurityGroupRuleId: `sgr-${id}`, GroupId: id, IsEgress: true, IpProtocol: "-1" });
    }
    desired.fileSystems[0]!.spec.mountTargets.allowedSecurityGroupIds = allowed;
    const first = mockAccount(account);

    const state = await observe(desired, first.clients);

    expect(Object.keys(state.securityGroups)).toHaveLength(152);
    expect(state.securityGroups[allowed[149]!]?.rules).toHaveLength(1);
    expect(first.ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupsCommand, 1);
    expect(first.ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupRulesCommand, 1);

    const more = Array.from({ length: 100 }, (_, i) => `sg-b${String(i).padStart(16, "0")}`);
    desired.fileSystems[0]!.spec.mountTargets.allowedSecurityGroupIds = [...allowed, ...more];
    const second = mockAccount(account);
    await observe(desired, second.clients);
    expect(second.ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupsCommand, 2);
    expect(second.ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupRulesCommand, 2);
    const sizes = second.ec2
      .commandCalls(DescribeSecurityGroupRulesCommand)
      .map((c) => c.args[0].input.Filters?.[0]?.Values?.length);
    expect(sizes.sort()).toEqual([200, 52]);
  });

  it("never reads security groups nothing names", async () => {
    const { clients, ec2 } = mockAccount(convergedAccount());
    const state = await observe(convergedDesired(), clients);
    const asked = ec2
      .commandCalls(DescribeSecurityGroupsCommand)
      .flatMap((c) => c.args[0].input.Filters?.flatMap((f) => f.Values ?? []) ?? []);
    expect(asked.sort()).toEqual([FN_SG, MT_SG].sort());
    expect(state.securityGroups["sg-0unrelated000001"]).toBeUndefined();
  });

  it("bounds per-file-system reads by the concurrency option", async () => {
    const account = convergedAccount();
    const desired = convergedDesired();
    desired.fileSystems = [];
    for (let i = 0; i < 6; i++) {
      const id = `fs-${String(i).padStart(17, "0")}`;
      account.fileSystems.push(fileSystem(id, { Name: `fs${i}` }));
      desired.fileSystems.push(fsManifest(`fs${i}`, { fileSystemId: id, backupPolicy: "DISABLED" }));
    }
    let inFlight = 0;
    let peak = 0;
    account.beforePerFileSystemReply = async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
    };
    const { clients } = mockAccount(account);

    const state = await observe(desired, clients, { concurrency: 2 });

    expect(Object.values(state.fileSystems).every((l) => l.found)).toBe(true);
    expect(peak).toBe(2);
  });
});

describe("observe: file system resolution", () => {
  it.each([
    {
      label: "no match",
      tags: { Name: "nope" } as Record<string, string>,
      found: false,
      candidates: [] as string[],
    },
    { label: "one match", tags: { team: "ml", Name: "ml-data" }, found: true, candidates: [] as string[] },
    { label: "two matches", tags: { team: "ml" }, found: false, candidates: [FS_ID, "fs-00000000000000002"] },
  ])("selector with $label", async ({ tags, found: isFound, candidates }) => {
    const account = convergedAccount();
    account.fileSystems.push(fileSystem("fs-00000000000000002", { Name: "ml-data-copy", team: "ml" }));
    // A file system being deleted is never a candidate.
    account.fileSystems.push(
      fileSystem("fs-00000000000000003", { Name: "ml-data", team: "ml" }, { LifeCycleState: "deleting" }),
    );
    const desired = convergedDesired();
    desired.fileSystems = [fsManifest("ml-data", { selector: { tags } })];
    const { clients } = mockAccount(account);

    const lookup = (await observe(desired, clients)).fileSystems["ml-data"];

    expect(lookup?.found).toBe(isFound);
    if (lookup?.found) {
      expect(lookup.fileSystem.fileSystemId).toBe(FS_ID);
    } else {
      expect(lookup?.candidates).toEqual(candidates);
      for (const id of candidates) expect(lookup?.reason).toContain(id);
      expect(lookup?.reason).toContain(Object.entries(tags)[0]!.join("="));
    }
  });

  it("reports a fileSystemId that does not exist, and reads nothing for it", async () => {
    const desired = convergedDesired();
    desired.fileSystems = [fsManifest("ml-data", { fileSystemId: "fs-0000000000000dead" })];
    const { clients, efs } = mockAccount(convergedAccount());

    const state = await observe(desired, clients);

    expect(state.fileSystems["ml-data"]).toEqual({
      found: false,
      reason: expect.stringContaining("fs-0000000000000dead"),
      candidates: [],
    });
    expect(efs).not.toHaveReceivedCommand(DescribeMountTargetsCommand);
    expect(efs).not.toHaveReceivedCommand(DescribeLifecycleConfigurationCommand);
  });

  it("a fileSystemId whose file system is being deleted is not found (as by selector), and nothing is read for it", async () => {
    const desired = convergedDesired();
    desired.fileSystems = [fsManifest("ml-data", { fileSystemId: FS_ID })];
    const account = convergedAccount();
    for (const fs of account.fileSystems) if (fs.FileSystemId === FS_ID) fs.LifeCycleState = "deleting";
    const { clients, efs } = mockAccount(account);

    const state = await observe(desired, clients);

    expect(state.fileSystems["ml-data"]).toEqual({
      found: false,
      reason: `file system ${FS_ID} in us-east-1 is being deleted (deleting); point the manifest at the file system that replaces it`,
      candidates: [],
    });
    expect(efs).not.toHaveReceivedCommand(DescribeMountTargetsCommand);
  });

  it("matches a file system to the first manifest designating it: a second manifest (selector or id) is not found", async () => {
    const desired = convergedDesired();
    desired.fileSystems = [
      fsManifest("ml-data", { selector: { tags: { Name: "ml-data" } } }),
      fsManifest("ml-data-again", { fileSystemId: FS_ID }),
    ];
    const { clients } = mockAccount(convergedAccount());

    const state = await observe(desired, clients);

    expect(found(state, "ml-data").fileSystemId).toBe(FS_ID);
    expect(state.fileSystems["ml-data-again"]).toEqual({
      found: false,
      reason: `${FS_ID} is already managed by FileSystem/ml-data; keep one manifest per file system`,
      candidates: [FS_ID],
    });
  });

  it("finds a file system by id and keeps only its own access points", async () => {
    const desired = convergedDesired();
    desired.fileSystems = [fsManifest("ml-data", { fileSystemId: FS_ID })];
    const { clients } = mockAccount(convergedAccount());

    const fs = found(await observe(desired, clients), "ml-data");

    expect(fs.accessPoints.map((a) => a.fileSystemId)).toEqual([FS_ID]);
    expect(fs.backupPolicy).toBeUndefined();
  });

  it("reports a file system deleted while it was being read as not found", async () => {
    const { clients, efs } = mockAccount(convergedAccount());
    efs
      .on(DescribeMountTargetsCommand)
      .rejects(new FileSystemNotFound({ message: "gone", ErrorCode: "FileSystemNotFound", $metadata: {} }));

    const state = await observe(convergedDesired(), clients);

    expect(state.fileSystems["ml-data"]).toEqual({
      found: false,
      reason: expect.stringContaining("disappeared"),
      candidates: [FS_ID],
    });
  });
});

describe("observe: lifecycle and backup policy", () => {
  it.each([
    { policies: [], expected: { transitionToIA: "NONE", transitionToPrimaryStorageClass: "NONE" } },
    {
      policies: [{ TransitionToIA: "AFTER_7_DAYS" as const }],
      expected: { transitionToIA: "AFTER_7_DAYS", transitionToPrimaryStorageClass: "NONE" },
    },
    {
      policies: [
        { TransitionToPrimaryStorageClass: "AFTER_1_ACCESS" as const },
        { TransitionToArchive: "AFTER_90_DAYS" as const },
      ],
      expected: {
        transitionToIA: "NONE",
        transitionToPrimaryStorageClass: "AFTER_1_ACCESS",
        transitionToArchive: "AFTER_90_DAYS",
      },
    },
  ])("canonicalises lifecycle $policies", async ({ policies, expected }) => {
    const account = convergedAccount();
    account.lifecycle[FS_ID] = policies;
    const { clients } = mockAccount(account);
    expect(found(await observe(convergedDesired(), clients), "ml-data").lifecycle).toEqual(expected);
  });

  it.each([
    { status: "ENABLING", expected: "ENABLED" },
    { status: "DISABLING", expected: "DISABLED" },
    { status: "DISABLED", expected: "DISABLED" },
    { status: undefined, expected: "DISABLED" },
  ])("folds backup status $status into $expected", async ({ status, expected }) => {
    const account = convergedAccount();
    if (status) account.backup[FS_ID] = status;
    else delete account.backup[FS_ID];
    const { clients } = mockAccount(account);
    expect(found(await observe(convergedDesired(), clients), "ml-data").backupPolicy).toBe(expected);
  });

  it("does not read the backup policy when the manifest does not manage it", async () => {
    const desired = convergedDesired();
    delete desired.fileSystems[0]!.spec.backupPolicy;
    const { clients, efs } = mockAccount(convergedAccount());

    const fs = found(await observe(desired, clients), "ml-data");

    expect(fs.backupPolicy).toBeUndefined();
    expect(efs).not.toHaveReceivedCommand(DescribeBackupPolicyCommand);
  });
});

describe("observe: functions", () => {
  it.each([
    { ref: fnArn("search"), found: true },
    { ref: `${ACCOUNT}:function:search`, found: true },
    { ref: `${fnArn("search")}:live`, found: true },
    { ref: fnArn("search", "eu-west-1"), found: false },
    { ref: fnArn("search", "us-east-1", "999999999999"), found: false },
    { ref: "does-not-exist", found: false },
  ])("matches $ref: $found", async ({ ref, found: isFound }) => {
    const desired = convergedDesired();
    desired.functions = [fnManifest("search-api", ref)];
    const { clients } = mockAccount(convergedAccount());

    const lookup = (await observe(desired, clients)).functions["search-api"];

    expect(lookup).toEqual(
      isFound ? { found: true, fn: expect.objectContaining({ functionName: "search" }) } : { found: false },
    );
  });

  it("maps every access point to all functions mounting it, managed or not", async () => {
    const account = convergedAccount();
    account.functions.push(
      lambdaFunction("zeta-unmanaged", {
        FileSystemConfigs: [{ Arn: OTHER_AP_ARN, LocalMountPath: "/mnt/z" }],
      }),
      lambdaFunction("alpha-unmanaged", { FileSystemConfigs: [{ Arn: AP_ARN, LocalMountPath: "/mnt/a" }] }),
    );
    const desired = convergedDesired();
    desired.functions = [];
    const { clients } = mockAccount(account);

    const state = await observe(desired, clients);

    expect(state.mountedBy).toEqual({
      [AP_ARN]: ["alpha-unmanaged", "embed", "legacy-batch", "search"],
      [OTHER_AP_ARN]: ["unrelated", "zeta-unmanaged"],
    });
  });

  it("treats a VpcConfig without subnets as not in a VPC", async () => {
    const account = convergedAccount();
    account.functions.push(
      lambdaFunction("detached", { VpcConfig: { VpcId: "", SubnetIds: [], SecurityGroupIds: [] } }),
    );
    const desired = convergedDesired();
    desired.functions = [fnManifest("detached", "detached"), fnManifest("no-vpc", "no-vpc")];
    const { clients } = mockAccount(account);

    const state = await observe(desired, clients);

    for (const name of ["detached", "no-vpc"]) {
      const lookup = state.functions[name];
      expect(lookup?.found).toBe(true);
      if (lookup?.found) expect(lookup.fn.vpcConfig).toBeUndefined();
    }
  });

  it("takes a function's VPC from its subnets and reads its manifest's subnets and groups", async () => {
    const account = convergedAccount();
    account.functions[0]!.VpcConfig!.VpcId = "vpc-stale";
    const desired = convergedDesired();
    desired.functions[0]!.spec.vpc = {
      subnetIds: ["subnet-c", "subnet-gone"],
      securityGroupIds: ["sg-0wanted00000001"],
    };
    account.securityGroups.push({ GroupId: "sg-0wanted00000001", VpcId: "vpc-1" });
    const { clients, ec2 } = mockAccount(account);

    const state = await observe(desired, clients);

    const lookup = state.functions.search;
    expect(lookup?.found && lookup.fn.vpcConfig?.vpcId).toBe("vpc-1");
    expect(Object.keys(state.subnets).sort()).toEqual(["subnet-a", "subnet-b", "subnet-c"]);
    expect(state.securityGroups["sg-0wanted00000001"]).toBeDefined();
    expect(ec2).toHaveReceivedCommandTimes(DescribeSubnetsCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(DescribeSubnetsCommand, {
      Filters: [{ Name: "subnet-id", Values: ["subnet-a", "subnet-b", "subnet-c", "subnet-gone"] }],
    });
  });
});

describe("observe: mount targets and VPC subnets", () => {
  it("falls back to DescribeMountTargetSecurityGroups only for mount targets without a readable interface", async () => {
    const account = convergedAccount();
    account.mountTargets[0] = mountTarget("fsmt-b", FS_ID, "subnet-b", "us-east-1b"); // no ENI id
    account.networkInterfaces = account.networkInterfaces.filter((n) => n.NetworkInterfaceId !== "eni-a"); // ENI not returned
    account.mountTargetGroups = {
      "fsmt-a": ["sg-0viaefs000000001"],
      "fsmt-b": [MT_SG, "sg-0extra000000001"],
    };
    const { clients, efs } = mockAccount(account);

    const fs = found(await observe(convergedDesired(), clients), "ml-data");

    expect(fs.mountTargets.map((m) => [m.mountTargetId, m.securityGroupIds])).toEqual([
      ["fsmt-a", ["sg-0viaefs000000001"]],
      ["fsmt-b", ["sg-0efs0000000000001", "sg-0extra000000001"]],
    ]);
    expect(efs).toHaveReceivedCommandTimes(DescribeMountTargetSecurityGroupsCommand, 2);
  });

  it("drops a mount target deleted while it was being read", async () => {
    const account = convergedAccount();
    account.networkInterfaces = [];
    account.mountTargetGroups = { "fsmt-b": [MT_SG] };
    const { clients } = mockAccount(account);

    const fs = found(await observe(convergedDesired(), clients), "ml-data");

    expect(fs.mountTargets.map((m) => m.mountTargetId)).toEqual(["fsmt-b"]);
  });

  it("reads the subnets of the mount targets' VPC when the manifest asks for extra AZs", async () => {
    const desired = convergedDesired();
    desired.fileSystems[0]!.spec.mountTargets.availabilityZones = ["us-east-1c"];
    const { clients, ec2 } = mockAccount(convergedAccount());

    const state = await observe(desired, clients);

    expect(state.vpcSubnets).toEqual({
      "vpc-1": [
        { subnetId: "subnet-a", vpcId: "vpc-1", availabilityZone: "us-east-1a" },
        { subnetId: "subnet-b", vpcId: "vpc-1", availabilityZone: "us-east-1b" },
        { subnetId: "subnet-c", vpcId: "vpc-1", availabilityZone: "us-east-1c" },
      ],
    });
    expect(state.subnets["subnet-c"]).toBeDefined();
    expect(ec2).toHaveReceivedCommandWith(DescribeSubnetsCommand, {
      Filters: [{ Name: "vpc-id", Values: ["vpc-1"] }],
    });
    expect(ec2).toHaveReceivedCommandTimes(DescribeSubnetsCommand, 2);
  });

  it("without mount targets, takes the VPC from the bound functions' subnets", async () => {
    const account = convergedAccount();
    account.mountTargets = [];
    account.subnets.push(subnet("subnet-q", "vpc-3", "us-east-1d"));
    account.functions[0]!.VpcConfig = {
      VpcId: "vpc-123abc",
      SubnetIds: ["subnet-q"],
      SecurityGroupIds: [FN_SG],
    };
    const desired = convergedDesired();
    desired.fileSystems[0]!.spec.mountTargets.availabilityZones = ["us-east-1c"];
    const { clients } = mockAccount(account);

    const state = await observe(desired, clients);

    expect(Object.keys(state.vpcSubnets).sort()).toEqual(["vpc-1", "vpc-3"]);
    expect(state.vpcSubnets["vpc-3"]).toEqual([
      { subnetId: "subnet-q", vpcId: "vpc-3", availabilityZone: "us-east-1d" },
    ]);
  });

  it("does not read VPC subnets when no manifest lists availability zones", async () => {
    const { clients, ec2 } = mockAccount(convergedAccount());
    await observe(convergedDesired(), clients);
    expect(ec2).not.toHaveReceivedCommandWith(DescribeSubnetsCommand, {
      Filters: [{ Name: "vpc-id", Values: expect.anything() }],
    });
  });
});

describe("observe: errors", () => {
  it("wraps an AWS error in an ObserveError naming the call and what to check", async () => {
    const { clients, lambda } = mockAccount(convergedAccount());
    const denied = new LambdaServiceException({
      name: "AccessDeniedException",
      $fault: "client",
      message: "User is not authorized to perform: lambda:ListFunctions",
      $metadata: { httpStatusCode: 403 },
    });
    lambda.on(ListFunctionsCommand).rejects(denied);

    const err = await observe(convergedDesired(), clients).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(ObserveError);
    const e = err as ObserveError;
    expect(e.name).toBe("ObserveError");
    expect(e.cause).toBe(denied);
    expect(e.operation).toBe("lambda:ListFunctions");
    expect(e.message).toContain("Lambda ListFunctions");
    expect(e.message).toContain("grant the caller lambda:ListFunctions");
  });

  it("wraps an unexpected EC2 error the same way", async () => {
    const { clients, ec2 } = mockAccount(convergedAccount());
    const boom = Object.assign(new Error("Something unexpected."), { name: "InternalError" });
    ec2.on(DescribeSecurityGroupRulesCommand).rejects(boom);

    await expect(observe(convergedDesired(), clients)).rejects.toMatchObject({
      name: "ObserveError",
      cause: boom,
      operation: "ec2:DescribeSecurityGroupRules",
      message: expect.stringMatching(
        /EC2 DescribeSecurityGroupRules.*check the credentials, that region us-east-1/,
      ),
    });
  });
});
