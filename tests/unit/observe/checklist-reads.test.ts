/**
 * The checklist's reads in `observe()`: route tables (explicit associations and main tables,
 * batched), IAM (per distinct role, each managed policy once, URL-decoded, paginated), the file
 * systems' policies, the alarms (one paginated sweep, tags only for the manifests' file systems),
 * and the functions' log format.
 */
import { DescribeAlarmsCommand, ListTagsForResourceCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeRouteTablesCommand } from "@aws-sdk/client-ec2";
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { GetResourcesCommand } from "@aws-sdk/client-resource-groups-tagging-api";
import { describe, expect, it } from "vitest";
import { observe } from "../../../src/observe/observe";
import { decodePolicyDocument, roleNameOf } from "../../../src/observe/read-iam-policies";
import {
  ACCOUNT,
  alarmArn,
  convergedAccount,
  convergedDesired,
  efsClientPolicy,
  FS_ID,
  fileSystem,
  fnManifest,
  fsManifest,
  lambdaFunction,
  mockAccount,
  OTHER_FS_ID,
  percentIOLimitAlarm,
  SHARED_POLICY_ARN,
  subnet,
} from "./fake-account";

const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

describe("observe: route tables", () => {
  it("reads every table of the subnets' VPCs in one call, and keeps those that route the subnets", async () => {
    const account = convergedAccount();
    const desired = convergedDesired();
    // 250 more functions in 250 more subnets of the same VPC: still one call.
    for (let i = 0; i < 250; i++) {
      const name = `fn-${i}`;
      account.subnets.push(subnet(`subnet-x${i}`, "vpc-1", "us-east-1a"));
      account.functions.push(
        lambdaFunction(name, {
          VpcConfig: { SubnetIds: [`subnet-x${i}`], SecurityGroupIds: ["sg-0fn00000000000001"] },
        }),
      );
      desired.functions.push(fnManifest(name, name));
    }
    // A table of the same VPC that routes none of the subnets, and another VPC's main table.
    account.routeTables.push(
      {
        RouteTableId: "rtb-unused",
        VpcId: "vpc-1",
        Associations: [{ SubnetId: "subnet-other", Main: false, AssociationState: { State: "associated" } }],
        Routes: [],
      },
      {
        RouteTableId: "rtb-elsewhere",
        VpcId: "vpc-2",
        Associations: [{ Main: true, AssociationState: { State: "associated" } }],
        Routes: [],
      },
    );
    const { clients, ec2 } = mockAccount(account);

    const state = await observe(desired, clients);

    expect(Object.keys(state.routeTables ?? {})).toEqual(["rtb-main", "rtb-nat"]);
    const filters = ec2.commandCalls(DescribeRouteTablesCommand).map((c) => c.args[0].input.Filters);
    expect(filters).toEqual([[{ Name: "vpc-id", Values: ["vpc-1"] }]]);
  });

  it("follows DescribeRouteTables pages", async () => {
    const account = convergedAccount();
    account.pageSize = 1;
    account.routeTables.push({
      RouteTableId: "rtb-a",
      VpcId: "vpc-1",
      Associations: [{ SubnetId: "subnet-a", Main: false, AssociationState: { State: "associated" } }],
      Routes: [],
    });
    const { clients } = mockAccount(account);
    const state = await observe(convergedDesired(), clients);
    expect(Object.keys(state.routeTables ?? {})).toEqual(["rtb-a", "rtb-main", "rtb-nat"]);
    expect(state.routeTables?.["rtb-a"]?.subnetIds).toEqual(["subnet-a"]);
  });

  it("ignores an association that is being removed", async () => {
    const account = convergedAccount();
    account.routeTables[1]!.Associations![0]!.AssociationState = { State: "disassociating" };
    const { clients } = mockAccount(account);
    const state = await observe(convergedDesired(), clients);
    // The subnet it leaves is routed by its VPC's main table; the table, routing none, is left out.
    expect(Object.keys(state.routeTables ?? {})).toEqual(["rtb-main"]);
  });
});

/**
 * Holds the reply to `held` until every one of `awaited` has been sent (or `ms` have passed) and
 * records the other operations sent before that reply.
 */
function holdUntilSent(held: string, awaited: readonly string[], ms = 1000) {
  const sent: string[] = [];
  const sentBeforeReply: string[] = [];
  let answered = false;
  let release: () => void = () => {};
  const allSent = new Promise<void>((resolve) => {
    release = resolve;
  });
  const beforeReply = async (operation: string): Promise<void> => {
    sent.push(operation);
    if (!answered && operation !== held) sentBeforeReply.push(operation);
    if (awaited.every((op) => sent.includes(op))) release();
    if (operation !== held || answered) return;
    await Promise.race([allSent, new Promise((resolve) => setTimeout(resolve, ms))]);
    answered = true;
  };
  return { beforeReply, sentBeforeReply };
}

