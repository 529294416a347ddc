import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
} from "@aws-sdk/client-cloudwatch";
import { beforeEach, describe, expect, it } from "vitest";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { seedAlarm } from "../../support/seed";

const arnOf = (name: string) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`;

describe("emulator: CloudWatch metric alarms", () => {
  const clients = emulatorClients();

  beforeEach(async () => {
    await resetEmulator();
  });

  it("pages DescribeAlarms by MaxRecords and NextToken, in alarm-name order", async () => {
    for (const name of ["p-c", "p-a", "other", "p-e", "p-b", "p-d"]) {
      await seedAlarm(clients, { alarmName: name, fileSystemId: "fs-1" });
    }
    const names: string[][] = [];
    let token: string | undefined;
    do {
      const page = await clients.cloudwatch.send(
        new DescribeAlarmsCommand({
          AlarmNamePrefix: "p-",
          MaxRecords: 2,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      names.push((page.MetricAlarms ?? []).map((a) => a.AlarmName ?? ""));
      token = page.NextToken;
    } while (token);
    expect(names).toEqual([["p-a", "p-b"], ["p-c", "p-d"], ["p-e"]]);
  });

  it("refuses MaxRecords above 100", async () => {
    await expect(
      clients.cloudwatch.send(new DescribeAlarmsCommand({ MaxRecords: 101 })),
    ).rejects.toMatchObject({
      message: expect.stringContaining("MaxRecords must be between 1 and 100"),
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("DeleteAlarms of an unknown name answers ResourceNotFound and deletes nothing", async () => {
    await seedAlarm(clients, { alarmName: "keep", fileSystemId: "fs-1" });
    await expect(
      clients.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ["keep", "missing"] })),
    ).rejects.toMatchObject({ name: "ResourceNotFound" });
    const left = await clients.cloudwatch.send(new DescribeAlarmsCommand({}));
    expect(left.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["keep"]);
  });

  it("deletes an alarm's tags with it", async () => {
    await seedAlarm(clients, { alarmName: "tagged", fileSystemId: "fs-1", tags: { owner: "me" } });
    await clients.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ["tagged"] }));
    await seedAlarm(clients, { alarmName: "tagged", fileSystemId: "fs-1" });
    const tags = await clients.cloudwatch.send(
      new ListTagsForResourceCommand({ ResourceARN: arnOf("tagged") }),
    );
    expect(tags.Tags).toEqual([]);
  });

  it("applies Tags when PutMetricAlarm creates an alarm, and ignores them when it updates one", async () => {
    await seedAlarm(clients, { alarmName: "a", fileSystemId: "fs-1", tags: { first: "1" } });
    await clients.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: "a",
        Namespace: "AWS/EFS",
        MetricName: "PercentIOLimit",
        Statistic: "Maximum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 80,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        Tags: [{ Key: "second", Value: "2" }],
      }),
    );
    const tags = await clients.cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: arnOf("a") }));
    expect(tags.Tags).toEqual([{ Key: "first", Value: "1" }]);
    const alarm = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ["a"] }));
    expect(alarm.MetricAlarms?.[0]?.Threshold).toBe(80);
  });
});
