/**
 * Reading one security group's rules and the predicates the security-group reconcilers decide on.
 * Rules are compared in the snapshot's canonical form (the same the plan was made from), so AWS's
 * own normalisation never looks like a change.
 */
import { type EC2Client, paginateDescribeSecurityGroupRules } from "@aws-sdk/client-ec2";
import { canonicalRule } from "../observe/canonical";
import type { SecurityGroupRule } from "../observe/types";

/** Every rule (ingress and egress) of one security group, all pages. */
export async function readGroupRules(ec2: EC2Client, groupId: string): Promise<SecurityGroupRule[]> {
  const rules: SecurityGroupRule[] = [];
  const pages = paginateDescribeSecurityGroupRules(
    { client: ec2 },
    { Filters: [{ Name: "group-id", Values: [groupId] }] },
  );
  for await (const page of pages) {
    for (const r of page.SecurityGroupRules ?? []) {
      // The filter already selects the group; the check guards against an emulator ignoring it.
      const rule = r.GroupId === groupId ? canonicalRule(r) : undefined;
      if (rule) rules.push(rule);
    }
  }
  return rules;
}

function allTraffic(rule: SecurityGroupRule): boolean {
  return rule.ipProtocol === "-1";
}

function tcpCovers(rule: SecurityGroupRule, port: number): boolean {
  return rule.ipProtocol === "tcp" && rule.fromPort <= port && port <= rule.toPort;
}

/**
 * An ingress rule that admits TCP 2049 from `sourceGroupId` and survives the allowed-set check:
 * exactly TCP 2049. A wider rule (a port range, all traffic) is outside the allowed set, so it is
 * revoked in the break phase and cannot stand in for the rule being made.
 */
export function isNfsIngressFrom(rule: SecurityGroupRule, sourceGroupId: string, port: number): boolean {
  return (
    !rule.isEgress &&
    rule.referencedGroupId === sourceGroupId &&
    rule.ipProtocol === "tcp" &&
    rule.fromPort === port &&
    rule.toPort === port
  );
}

/**
 * An egress rule that lets TCP 2049 out to `destinationGroupId`: TCP covering the port or all
 * traffic, to that group or to 0.0.0.0/0.
 */
export function isNfsEgressTo(rule: SecurityGroupRule, destinationGroupId: string, port: number): boolean {
  if (!rule.isEgress) return false;
  const reachesDestination = rule.referencedGroupId === destinationGroupId || rule.cidrIpv4 === "0.0.0.0/0";
  return reachesDestination && (allTraffic(rule) || tcpCovers(rule, port));
}

/** Whether two rules say the same thing (same group, direction, protocol, ports and peer). */
export function sameRule(a: SecurityGroupRule, b: SecurityGroupRule): boolean {
  const portsMatter = !allTraffic(a) || !allTraffic(b);
  return (
    a.groupId === b.groupId &&
    a.isEgress === b.isEgress &&
    a.ipProtocol === b.ipProtocol &&
    (!portsMatter || (a.fromPort === b.fromPort && a.toPort === b.toPort)) &&
    (a.cidrIpv4 || undefined) === (b.cidrIpv4 || undefined) &&
    (a.cidrIpv6 || undefined) === (b.cidrIpv6 || undefined) &&
    (a.prefixListId || undefined) === (b.prefixListId || undefined) &&
    (a.referencedGroupId || undefined) === (b.referencedGroupId || undefined)
  );
}

export function describeRule(rule: SecurityGroupRule): string {
  const proto = allTraffic(rule) ? "all traffic" : `${rule.ipProtocol} ${rule.fromPort}-${rule.toPort}`;
  const peer = rule.referencedGroupId ?? rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.prefixListId ?? "?";
  return `${rule.isEgress ? "egress" : "ingress"} ${proto} ${rule.isEgress ? "to" : "from"} ${peer}`;
}
