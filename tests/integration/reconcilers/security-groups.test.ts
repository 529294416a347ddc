/**
 * Security-group reconcilers over the wire: AuthorizeIngress, AuthorizeEgress and RevokeIngress
 * (and its refusal when the rule changed after the plan), each from a real plan.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupRulesCommand,
  ModifySecurityGroupRulesCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reconcile } from "../../../src/reconcilers/index";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { onlyAction, planFor, removeDir, seedBaselineIn, tempDir } from "../../support/scenarios";
import { expectRefused, expectRerunSkipped } from "./helpers";

const clients = emulatorClients();
let dir: string;

beforeEach(async () => {
  await resetEmulator();
  dir = await tempDir("efs-reconciler-sg-");
});

afterEach(async () => {
  await removeDir(dir);
});

async function rulesOf(groupId: string): Promise<SecurityGroupRule[]> {
  const out = await clients.ec2.send(
    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }),
  );
  return out.SecurityGroupRules ?? [];
}

/** A rule as `direction proto from-to peer`, e.g. `in tcp 2049-2049 sg-1`. */
function show(r: SecurityGroupRule): string {
  const peer = r.ReferencedGroupInfo?.GroupId ?? r.CidrIpv4 ?? r.CidrIpv6 ?? r.PrefixListId ?? "?";
  return `${r.IsEgress ? "out" : "in"} ${r.IpProtocol} ${r.FromPort}-${r.ToPort} ${peer}`;
}

async function shownRules(groupId: string): Promise<string[]> {
  return (await rulesOf(groupId)).map(show).sort();
}

describe("AuthorizeIngress", () => {
  it("admits TCP 2049 from the function group into the mount-target group; a rerun is skipped", async () => {
    const { b, desired } = await seedBaselineIn(clients, dir);
    await clients.ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: b.mountTargetSg,
        SecurityGroupRuleIds: [b.ingressRuleId],
      }),
    );
    expect((await shownRules(b.mountTargetSg)).filter((r) => r.startsWith("in"))).toEqual([]);
    const action = onlyAction(await planFor(desired, clients), "AuthorizeIngress");

    expect(await reconcile(action, clients)).toMatchObject({ actionId: action.id, status: "succeeded" });

    expect((await shownRules(b.mountTargetSg)).filter((r) => r.startsWith("in"))).toEqual([
      `in tcp 2049-2049 ${b.functionSg}`,
    ]);
    await expectRerunSkipped(action, clients);
    expect((await planFor(desired, clients)).drift).toEqual([]);
  });
});

describe("AuthorizeEgress", () => {
  it("lets the function group out to TCP 2049 of the mount-target group; a rerun is skipped", async () => {
    const { b, desired } = await seedBaselineIn(clients, dir);
    await clients.ec2.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: b.functionSg, SecurityGroupRuleIds: [b.egressRuleId] }),
    );
    expect((await shownRules(b.functionSg)).filter((r) => r.startsWith("out"))).toEqual([]);
    const action = onlyAction(await planFor(desired, clients), "AuthorizeEgress");

    expect(await reconcile(action, clients)).toMatchObject({ actionId: action.id, status: "succeeded" });

    expect((await shownRules(b.functionSg)).filter((r) => r.startsWith("out"))).toEqual([
      `out tcp 2049-2049 ${b.mountTargetSg}`,
    ]);
    await expectRerunSkipped(action, clients);
    expect((await planFor(desired, clients)).drift).toEqual([]);
  });
});

describe("RevokeIngress", () => {
  it("revokes the disallowed rule by id and keeps the allowed one; a rerun is skipped", async () => {
    const { b, desired } = await seedBaselineIn(clients, dir);
    await clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: b.mountTargetSg,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 2049, ToPort: 2049, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        ],
      }),
    );
    const action = onlyAction(await planFor(desired, clients), "RevokeIngress");
    expect(action.params.rule).toMatchObject({ cidrIpv4: "0.0.0.0/0", fromPort: 2049 });

    expect(await reconcile(action, clients)).toMatchObject({ actionId: action.id, status: "succeeded" });

    const ingress = (await rulesOf(b.mountTargetSg)).filter((r) => !r.IsEgress);
    expect(ingress.map((r) => r.SecurityGroupRuleId)).toEqual([b.ingressRuleId]);
    expect(ingress.map(show)).toEqual([`in tcp 2049-2049 ${b.functionSg}`]);
    await expectRerunSkipped(action, clients);
    expect((await planFor(desired, clients)).drift).toEqual([]);
  });

  it("refuses to revoke a rule that was changed after the plan (same rule id, other source)", async () => {
    const { b, desired } = await seedBaselineIn(clients, dir);
    await clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: b.mountTargetSg,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
        ],
      }),
    );
    const action = onlyAction(await planFor(desired, clients), "RevokeIngress");
    // Someone narrows the rule in place after the plan was made.
    await clients.ec2.send(
      new ModifySecurityGroupRulesCommand({
        GroupId: b.mountTargetSg,
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: action.params.ruleId,
            SecurityGroupRule: { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIpv4: "10.1.0.0/16" },
          },
        ],
      }),
    );
    const changed = (await rulesOf(b.mountTargetSg)).find(
      (r) => r.SecurityGroupRuleId === action.params.ruleId,
    );
    expect(changed?.CidrIpv4).toBe("10.1.0.0/16");

    await expectRefused(action, clients, "TerminalReconcileError", /changed by someone else since the plan/);

    expect((await rulesOf(b.mountTargetSg)).map((r) => r.SecurityGroupRuleId)).toContain(
      action.params.ruleId,
    );
  });
});
