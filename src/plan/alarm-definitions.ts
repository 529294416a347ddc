/**
 * The CloudWatch alarms efs-reconciler keeps on a file system (contract §1 `alarms`): their
 * deterministic names, their full definitions, and how a live alarm compares. Pure: the
 * observation, the diff and the reconciler share it.
 */
import type { FileSystemSpec } from "../desired-state/types";
import type { ObservedAlarm } from "../observe/types";
import { MANAGED_BY_TAG, MANAGED_BY_VALUE } from "../reconcilers/access-point-identity";

/** Every alarm efs-reconciler creates starts with this. */
export const ALARM_NAME_PREFIX = "efs-reconciler-";

export type AlarmKind = "percentIOLimit" | "burstCreditBalanceBytes";

export const ALARM_KINDS: readonly AlarmKind[] = ["percentIOLimit", "burstCreditBalanceBytes"];

const NAME_SUFFIX: Record<AlarmKind, string> = {
  percentIOLimit: "percent-io-limit",
  burstCreditBalanceBytes: "burst-credit-balance",
};

/** Everything PutMetricAlarm sets (alarm actions excepted: they are the user's, and kept). */
export interface AlarmDefinition {
  alarmName: string;
  alarmDescription: string;
  namespace: "AWS/EFS";
  metricName: "PercentIOLimit" | "BurstCreditBalance";
  /** The `FileSystemId` dimension. */
  fileSystemId: string;
  statistic: "Maximum" | "Minimum";
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparisonOperator: "GreaterThanOrEqualToThreshold" | "LessThanThreshold";
  treatMissingData: "notBreaching";
}

/** `efs-reconciler-<fileSystemId>-`: the name prefix of one file system's alarms. */
export function alarmNamePrefixOf(fileSystemId: string): string {
  return `${ALARM_NAME_PREFIX}${fileSystemId}-`;
}

/** The deterministic name of one alarm, e.g. `efs-reconciler-fs-0123-percent-io-limit`. */
export function alarmName(fileSystemId: string, kind: AlarmKind): string {
  return `${alarmNamePrefixOf(fileSystemId)}${NAME_SUFFIX[kind]}`;
}

/** The alarm of `kind` the manifest wants on the file system, or undefined (`false`: no alarm). */
export function desiredAlarm(
  fileSystemId: string,
  kind: AlarmKind,
  alarms: FileSystemSpec["alarms"],
): AlarmDefinition | undefined {
  const threshold = alarms[kind];
  if (threshold === false) return undefined;
  const name = alarmName(fileSystemId, kind);
  if (kind === "percentIOLimit") {
    return {
      alarmName: name,
      alarmDescription: `EFS ${fileSystemId} used ${threshold}% or more of its I/O limit for 5 minutes (managed by efs-reconciler)`,
      namespace: "AWS/EFS",
      metricName: "PercentIOLimit",
      fileSystemId,
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      threshold,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    };
  }
  return {
    alarmName: name,
    alarmDescription: `EFS ${fileSystemId} burst credit balance fell below ${threshold} bytes (managed by efs-reconciler)`,
    namespace: "AWS/EFS",
    metricName: "BurstCreditBalance",
    fileSystemId,
    statistic: "Minimum",
    period: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold,
    comparisonOperator: "LessThanThreshold",
    treatMissingData: "notBreaching",
  };
}

/** The tags a created alarm carries. */
export function alarmTags(): { Key: string; Value: string }[] {
  return [{ Key: MANAGED_BY_TAG, Value: MANAGED_BY_VALUE }];
}

export function isManagedAlarm(alarm: Pick<ObservedAlarm, "tags">): boolean {
  return alarm.tags[MANAGED_BY_TAG] === MANAGED_BY_VALUE;
}

/** One differing setting: `field: live → wanted`. */
export interface AlarmDifference {
  field: string;
  live: string;
  wanted: string;
  /** True for the managed-by tag (fixed with TagResource), false for a setting (PutMetricAlarm). */
  tag: boolean;
}

const show = (v: unknown): string => (v === undefined ? "(none)" : String(v));

/**
 * Where `live` differs from `def` (the alarm's actions are not compared: they are the user's), the
 * managed-by tag included; empty when it matches.
 */
export function alarmDifferences(def: AlarmDefinition, live: ObservedAlarm): AlarmDifference[] {
  const dims = live.dimensions.map((d) => `${d.name}=${d.value}`).join(",");
  const pairs: [string, unknown, unknown][] = [
    ["namespace", live.namespace, def.namespace],
    ["metricName", live.metricName, def.metricName],
    ["dimensions", dims, `FileSystemId=${def.fileSystemId}`],
    ["statistic", live.extendedStatistic ?? live.statistic, def.statistic],
    ["period", live.period, def.period],
    ["evaluationPeriods", live.evaluationPeriods, def.evaluationPeriods],
    ["datapointsToAlarm", live.datapointsToAlarm ?? live.evaluationPeriods, def.datapointsToAlarm],
    ["threshold", live.threshold, def.threshold],
    ["comparisonOperator", live.comparisonOperator, def.comparisonOperator],
    ["treatMissingData", live.treatMissingData ?? "missing", def.treatMissingData],
    ["alarmDescription", live.alarmDescription, def.alarmDescription],
    [`tag ${MANAGED_BY_TAG}`, live.tags[MANAGED_BY_TAG], MANAGED_BY_VALUE],
  ];
  return pairs
    .filter(([, l, w]) => l !== w)
    .map(([field, l, w]) => ({ field, live: show(l), wanted: show(w), tag: field.startsWith("tag ") }));
}

/** The definition as shown in a drift item's `expected`. */
export function alarmJson(def: AlarmDefinition): {
  metricName: string;
  statistic: string;
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  comparisonOperator: string;
  threshold: number;
  treatMissingData: string;
} {
  return {
    metricName: def.metricName,
    statistic: def.statistic,
    period: def.period,
    evaluationPeriods: def.evaluationPeriods,
    datapointsToAlarm: def.datapointsToAlarm,
    comparisonOperator: def.comparisonOperator,
    threshold: def.threshold,
    treatMissingData: def.treatMissingData,
  };
}

/** A live alarm in the shape of `alarmJson` (settings it lacks are null), plus its managed tag. */
export function observedAlarmJson(live: ObservedAlarm): Record<string, string | number | boolean | null> {
  return {
    metricName: live.metricName ?? null,
    statistic: live.extendedStatistic ?? live.statistic ?? null,
    period: live.period ?? null,
    evaluationPeriods: live.evaluationPeriods ?? null,
    datapointsToAlarm: live.datapointsToAlarm ?? live.evaluationPeriods ?? null,
    comparisonOperator: live.comparisonOperator ?? null,
    threshold: live.threshold ?? null,
    treatMissingData: live.treatMissingData ?? "missing",
    managed: isManagedAlarm(live),
  };
}

const COMPARISON_SYMBOL: Record<AlarmDefinition["comparisonOperator"], string> = {
  GreaterThanOrEqualToThreshold: "≥",
  LessThanThreshold: "<",
};

/** One line: `PercentIOLimit ≥ 90 (Maximum, 5 of 5 × 60 s)`. */
export function describeAlarm(def: AlarmDefinition): string {
  const unit = def.metricName === "PercentIOLimit" ? "%" : " bytes";
  return `${def.metricName} ${COMPARISON_SYMBOL[def.comparisonOperator]} ${def.threshold}${unit} (${def.statistic}, ${def.datapointsToAlarm} of ${def.evaluationPeriods} × ${def.period} s)`;
}