describe("observe: rounds of calls", () => {
  it("reads the route tables in the same round as the subnets and the mount targets' interfaces", async () => {
    const account = convergedAccount();
    const hold = holdUntilSent("DescribeSubnets", ["DescribeRouteTables", "DescribeNetworkInterfaces"]);
    account.beforeReply = hold.beforeReply;
    const { clients } = mockAccount(account);

    const state = await observe(convergedDesired(), clients);

    expect(hold.sentBeforeReply).toEqual(
      expect.arrayContaining(["DescribeRouteTables", "DescribeNetworkInterfaces"]),
    );
    expect(Object.keys(state.routeTables ?? {})).toEqual(["rtb-main", "rtb-nat"]);
  });

  it("does not hold the network reads back while the checklist's IAM reads are unanswered", async () => {
    const account = convergedAccount();
    const network = ["DescribeNetworkInterfaces", "DescribeSubnets", "DescribeRouteTables"];
    const hold = holdUntilSent("ListRolePolicies", network);
    account.beforeReply = hold.beforeReply;
    const { clients } = mockAccount(account);

    const state = await observe(convergedDesired(), clients);

    expect(hold.sentBeforeReply).toEqual(expect.arrayContaining(network));
    expect(Object.keys(state.iam?.roles ?? {}).length).toBeGreaterThan(0);
  });

  it("reads the main table of a VPC only the subnets name in a round of its own, and leaves out a stale VPC's", async () => {
    const account = convergedAccount();
    const converged = await observe(convergedDesired(), mockAccount(convergedAccount()).clients);
    // Neither the mount targets nor the functions name vpc-1 any more: only DescribeSubnets does.
    for (const mt of account.mountTargets) delete mt.VpcId;
    for (const fn of account.functions) if (fn.VpcConfig) fn.VpcConfig.VpcId = "vpc-stale";
    account.routeTables.push({
      RouteTableId: "rtb-stale-main",
      VpcId: "vpc-stale",
      Associations: [
        { Main: true, RouteTableId: "rtb-stale-main", AssociationState: { State: "associated" } },
      ],
      Routes: [],
    });
    const { clients, ec2 } = mockAccount(account);

    const state = await observe(convergedDesired(), clients);

    expect(state.routeTables).toEqual(converged.routeTables);
    const mainReads = ec2
      .commandCalls(DescribeRouteTablesCommand)
      .map((c) => c.args[0].input.Filters)
      .filter((f) => f?.[0]?.Name === "vpc-id")
      .map((f) => f?.[0]?.Values);
    expect(mainReads).toEqual([["vpc-stale"], ["vpc-1"]]);
  });
});

describe("observe: IAM", () => {
  it("reads a role shared by several functions once, and a managed policy shared by roles once", async () => {
    const account = convergedAccount();
    for (const f of account.functions) f.Role = role("shared");
    account.roles.shared = { inline: { "efs-client": efsClientPolicy() }, attached: [SHARED_POLICY_ARN] };
    const { clients, iam } = mockAccount(account);

    const state = await observe(convergedDesired(), clients);

    expect(Object.keys(state.iam?.roles ?? {})).toEqual([role("shared")]);
    expect(iam).toHaveReceivedCommandTimes(ListRolePoliciesCommand, 1);
    expect(iam).toHaveReceivedCommandTimes(ListAttachedRolePoliciesCommand, 1);
    expect(iam).toHaveReceivedCommandTimes(GetRolePolicyCommand, 1);
    expect(iam).toHaveReceivedCommandTimes(GetPolicyCommand, 1);
    expect(iam).toHaveReceivedCommandWith(GetPolicyVersionCommand, {
      PolicyArn: SHARED_POLICY_ARN,
      VersionId: "v3",
    });
    // Documents arrive URL-encoded and are stored as JSON text.
    expect(state.iam?.roles[role("shared")]?.policies[0]?.document).toBe(efsClientPolicy());
  });

  it("follows IAM's Marker pagination", async () => {
    const account = convergedAccount();
    account.pageSize = 1;
    account.roles.search = {
      inline: { a: efsClientPolicy(), b: efsClientPolicy(), c: efsClientPolicy() },
      attached: [SHARED_POLICY_ARN, `arn:aws:iam::${ACCOUNT}:policy/second`],
    };
    account.managedPolicies[`arn:aws:iam::${ACCOUNT}:policy/second`] = efsClientPolicy();
    const { clients, iam } = mockAccount(account);

    const state = await observe(convergedDesired(), clients);

    expect(state.iam?.roles[role("search")]?.policies.map((p) => p.name)).toEqual([
      "a",
      "b",
      "c",
      "lambda-basics",
      "second",
    ]);
    expect(iam).toHaveReceivedCommandWith(ListRolePoliciesCommand, { RoleName: "search", Marker: "page-2" });
  });

  it("records a role that no longer exists", async () => {
    const account = convergedAccount();
    delete account.roles.embed;
    const { clients } = mockAccount(account);
    const state = await observe(convergedDesired(), clients);
    expect(state.iam?.roles[role("embed")]).toEqual({
      roleArn: role("embed"),
      roleName: "embed",
      found: false,
      policies: [],
    });
  });

  it("reads the resource policy of the file systems functions are bound to", async () => {
    const account = convergedAccount();
    account.fileSystemPolicies[FS_ID] = '{"Statement":[]}';
    const { clients } = mockAccount(account);
    const state = await observe(convergedDesired(), clients);
    expect(state.iam?.fileSystemPolicies).toEqual({ [FS_ID]: '{"Statement":[]}' });
  });

  it("names roles and decodes documents", () => {
    expect(roleNameOf(`arn:aws:iam::${ACCOUNT}:role/service-role/app-role`)).toBe("app-role");
    expect(roleNameOf(`arn:aws:iam::${ACCOUNT}:user/app`)).toBeUndefined();
    expect(decodePolicyDocument("%7B%22a%22%3A%221%25%22%7D")).toBe('{"a":"1%"}');
    expect(decodePolicyDocument('{"a":"100%"}')).toBe('{"a":"100%"}');
  });
});

