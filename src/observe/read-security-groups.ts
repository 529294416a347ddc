/**
 * Security groups named by the manifests or by matched functions: one batched
 * DescribeSecurityGroups (`group-id` filter: an unknown id is simply not returned) for existence,
 * VPC and name, and one batched, paginated DescribeSecurityGroupRules for their rules.
 */
import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type SecurityGroupRule as Ec2SecurityGroupRule,
  type SecurityGroup,
} from "@aws-sdk/client-ec2";
import { chunk } from "../aws/chunk";
import { type AwsReader, distinct, EC2_FILTER_VALUES_PER_CALL } from "./aws-reader";
import { canonicalRule } from "./canonical";
import type { ObservedSecurityGroup, SecurityGroupRule } from "./types";

export async function readSecurityGroups(
  reader: AwsReader,
  ec2: EC2Client,
  groupIds: readonly string[],
): Promise<Record<string, ObservedSecurityGroup>> {
  const batches = chunk(distinct(groupIds), EC2_FILTER_VALUES_PER_CALL);
  const [groups, rules] = await Promise.all([
    Promise.all(
      batches.map(async (ids) => {
        const pages = await reader.pages(
          "ec2",
          "DescribeSecurityGroups",
          (NextToken) =>
            ec2.send(
              new DescribeSecurityGroupsCommand({
                Filters: [{ Name: "group-id", Values: ids }],
                MaxResults: 1000,
                ...(NextToken ? { NextToken } : {}),
              }),
            ),
          (page) => page.NextToken,
        );
        return pages.flatMap((p) => p.SecurityGroups ?? []);
      }),
    ),
    Promise.all(
      batches.map(async (ids) => {
        const pages = await reader.pages(
          "ec2",
          "DescribeSecurityGroupRules",
          (NextToken) =>
            ec2.send(
              new DescribeSecurityGroupRulesCommand({
                Filters: [{ Name: "group-id", Values: ids }],
                MaxResults: 1000,
                ...(NextToken ? { NextToken } : {}),
              }),
            ),
          (page) => page.NextToken,
        );
        return pages.flatMap((p) => p.SecurityGroupRules ?? []);
      }),
    ),
  ]);
  return assembleSecurityGroups(groups.flat(), rules.flat());
}

function compareRules(a: SecurityGroupRule, b: SecurityGroupRule): number {
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}

/** Groups by id, each with its canonical rules sorted by rule id (rules of unlisted groups dropped). */
export function assembleSecurityGroups(
  groups: readonly SecurityGroup[],
  rules: readonly Ec2SecurityGroupRule[],
): Record<string, ObservedSecurityGroup> {
  const out: Record<string, ObservedSecurityGroup> = {};
  for (const g of groups) {
    if (!g.GroupId) continue;
    out[g.GroupId] = {
      groupId: g.GroupId,
      vpcId: g.VpcId ?? "",
      ...(g.GroupName ? { groupName: g.GroupName } : {}),
      rules: [],
    };
  }
  const seen = new Set<string>();
  for (const raw of rules) {
    const rule = canonicalRule(raw);
    if (!rule || seen.has(rule.ruleId)) continue;
    seen.add(rule.ruleId);
    out[rule.groupId]?.rules.push(rule);
  }
  for (const g of Object.values(out)) g.rules.sort(compareRules);
  return out;
}
