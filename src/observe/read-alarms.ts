/**
 * CloudWatch alarms: one paginated DescribeAlarms by efs-reconciler's name prefix answers every
 * file system at once; then the tags, which decide whether an alarm is efs-reconciler's own: one
 * paginated Resource Groups Tagging GetResources returns those of every alarm tagged as
 * efs-reconciler's (100 per call), and only an alarm it does not return — untagged, or tagged so
 * recently that the eventually consistent tagging index has not caught up — is asked for its tags
 * by ListTagsForResource (through the limiter).
 */
import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  type MetricAlarm,
} from "@aws-sdk/client-cloudwatch";
import {
  GetResourcesCommand,
  type ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import { ALARM_NAME_PREFIX, alarmNamePrefixOf } from "../plan/alarm-definitions";
import { MANAGED_BY_TAG, MANAGED_BY_VALUE } from "../reconcilers/access-point-identity";
import type { AwsReader } from "./aws-reader";
import { toObservedAlarm } from "./canonical";
import type { Limiter } from "./limiter";
import type { ObservedAlarm } from "./types";

/** Every metric alarm whose name starts with efs-reconciler's prefix. */
export async function sweepAlarms(reader: AwsReader, cloudwatch: CloudWatchClient): Promise<MetricAlarm[]> {
  const pages = await reader.pages(
    "cloudwatch",
    "DescribeAlarms",
    (NextToken) =>
      cloudwatch.send(
        new DescribeAlarmsCommand({
          AlarmNamePrefix: ALARM_NAME_PREFIX,
          AlarmTypes: ["MetricAlarm"],
          MaxRecords: 100,
          ...(NextToken ? { NextToken } : {}),
        }),
      ),
    (page) => page.NextToken,
  );
  return pages.flatMap((p) => p.MetricAlarms ?? []);
}

/**
 * The alarms of the file systems `fileSystemIds` (by efs-reconciler's naming), with their tags,
 * keyed by alarm name. Alarms deleted between the listing and the tag read are left out.
 */
export async function readAlarms(
  reader: AwsReader,
  clients: { cloudwatch: CloudWatchClient; tagging: ResourceGroupsTaggingAPIClient },
  fileSystemIds: readonly string[],
  limit: Limiter,
): Promise<Record<string, ObservedAlarm>> {
  const { cloudwatch } = clients;
  const prefixes = new Set(fileSystemIds.map(alarmNamePrefixOf));
  const [listed, managedTags] = await Promise.all([
    sweepAlarms(reader, cloudwatch),
    sweepManagedAlarmTags(reader, clients.tagging),
  ]);
  const alarms = listed.filter((a) => {
    const prefix = /^efs-reconciler-fs-[^-]+-/.exec(a.AlarmName ?? "")?.[0];
    return prefix !== undefined
      ? prefixes.has(prefix)
      : [...prefixes].some((p) => a.AlarmName?.startsWith(p));
  });
  const observed = await Promise.all(
    alarms.map(async (alarm) => {
      const known = alarm.AlarmArn ? managedTags.get(alarm.AlarmArn) : undefined;
      if (known) return toObservedAlarm(alarm, known);
      const tags = await limit(() =>
        reader.tryCall(
          "cloudwatch",
          "ListTagsForResource",
          () => cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: alarm.AlarmArn })),
          ["ResourceNotFoundException", "ResourceNotFound"],
        ),
      );
      if (!tags.ok) return undefined;
      const map: Record<string, string> = {};
      for (const t of tags.value.Tags ?? []) if (t.Key !== undefined) map[t.Key] = t.Value ?? "";
      return toObservedAlarm(alarm, map);
    }),
  );
  const out: Record<string, ObservedAlarm> = {};
  for (const a of observed
    .filter((x): x is ObservedAlarm => x !== undefined)
    .sort((x, y) => (x.alarmName < y.alarmName ? -1 : x.alarmName > y.alarmName ? 1 : 0))) {
    out[a.alarmName] = a;
  }
  return out;
}

/** Tags of every CloudWatch alarm tagged as efs-reconciler's, by alarm ARN (100 alarms per call). */
async function sweepManagedAlarmTags(
  reader: AwsReader,
  tagging: ResourceGroupsTaggingAPIClient,
): Promise<Map<string, Record<string, string>>> {
  const pages = await reader.pages(
    "tagging",
    "GetResources",
    (PaginationToken) =>
      tagging.send(
        new GetResourcesCommand({
          ResourceTypeFilters: ["cloudwatch:alarm"],
          TagFilters: [{ Key: MANAGED_BY_TAG, Values: [MANAGED_BY_VALUE] }],
          ResourcesPerPage: 100,
          ...(PaginationToken ? { PaginationToken } : {}),
        }),
      ),
    (page) => page.PaginationToken,
  );
  const out = new Map<string, Record<string, string>>();
  for (const r of pages.flatMap((p) => p.ResourceTagMappingList ?? [])) {
    if (!r.ResourceARN) continue;
    const tags: Record<string, string> = {};
    for (const t of r.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? "";
    if (tags[MANAGED_BY_TAG] === MANAGED_BY_VALUE) out.set(r.ResourceARN, tags);
  }
  return out;
}
