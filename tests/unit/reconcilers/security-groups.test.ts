import {
  AuthorizeSecurityGroupEgressCommand,
  type AuthorizeSecurityGroupEgressCommandInput,
  AuthorizeSecurityGroupIngressCommand,
  type AuthorizeSecurityGroupIngressCommandInput,
  DescribeSecurityGroupRulesCommand,
  type DescribeSecurityGroupRulesCommandInput,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  type RevokeSecurityGroupIngressCommandInput,
  type SecurityGroupRule as SdkRule,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { SecurityGroupRule } from "../../../src/observe/types";
import { RetryableReconcileError, TerminalReconcileError } from "../../../src/reconcilers/errors";
import {
  reconcileAuthorizeEgress,
  reconcileAuthorizeIngress,
  reconcileRevokeIngress,
} from "../../../src/reconcilers/security-groups";
import { action, awsError, testClients } from "./fixtures";

const ec2 = mockClient(EC2Client);
const clients = testClients();

/** Every rule of every group, as EC2 holds them. */
let rules: SdkRule[];
let nextRule: number;

function rule(groupId: string, isEgress: boolean, fields: Partial<SdkRule>): SdkRule {
  nextRule += 1;
  return { SecurityGroupRuleId: `sgr-${nextRule}`, GroupId: groupId, IsEgress: isEgress, ...fields };
}

function sameSdkRule(a: SdkRule, b: SdkRule): boolean {
  return (
    a.GroupId === b.GroupId &&
    a.IsEgress === b.IsEgress &&
    a.IpProtocol === b.IpProtocol &&
    a.FromPort === b.FromPort &&
    a.ToPort === b.ToPort &&
    a.CidrIpv4 === b.CidrIpv4 &&
    a.ReferencedGroupInfo?.GroupId === b.ReferencedGroupInfo?.GroupId
  );
}

/** Applies an authorize the way EC2 does: a rule per group pair, or Duplicate if it exists. */
function authorize(isEgress: boolean) {
  return (input: AuthorizeSecurityGroupIngressCommandInput | AuthorizeSecurityGroupEgressCommandInput) => {
    const added: SdkRule[] = [];
    for (const p of input.IpPermissions ?? []) {
      for (const pair of p.UserIdGroupPairs ?? []) {
        const r = rule(input.GroupId ?? "", isEgress, {
          IpProtocol: p.IpProtocol,
          FromPort: p.FromPort,
          ToPort: p.ToPort,
          ReferencedGroupInfo: { GroupId: pair.GroupId },
          Description: pair.Description,
        });
        if (rules.some((x) => sameSdkRule(x, r))) throw awsError("InvalidPermission.Duplicate");
        added.push(r);
      }
    }
    rules.push(...added);
    return { Return: true, SecurityGroupRules: added };
  };
}

beforeEach(() => {
  ec2.reset();
  nextRule = 0;
  rules = [
    rule("sg-mt", true, { IpProtocol: "-1", FromPort: -1, ToPort: -1, CidrIpv4: "0.0.0.0/0" }),
    rule("sg-fn", false, { IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIpv4: "10.0.0.0/8" }),
  ];
  ec2.on(DescribeSecurityGroupRulesCommand).callsFake((input: DescribeSecurityGroupRulesCommandInput) => {
    const groupIds = input.Filters?.find((f) => f.Name === "group-id")?.Values ?? [];
    return { SecurityGroupRules: rules.filter((r) => groupIds.includes(r.GroupId ?? "")) };
  });
  ec2.on(AuthorizeSecurityGroupIngressCommand).callsFake(authorize(false));
  ec2.on(AuthorizeSecurityGroupEgressCommand).callsFake(authorize(true));
  ec2.on(RevokeSecurityGroupIngressCommand).callsFake((input: RevokeSecurityGroupIngressCommandInput) => {
    const ids = input.SecurityGroupRuleIds ?? [];
    if (!ids.every((id) => rules.some((r) => r.SecurityGroupRuleId === id))) {
      throw awsError("InvalidSecurityGroupRuleId.NotFound");
    }
    rules = rules.filter((r) => !ids.includes(r.SecurityGroupRuleId ?? ""));
    return { Return: true };
  });
});

describe("AuthorizeIngress", () => {
  const ingress = action(
    { type: "AuthorizeIngress", params: { groupId: "sg-mt", sourceGroupId: "sg-fn", port: 2049 } },
    "sg-mt",
  );

  it("allows TCP 2049 from the function's group, described as ours", async () => {
    const out = await reconcileAuthorizeIngress(ingress, clients);
    expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand).map((c) => c.args[0].input)).toEqual([
      {
        GroupId: "sg-mt",
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: 2049,
            ToPort: 2049,
            UserIdGroupPairs: [{ GroupId: "sg-fn", Description: "efs-reconciler: NFS from Lambda" }],
          },
        ],
      },
    ]);
    expect(out).toMatchObject({ actionId: ingress.id, status: "succeeded", pending: [] });
    expect(out.message).toContain("sgr-3");
  });

  it("run twice: the second run finds the rule and writes nothing", async () => {
    await reconcileAuthorizeIngress(ingress, clients);
    const second = await reconcileAuthorizeIngress(ingress, clients);
    expect(second.status).toBe("skipped");
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 1);
    expect(rules.filter((r) => r.GroupId === "sg-mt" && !r.IsEgress)).toHaveLength(1);
  });

  it("an existing TCP 2049 rule from the group is success without a write", async () => {
    rules.push(
      rule("sg-mt", false, {
        IpProtocol: "tcp",
        FromPort: 2049,
        ToPort: 2049,
        ReferencedGroupInfo: { GroupId: "sg-fn" },
      }),
    );
    expect((await reconcileAuthorizeIngress(ingress, clients)).status).toBe("skipped");
    expect(ec2).not.toHaveReceivedCommand(AuthorizeSecurityGroupIngressCommand);
  });

  it("a wider rule from the group does not count: it is revoked later, so the exact rule is made first", async () => {
    rules.push(
      rule("sg-mt", false, {
        IpProtocol: "-1",
        FromPort: -1,
        ToPort: -1,
        ReferencedGroupInfo: { GroupId: "sg-fn" },
      }),
    );
    expect((await reconcileAuthorizeIngress(ingress, clients)).status).toBe("succeeded");
  });

  it("InvalidPermission.Duplicate on the write counts as done", async () => {
    ec2.on(AuthorizeSecurityGroupIngressCommand).rejects(awsError("InvalidPermission.Duplicate"));
    expect((await reconcileAuthorizeIngress(ingress, clients)).status).toBe("skipped");
  });

  it("throttling is retryable, access denied terminal", async () => {
    ec2.on(AuthorizeSecurityGroupIngressCommand).rejectsOnce(awsError("RequestLimitExceeded", 503));
    await expect(reconcileAuthorizeIngress(ingress, clients)).rejects.toThrow(RetryableReconcileError);
    ec2.on(AuthorizeSecurityGroupIngressCommand).rejects(awsError("UnauthorizedOperation", 403));
    await expect(reconcileAuthorizeIngress(ingress, clients)).rejects.toThrow(TerminalReconcileError);
  });
});

