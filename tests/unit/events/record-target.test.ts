import { describe, expect, it } from "vitest";
import { CloudWatchSink } from "../../../src/events/cloudwatch-sink";
import { DynamoRecordStore } from "../../../src/events/dynamodb-store";
import { EventBridgeSink } from "../../../src/events/eventbridge-sink";
import { LocalRecordStore } from "../../../src/events/local-store";
import { RecordConfigError, recordTargetFromEnv } from "../../../src/events/record-target";

describe("recordTargetFromEnv", () => {
  it("records to the table, EventBridge and CloudWatch when deployed", () => {
    const target = recordTargetFromEnv({
      EVENTS_TABLE: "events",
      EVENT_BUS_NAME: "default",
      AWS_LAMBDA_FUNCTION_NAME: "efs-reconciler-record",
      AWS_REGION: "us-east-1",
    });
    expect(target.store).toBeInstanceOf(DynamoRecordStore);
    expect((target.store as DynamoRecordStore).tableName).toBe("events");
    expect(target.sinks?.map((s) => s.constructor)).toEqual([EventBridgeSink, CloudWatchSink]);
  });

  it("records to the state directory outside Lambda, with no other sink", () => {
    const target = recordTargetFromEnv({ STATE_DIR: "/tmp/state" });
    expect(target.store).toBeInstanceOf(LocalRecordStore);
    expect(target.sinks).toEqual([]);
  });

  it("leaves CloudWatch metrics off when asked", () => {
    const target = recordTargetFromEnv({
      STATE_DIR: "/tmp/s",
      AWS_LAMBDA_FUNCTION_NAME: "f",
      EVENT_METRICS: "off",
    });
    expect(target.sinks).toEqual([]);
  });

  it("says what to set when there is nowhere to record", () => {
    expect(() => recordTargetFromEnv({})).toThrow(RecordConfigError);
    expect(() => recordTargetFromEnv({})).toThrow(/EVENTS_TABLE.*STATE_DIR/);
  });
});