describe("observe: alarms", () => {
  it("sweeps by prefix across pages and reads tags only of the manifests' file systems", async () => {
    const account = convergedAccount();
    account.pageSize = 1;
    const burst = { ...percentIOLimitAlarm(), AlarmName: `efs-reconciler-${FS_ID}-burst-credit-balance` };
    burst.AlarmArn = alarmArn(burst.AlarmName);
    account.alarms.push(burst, { AlarmName: "someone-elses", AlarmArn: alarmArn("someone-elses") });
    const { clients, cloudwatch, tagging } = mockAccount(account);

    const state = await observe(convergedDesired(), clients);

    expect(Object.keys(state.alarms ?? {})).toEqual([
      burst.AlarmName,
      `efs-reconciler-${FS_ID}-percent-io-limit`,
    ]);
    expect(state.alarms?.[burst.AlarmName]?.tags).toEqual({});
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNamePrefix: "efs-reconciler-",
    });
    // Three alarms carry the prefix (one of another file system): three pages.
    expect(cloudwatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 3);
    // The tags of efs-reconciler's alarms come in bulk; only the untagged alarm of a manifest's
    // file system is asked for its own.
    expect(tagging).toHaveReceivedCommandWith(GetResourcesCommand, {
      ResourceTypeFilters: ["cloudwatch:alarm"],
      TagFilters: [{ Key: "efs-reconciler.io/managed-by", Values: ["efs-reconciler"] }],
    });
    expect(state.alarms?.[`efs-reconciler-${FS_ID}-percent-io-limit`]?.tags).toMatchObject({
      "efs-reconciler.io/managed-by": "efs-reconciler",
    });
    const tagged = cloudwatch
      .commandCalls(ListTagsForResourceCommand)
      .map((c) => c.args[0].input.ResourceARN);
    expect(tagged).toEqual([alarmArn(burst.AlarmName)]);
    expect(tagged).not.toContain(alarmArn(`efs-reconciler-${OTHER_FS_ID}-percent-io-limit`));
  });

  it("reads no alarms when no manifest's file system is found", async () => {
    const desired = convergedDesired();
    desired.fileSystems = [fsManifest("ml-data", { fileSystemId: "fs-0000000000000dead" })];
    const { clients, cloudwatch } = mockAccount(convergedAccount());
    const state = await observe(desired, clients);
    expect(state.alarms).toEqual({});
    expect(cloudwatch).not.toHaveReceivedCommand(DescribeAlarmsCommand);
  });

  it("leaves out an alarm deleted between the sweep and the tag read", async () => {
    const account = convergedAccount();
    // Not tagged as efs-reconciler's, so its tags are read one by one.
    account.alarmTags = {};
    const { clients, cloudwatch } = mockAccount(account);
    cloudwatch
      .on(ListTagsForResourceCommand)
      .rejects(Object.assign(new Error("gone"), { name: "ResourceNotFoundException" }));
    const state = await observe(convergedDesired(), clients);
    expect(state.alarms).toEqual({});
  });
});

describe("observe: log format", () => {
  it("keeps the functions' LoggingConfig.LogFormat", async () => {
    const account = convergedAccount();
    account.functions[0]!.LoggingConfig = { LogFormat: "JSON", LogGroup: "/aws/lambda/search" };
    account.fileSystems.push(fileSystem("fs-00000000000000042", { Name: "x" }));
    const { clients } = mockAccount(account);
    const state = await observe(convergedDesired(), clients);
    const search = state.functions.search;
    const embed = state.functions.embed;
    expect(search?.found && search.fn.logFormat).toBe("JSON");
    expect(embed?.found && "logFormat" in embed.fn).toBe(false);
  });
});