describe("AuthorizeEgress", () => {
  const egress = action(
    { type: "AuthorizeEgress", params: { groupId: "sg-fn", destinationGroupId: "sg-mt", port: 2049 } },
    "sg-fn",
  );

  it("allows TCP 2049 out to the mount-target group", async () => {
    const out = await reconcileAuthorizeEgress(egress, clients);
    expect(ec2.commandCalls(AuthorizeSecurityGroupEgressCommand).map((c) => c.args[0].input)).toEqual([
      {
        GroupId: "sg-fn",
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: 2049,
            ToPort: 2049,
            UserIdGroupPairs: [{ GroupId: "sg-mt", Description: "efs-reconciler: NFS to EFS mount targets" }],
          },
        ],
      },
    ]);
    expect(out.status).toBe("succeeded");
  });

  it("run twice: the second run finds the rule and writes nothing", async () => {
    await reconcileAuthorizeEgress(egress, clients);
    expect((await reconcileAuthorizeEgress(egress, clients)).status).toBe("skipped");
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupEgressCommand, 1);
  });

  it.each<[string, Partial<SdkRule>]>([
    ["all traffic to 0.0.0.0/0", { IpProtocol: "-1", FromPort: -1, ToPort: -1, CidrIpv4: "0.0.0.0/0" }],
    ["TCP 2049 to 0.0.0.0/0", { IpProtocol: "tcp", FromPort: 2049, ToPort: 2049, CidrIpv4: "0.0.0.0/0" }],
    [
      "TCP 0-65535 to the group",
      { IpProtocol: "tcp", FromPort: 0, ToPort: 65535, ReferencedGroupInfo: { GroupId: "sg-mt" } },
    ],
    [
      "all traffic to the group",
      { IpProtocol: "-1", FromPort: -1, ToPort: -1, ReferencedGroupInfo: { GroupId: "sg-mt" } },
    ],
  ])("an existing %s rule counts, nothing is written", async (_label, fields) => {
    rules.push(rule("sg-fn", true, fields));
    expect((await reconcileAuthorizeEgress(egress, clients)).status).toBe("skipped");
    expect(ec2).not.toHaveReceivedCommand(AuthorizeSecurityGroupEgressCommand);
  });

  it.each<[string, Partial<SdkRule>]>([
    [
      "UDP 2049 to the group",
      { IpProtocol: "udp", FromPort: 2049, ToPort: 2049, ReferencedGroupInfo: { GroupId: "sg-mt" } },
    ],
    ["TCP 443 to 0.0.0.0/0", { IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIpv4: "0.0.0.0/0" }],
    [
      "TCP 2049 to another group",
      { IpProtocol: "tcp", FromPort: 2049, ToPort: 2049, ReferencedGroupInfo: { GroupId: "sg-x" } },
    ],
  ])("an existing %s rule does not count", async (_label, fields) => {
    rules.push(rule("sg-fn", true, fields));
    expect((await reconcileAuthorizeEgress(egress, clients)).status).toBe("succeeded");
  });

  it("InvalidPermission.Duplicate on the write counts as done", async () => {
    ec2.on(AuthorizeSecurityGroupEgressCommand).rejects(awsError("InvalidPermission.Duplicate"));
    expect((await reconcileAuthorizeEgress(egress, clients)).status).toBe("skipped");
  });
});

