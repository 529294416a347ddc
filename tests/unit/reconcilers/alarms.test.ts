/**
 * The alarm reconcilers against a stateful CloudWatch stand-in: each case runs the action twice
 * and checks the resulting alarms (the second run must change nothing).
 */
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  type DeleteAlarmsCommandInput,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandInput,
  ListTagsForResourceCommand,
  type ListTagsForResourceCommandInput,
  type MetricAlarm,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  TagResourceCommand,
  type TagResourceCommandInput,
} from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { type AlarmDefinition, alarmName, desiredAlarm } from "../../../src/plan/alarm-definitions";
import {
  reconcileAlarms,
  reconcileDeleteAlarm,
  reconcilePutMetricAlarm,
} from "../../../src/reconcilers/alarms";
import { TerminalReconcileError } from "../../../src/reconcilers/errors";
import { reconcile } from "../../../src/reconcilers/index";
import { action, awsError, testClients } from "./fixtures";

const cloudwatch = mockClient(CloudWatchClient);
const clients = testClients();

const FS_ID = "fs-0123456789abcdef0";
const NAME = alarmName(FS_ID, "percentIOLimit");
const MANAGED = [{ Key: "efs-reconciler.io/managed-by", Value: "efs-reconciler" }];
const arnOf = (name: string) => `arn:aws:cloudwatch:us-east-1:111122223333:alarm:${name}`;

function definition(threshold = 90): AlarmDefinition {
  const def = desiredAlarm(FS_ID, "percentIOLimit", {
    percentIOLimit: threshold,
    burstCreditBalanceBytes: false,
  });
  if (!def) throw new Error("no definition");
  return def;
}

/** CloudWatch's alarms and tags (by ARN), as the stand-in holds them. */
let alarms: Map<string, MetricAlarm>;
let tags: Map<string, { Key: string; Value: string }[]>;

function putAlarm(input: PutMetricAlarmCommandInput): void {
  const name = input.AlarmName ?? "";
  const arn = arnOf(name);
  const existed = alarms.has(name);
  alarms.set(name, {
    AlarmName: name,
    AlarmArn: arn,
    AlarmDescription: input.AlarmDescription,
    Namespace: input.Namespace,
    MetricName: input.MetricName,
    Dimensions: input.Dimensions,
    Statistic: input.Statistic,
    Period: input.Period,
    EvaluationPeriods: input.EvaluationPeriods,
    DatapointsToAlarm: input.DatapointsToAlarm,
    Threshold: input.Threshold,
    ComparisonOperator: input.ComparisonOperator,
    TreatMissingData: input.TreatMissingData,
    ActionsEnabled: input.ActionsEnabled ?? true,
    AlarmActions: input.AlarmActions ?? [],
    OKActions: input.OKActions ?? [],
    InsufficientDataActions: input.InsufficientDataActions ?? [],
  });
  // Like CloudWatch: tags apply on creation only.
  if (!existed)
    tags.set(
      arn,
      (input.Tags ?? []).map((t) => ({ Key: t.Key ?? "", Value: t.Value ?? "" })),
    );
}

beforeEach(() => {
  cloudwatch.reset();
  alarms = new Map();
  tags = new Map();
  cloudwatch.on(DescribeAlarmsCommand).callsFake((input: DescribeAlarmsCommandInput) => ({
    MetricAlarms: [...alarms.values()].filter((a) => (input.AlarmNames ?? []).includes(a.AlarmName ?? "")),
    CompositeAlarms: [],
  }));
  cloudwatch.on(PutMetricAlarmCommand).callsFake((input: PutMetricAlarmCommandInput) => {
    putAlarm(input);
    return {};
  });
  cloudwatch.on(ListTagsForResourceCommand).callsFake((input: ListTagsForResourceCommandInput) => {
    if (![...alarms.values()].some((a) => a.AlarmArn === input.ResourceARN)) {
      throw awsError("ResourceNotFoundException", 404);
    }
    return { Tags: tags.get(input.ResourceARN ?? "") ?? [] };
  });
  cloudwatch.on(TagResourceCommand).callsFake((input: TagResourceCommandInput) => {
    const current = tags.get(input.ResourceARN ?? "") ?? [];
    const added = (input.Tags ?? []).map((t) => ({ Key: t.Key ?? "", Value: t.Value ?? "" }));
    tags.set(input.ResourceARN ?? "", [
      ...current.filter((t) => !added.some((a) => a.Key === t.Key)),
      ...added,
    ]);
    return {};
  });
  cloudwatch.on(DeleteAlarmsCommand).callsFake((input: DeleteAlarmsCommandInput) => {
    const names = input.AlarmNames ?? [];
    if (names.some((n) => !alarms.has(n))) throw awsError("ResourceNotFound", 404);
    for (const n of names) {
      tags.delete(arnOf(n));
      alarms.delete(n);
    }
    return {};
  });
});

const put = (def = definition(), exists = false) =>
  action({ type: "PutMetricAlarm", params: { alarm: def, exists } }, def.alarmName);

/** Runs the action twice; returns both outcomes' statuses. */
async function twice(a: ReturnType<typeof put>) {
  const first = await reconcilePutMetricAlarm(a, clients);
  const second = await reconcilePutMetricAlarm(a, clients);
  return [first, second];
}

