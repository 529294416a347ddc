/**
 * CloudWatch alarm reconcilers: PutMetricAlarm creates or updates a file system's alarm to its
 * full definition (keeping any actions a person added), tagged as managed; DeleteAlarm removes an
 * alarm efs-reconciler made that no manifest wants. Both re-read the alarm first and write only
 * when something differs.
 */
import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  type MetricAlarm,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  TagResourceCommand,
} from "@aws-sdk/client-cloudwatch";
import type { ClientsFor } from "../aws/clients";
import { toObservedAlarm } from "../observe/canonical";
import {
  type AlarmDefinition,
  alarmDifferences,
  alarmTags,
  describeAlarm,
  isManagedAlarm,
} from "../plan/alarm-definitions";
import type { Action } from "../plan/types";
import { MANAGED_BY_TAG, MANAGED_BY_VALUE } from "./access-point-identity";
import { classified, isAwsError, wrongFamilyError } from "./classify";
import { skipped, succeeded } from "./outcome";
import type { ActionOf, ReconcileOutcome } from "./types";

/** The AWS clients this reconciler family calls. */
export type AlarmsClients = ClientsFor<"cloudwatch">;

async function readAlarm(clients: AlarmsClients, alarmName: string): Promise<MetricAlarm | undefined> {
  const out = await clients.cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ["MetricAlarm"] }),
  );
  return (out.MetricAlarms ?? []).find((a) => a.AlarmName === alarmName);
}

async function readTags(clients: AlarmsClients, alarmArn: string): Promise<Record<string, string>> {
  try {
    const out = await clients.cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: alarmArn }));
    const tags: Record<string, string> = {};
    for (const t of out.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? "";
    return tags;
  } catch (err) {
    // Deleted between the describe and this read: it has no tags.
    if (isAwsError(err, "ResourceNotFoundException", "ResourceNotFound")) return {};
    throw err;
  }
}

/** Creates or updates the alarm to exactly its definition, then makes sure it is tagged managed. */
export async function reconcilePutMetricAlarm(
  action: ActionOf<"PutMetricAlarm">,
  clients: AlarmsClients,
): Promise<ReconcileOutcome> {
  return classified(action, async () => {
    const def = action.params.alarm;
    const live = await readAlarm(clients, def.alarmName);
    const tags = live?.AlarmArn ? await readTags(clients, live.AlarmArn) : {};
    const observed = live ? toObservedAlarm(live, tags) : undefined;
    const differences = observed ? alarmDifferences(def, observed) : undefined;
    const settingsDiffer = differences === undefined || differences.some((d) => !d.tag);
    if (!settingsDiffer && observed && isManagedAlarm(observed)) {
      return skipped(action, `alarm ${def.alarmName} was already ${describeAlarm(def)}`);
    }
    if (settingsDiffer) {
      await clients.cloudwatch.send(
        new PutMetricAlarmCommand({
          ...metricAlarmSettings(def),
          // Notifications are the user's: PutMetricAlarm replaces the whole alarm, so keep them.
          ActionsEnabled: live?.ActionsEnabled ?? true,
          ...(live?.AlarmActions?.length ? { AlarmActions: live.AlarmActions } : {}),
          ...(live?.OKActions?.length ? { OKActions: live.OKActions } : {}),
          ...(live?.InsufficientDataActions?.length
            ? { InsufficientDataActions: live.InsufficientDataActions }
            : {}),
          // Tags apply on creation only (CloudWatch ignores them on an update).
          Tags: alarmTags(),
        }),
      );
    }
    const changes = settingsDiffer
      ? live
        ? `updated alarm ${def.alarmName} to ${describeAlarm(def)} (${(differences ?? [])
            .filter((d) => !d.tag)
            .map((d) => `${d.field} ${d.live} → ${d.wanted}`)
            .join(", ")})`
        : `created alarm ${def.alarmName}: ${describeAlarm(def)}`
      : `tagged alarm ${def.alarmName} as managed by efs-reconciler`;
    if (live && tags[MANAGED_BY_TAG] !== MANAGED_BY_VALUE) {
      const arn = live.AlarmArn;
      if (arn) await clients.cloudwatch.send(new TagResourceCommand({ ResourceARN: arn, Tags: alarmTags() }));
    }
    return succeeded(action, changes);
  });
}

/** Deletes an alarm only while it is still tagged managed by efs-reconciler. */
export async function reconcileDeleteAlarm(
  action: ActionOf<"DeleteAlarm">,
  clients: AlarmsClients,
): Promise<ReconcileOutcome> {
  return classified(action, async () => {
    const { alarmName } = action.params;
    const live = await readAlarm(clients, alarmName);
    if (!live) return skipped(action, `alarm ${alarmName} was already gone`);
    const tags = live.AlarmArn ? await readTags(clients, live.AlarmArn) : {};
    if (tags[MANAGED_BY_TAG] !== MANAGED_BY_VALUE) {
      return skipped(
        action,
        `left alarm ${alarmName} in place: it is no longer tagged ${MANAGED_BY_TAG}=${MANAGED_BY_VALUE}, so it is not efs-reconciler's to delete`,
      );
    }
    try {
      await clients.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [alarmName] }));
    } catch (err) {
      if (isAwsError(err, "ResourceNotFound", "ResourceNotFoundException")) {
        return skipped(action, `alarm ${alarmName} was already gone`);
      }
      throw err;
    }
    return succeeded(action, `deleted alarm ${alarmName} (no manifest wants it)`);
  });
}

/** Runs one alarm action; refuses actions of other families. */
export async function reconcileAlarms(action: Action, clients: AlarmsClients): Promise<ReconcileOutcome> {
  switch (action.type) {
    case "PutMetricAlarm":
      return reconcilePutMetricAlarm(action, clients);
    case "DeleteAlarm":
      return reconcileDeleteAlarm(action, clients);
    default:
      throw wrongFamilyError("alarm", action);
  }
}

/** The alarm's own settings as PutMetricAlarm takes them (no tags, no notification actions). */
export function metricAlarmSettings(def: AlarmDefinition): PutMetricAlarmCommandInput {
  return {
    AlarmName: def.alarmName,
    AlarmDescription: def.alarmDescription,
    Namespace: def.namespace,
    MetricName: def.metricName,
    Dimensions: [{ Name: "FileSystemId", Value: def.fileSystemId }],
    Statistic: def.statistic,
    Period: def.period,
    EvaluationPeriods: def.evaluationPeriods,
    DatapointsToAlarm: def.datapointsToAlarm,
    Threshold: def.threshold,
    ComparisonOperator: def.comparisonOperator,
    TreatMissingData: def.treatMissingData,
  };
}