describe("RevokeIngress", () => {
  const broad: SecurityGroupRule = {
    ruleId: "sgr-9",
    groupId: "sg-mt",
    isEgress: false,
    ipProtocol: "tcp",
    fromPort: 2049,
    toPort: 2049,
    cidrIpv4: "0.0.0.0/0",
  };
  const revoke = action(
    { type: "RevokeIngress", params: { groupId: "sg-mt", ruleId: "sgr-9", rule: broad } },
    "sg-mt",
  );

  beforeEach(() => {
    rules.push({
      SecurityGroupRuleId: "sgr-9",
      GroupId: "sg-mt",
      IsEgress: false,
      IpProtocol: "tcp",
      FromPort: 2049,
      ToPort: 2049,
      CidrIpv4: "0.0.0.0/0",
    });
  });

  it("revokes the planned rule by its id", async () => {
    const out = await reconcileRevokeIngress(revoke, clients);
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand).map((c) => c.args[0].input)).toEqual([
      { GroupId: "sg-mt", SecurityGroupRuleIds: ["sgr-9"] },
    ]);
    expect(out.status).toBe("succeeded");
    expect(rules.some((r) => r.SecurityGroupRuleId === "sgr-9")).toBe(false);
  });

  it("run twice: the rule is gone, the second run writes nothing", async () => {
    await reconcileRevokeIngress(revoke, clients);
    expect((await reconcileRevokeIngress(revoke, clients)).status).toBe("skipped");
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 1);
  });

  it.each(["InvalidPermission.NotFound", "InvalidSecurityGroupRuleId.NotFound"])(
    "%s on the write counts as done",
    async (name) => {
      ec2.on(RevokeSecurityGroupIngressCommand).rejects(awsError(name));
      expect((await reconcileRevokeIngress(revoke, clients)).status).toBe("skipped");
    },
  );

  it.each<[string, Partial<SdkRule>]>([
    ["its source", { CidrIpv4: "10.0.0.0/8" }],
    ["its ports", { FromPort: 2040, ToPort: 2050 }],
    ["its protocol", { IpProtocol: "udp" }],
  ])("refuses when someone changed %s since the plan, and writes nothing", async (_label, change) => {
    rules = rules.map((r) => (r.SecurityGroupRuleId === "sgr-9" ? { ...r, ...change } : r));
    const run = reconcileRevokeIngress(revoke, clients);
    await expect(run).rejects.toThrow(TerminalReconcileError);
    await expect(run).rejects.toThrow(/changed by someone else since the plan; re-run plan/);
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
    expect(rules.some((r) => r.SecurityGroupRuleId === "sgr-9")).toBe(true);
  });

  it("refuses a planned rule that is not an ingress rule of the group", async () => {
    const egressRule = action(
      {
        type: "RevokeIngress",
        params: { groupId: "sg-mt", ruleId: "sgr-9", rule: { ...broad, isEgress: true } },
      },
      "sg-mt",
    );
    await expect(reconcileRevokeIngress(egressRule, clients)).rejects.toThrow(TerminalReconcileError);
    expect(ec2).not.toHaveReceivedAnyCommand();
  });

  it("an access-denied revoke is terminal", async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(awsError("UnauthorizedOperation", 403));
    await expect(reconcileRevokeIngress(revoke, clients)).rejects.toThrow(/denied/);
  });
});