describe("PutMetricAlarm", () => {
  it("creates the alarm with its full definition, tagged managed; the second run changes nothing", async () => {
    const [first, second] = await twice(put());
    expect(first).toMatchObject({
      status: "succeeded",
      message: expect.stringContaining(`created alarm ${NAME}`),
    });
    expect(second?.status).toBe("skipped");
    expect(alarms.get(NAME)).toMatchObject({
      Namespace: "AWS/EFS",
      MetricName: "PercentIOLimit",
      Dimensions: [{ Name: "FileSystemId", Value: FS_ID }],
      Statistic: "Maximum",
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      Threshold: 90,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
    });
    expect(tags.get(arnOf(NAME))).toEqual(MANAGED);
    expect(cloudwatch.commandCalls(PutMetricAlarmCommand)).toHaveLength(1);
  });

  it("updates a different alarm and keeps the actions someone added", async () => {
    putAlarm({
      ...toInput(definition(80)),
      AlarmActions: ["arn:aws:sns:us-east-1:111122223333:oncall"],
      Tags: MANAGED,
    });
    const [first, second] = await twice(put(definition(90), true));
    expect(first).toMatchObject({
      status: "succeeded",
      message: expect.stringContaining("threshold 80 → 90"),
    });
    expect(second?.status).toBe("skipped");
    expect(alarms.get(NAME)).toMatchObject({
      Threshold: 90,
      AlarmActions: ["arn:aws:sns:us-east-1:111122223333:oncall"],
    });
    expect(cloudwatch.commandCalls(PutMetricAlarmCommand)).toHaveLength(1);
    expect(cloudwatch).not.toHaveReceivedCommand(TagResourceCommand);
  });

  it("is a no-op when the alarm already matches", async () => {
    putAlarm({ ...toInput(definition()), Tags: MANAGED });
    const [first, second] = await twice(put(definition(), true));
    expect([first?.status, second?.status]).toEqual(["skipped", "skipped"]);
    expect(first?.message).toContain("was already PercentIOLimit ≥ 90%");
    expect(cloudwatch).not.toHaveReceivedCommand(PutMetricAlarmCommand);
  });

  it("tags a matching alarm that is not tagged managed, without rewriting it", async () => {
    putAlarm(toInput(definition()));
    const [first, second] = await twice(put(definition(), true));
    expect(first).toMatchObject({
      status: "succeeded",
      message: `tagged alarm ${NAME} as managed by efs-reconciler`,
    });
    expect(second?.status).toBe("skipped");
    expect(tags.get(arnOf(NAME))).toEqual(MANAGED);
    expect(cloudwatch).not.toHaveReceivedCommand(PutMetricAlarmCommand);
  });

  it("updates and tags an untagged alarm that differs (CloudWatch ignores tags on update)", async () => {
    putAlarm(toInput(definition(50)));
    await twice(put(definition(90), true));
    expect(alarms.get(NAME)?.Threshold).toBe(90);
    expect(tags.get(arnOf(NAME))).toEqual(MANAGED);
  });

  it("turns a denied write into a terminal error that names the permission", async () => {
    cloudwatch.on(PutMetricAlarmCommand).rejects(awsError("AccessDenied", 403));
    await expect(reconcilePutMetricAlarm(put(), clients)).rejects.toThrow(TerminalReconcileError);
    await expect(reconcilePutMetricAlarm(put(), clients)).rejects.toThrow(/PutMetricAlarm on .* was denied/);
  });
});

describe("DeleteAlarm", () => {
  const del = action({ type: "DeleteAlarm", params: { alarmName: NAME, fileSystemId: FS_ID } }, NAME);

  it("deletes a managed alarm once; the second run finds it gone", async () => {
    putAlarm({ ...toInput(definition()), Tags: MANAGED });
    const first = await reconcileDeleteAlarm(del, clients);
    const second = await reconcileDeleteAlarm(del, clients);
    expect([first.status, second.status]).toEqual(["succeeded", "skipped"]);
    expect(alarms.has(NAME)).toBe(false);
    expect(cloudwatch.commandCalls(DeleteAlarmsCommand).map((c) => c.args[0].input)).toEqual([
      { AlarmNames: [NAME] },
    ]);
  });

  it("leaves an alarm that is no longer tagged managed", async () => {
    putAlarm({ ...toInput(definition()), Tags: [{ Key: "team", Value: "ml" }] });
    const out = await reconcileDeleteAlarm(del, clients);
    expect(out).toMatchObject({
      status: "skipped",
      message: expect.stringContaining("not efs-reconciler's to delete"),
    });
    expect(alarms.has(NAME)).toBe(true);
    expect(cloudwatch).not.toHaveReceivedCommand(DeleteAlarmsCommand);
  });

  it("treats an alarm deleted between the read and the delete as done", async () => {
    putAlarm({ ...toInput(definition()), Tags: MANAGED });
    cloudwatch.on(DeleteAlarmsCommand).rejects(awsError("ResourceNotFound", 404));
    expect((await reconcileDeleteAlarm(del, clients)).status).toBe("skipped");
  });
});

describe("dispatch", () => {
  it("routes alarm actions from the family entry and the single entry point", async () => {
    expect((await reconcileAlarms(put(), clients)).status).toBe("succeeded");
    expect((await reconcile(put(), clients)).status).toBe("skipped");
    const { reconcileFileSystem } = await import("../../../src/reconcilers/file-system");
    expect((await reconcileFileSystem(put(), clients)).status).toBe("skipped");
  });

  it("refuses other families' actions", async () => {
    const other = action({ type: "PutBackupPolicy", params: { fileSystemId: FS_ID, status: "ENABLED" } });
    await expect(reconcileAlarms(other, clients)).rejects.toThrow(TerminalReconcileError);
  });
});

/** The PutMetricAlarm input of a definition (no tags, no actions). */
function toInput(def: AlarmDefinition): PutMetricAlarmCommandInput {
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
