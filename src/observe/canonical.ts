/**
 * Pure conversions from AWS response shapes to the snapshot's canonical values, so that AWS's
 * own spelling (absent lifecycle transitions, transitional backup states, protocol numbers,
 * all-traffic port ranges) never shows up as drift.
 */
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { SecurityGroupRule as Ec2SecurityGroupRule } from "@aws-sdk/client-ec2";
import type { LifecyclePolicy } from "@aws-sdk/client-efs";
import type { ObservedAlarm, ObservedFileSystem, SecurityGroupRule } from "./types";

/** `[{Key, Value}]` → map. Entries without a key are dropped; a repeated key keeps its last value. */
export function tagMap(
  tags: readonly { Key?: string; Value?: string }[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? "";
  return out;
}

/** Lifecycle policies as EFS returns them (one transition per entry) → canonical form. */
export function canonicalLifecycle(
  policies: readonly LifecyclePolicy[] | undefined,
): ObservedFileSystem["lifecycle"] {
  let transitionToIA: string | undefined;
  let transitionToPrimaryStorageClass: string | undefined;
  let transitionToArchive: string | undefined;
  for (const p of policies ?? []) {
    transitionToIA ??= p.TransitionToIA;
    transitionToPrimaryStorageClass ??= p.TransitionToPrimaryStorageClass;
    transitionToArchive ??= p.TransitionToArchive;
  }
  return {
    transitionToIA: transitionToIA ?? "NONE",
    transitionToPrimaryStorageClass: transitionToPrimaryStorageClass ?? "NONE",
    ...(transitionToArchive !== undefined ? { transitionToArchive } : {}),
  };
}

/** Backup policy status → "ENABLED" | "DISABLED" (transitional states folded into their target). */
export function canonicalBackupStatus(status: string | undefined): string {
  switch (status) {
    case "ENABLED":
    case "ENABLING":
      return "ENABLED";
    case "DISABLED":
    case "DISABLING":
    case undefined:
      return "DISABLED";
    default:
      return status;
  }
}

const PROTOCOL_NAMES: Record<string, string> = { "6": "tcp", "17": "udp", "1": "icmp", all: "-1" };

/**
 * One rule of DescribeSecurityGroupRules → `SecurityGroupRule`: protocol lower case (numbers of
 * tcp/udp/icmp named), and all-traffic rules spanning ports 0..65535. Undefined for a rule
 * without an id or group.
 */
export function canonicalRule(rule: Ec2SecurityGroupRule): SecurityGroupRule | undefined {
  if (!rule.SecurityGroupRuleId || !rule.GroupId) return undefined;
  const raw = (rule.IpProtocol ?? "-1").toLowerCase();
  const ipProtocol = PROTOCOL_NAMES[raw] ?? raw;
  const allTraffic = ipProtocol === "-1";
  const fromPort = allTraffic ? 0 : (rule.FromPort ?? -1);
  const toPort = allTraffic ? 65535 : (rule.ToPort ?? -1);
  return {
    ruleId: rule.SecurityGroupRuleId,
    groupId: rule.GroupId,
    isEgress: rule.IsEgress === true,
    ipProtocol,
    fromPort,
    toPort,
    ...(rule.CidrIpv4 ? { cidrIpv4: rule.CidrIpv4 } : {}),
    ...(rule.CidrIpv6 ? { cidrIpv6: rule.CidrIpv6 } : {}),
    ...(rule.PrefixListId ? { prefixListId: rule.PrefixListId } : {}),
    ...(rule.ReferencedGroupInfo?.GroupId ? { referencedGroupId: rule.ReferencedGroupInfo.GroupId } : {}),
  };
}

/** The snapshot form of an alarm, with the tags read for it. */
export function toObservedAlarm(alarm: MetricAlarm, tags: Record<string, string>): ObservedAlarm | undefined {
  if (!alarm.AlarmName || !alarm.AlarmArn) return undefined;
  const optional = <K extends keyof ObservedAlarm>(key: K, value: ObservedAlarm[K] | undefined) =>
    value === undefined || value === null ? {} : { [key]: value };
  return {
    alarmName: alarm.AlarmName,
    alarmArn: alarm.AlarmArn,
    ...optional("alarmDescription", alarm.AlarmDescription),
    ...optional("namespace", alarm.Namespace),
    ...optional("metricName", alarm.MetricName),
    dimensions: (alarm.Dimensions ?? [])
      .map((d) => ({ name: d.Name ?? "", value: d.Value ?? "" }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    ...optional("statistic", alarm.Statistic),
    ...optional("extendedStatistic", alarm.ExtendedStatistic),
    ...optional("period", alarm.Period),
    ...optional("evaluationPeriods", alarm.EvaluationPeriods),
    ...optional("datapointsToAlarm", alarm.DatapointsToAlarm),
    ...optional("threshold", alarm.Threshold),
    ...optional("comparisonOperator", alarm.ComparisonOperator),
    ...optional("treatMissingData", alarm.TreatMissingData),
    ...optional("actionsEnabled", alarm.ActionsEnabled),
    tags,
  };
}
