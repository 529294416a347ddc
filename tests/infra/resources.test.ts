/**
 * The stack's records, alarms and outputs agree with the code that uses them: the events table
 * has the keys and indexes src/events queries, both tables keep point-in-time recovery and expire
 * items by the attribute the code writes, the alarms watch metrics that really exist, and `run
 * --stack` finds the output it reads.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STATE_MACHINE_OUTPUT } from "../../src/cli/commands/run";
import { METRICS_NAMESPACE } from "../../src/events/cloudwatch-sink";
import { eventsTableDefinition, TTL_ATTRIBUTE } from "../../src/events/dynamodb-store";
import { RUNS_TTL_ATTRIBUTE, runsTableDefinition } from "../../src/lock/dynamodb-lease";
import { loadTemplate, ROOT, sourceFiles } from "./template";

const template = loadTemplate();
const props = (id: string) => template.Resources[id]?.Properties as Record<string, unknown>;

describe("tables", () => {
  it("creates the events table with the keys and indexes the DynamoDB record store uses", () => {
    const wanted = eventsTableDefinition("events");
    const table = props("EventsTable");
    expect(table.BillingMode).toBe(wanted.BillingMode);
    expect(table.KeySchema).toEqual(wanted.KeySchema);
    expect(table.AttributeDefinitions).toEqual(wanted.AttributeDefinitions);
    expect(table.GlobalSecondaryIndexes).toEqual(wanted.GlobalSecondaryIndexes);
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
  });

  it("creates the runs table keyed pk/sk, expiring items by the attribute the run lease writes", () => {
    const wanted = runsTableDefinition("runs");
    const table = props("RunsTable");
    expect(table.BillingMode).toBe(wanted.BillingMode);
    expect(table.KeySchema).toEqual(wanted.KeySchema);
    expect(table.AttributeDefinitions).toEqual(wanted.AttributeDefinitions);
    expect(table.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: RUNS_TTL_ATTRIBUTE, Enabled: true });
  });

  it("keeps point-in-time recovery on and the data when the stack goes", () => {
    for (const id of ["EventsTable", "RunsTable"]) {
      expect(props(id).PointInTimeRecoverySpecification, id).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(template.Resources[id]?.DeletionPolicy, id).toBe("Retain");
    }
  });

  it("tells the functions which table is which", () => {
    const env = (id: string) => (props(id).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env("TakeLeaseFunction").RUNS_TABLE).toEqual({ Ref: "RunsTable" });
    expect(env("PlanFunction").RUNS_TABLE).toBeUndefined();
    expect(env("RecordFunction").EVENTS_TABLE).toEqual({ Ref: "EventsTable" });
  });

  it("tells Plan and Verify the groups whose ingress the security-group role may change", () => {
    const env = (id: string) => (props(id).Environment as { Variables: Record<string, unknown> }).Variables;
    for (const id of ["PlanFunction", "VerifyFunction"]) {
      expect(env(id).MOUNT_TARGET_SECURITY_GROUP_IDS, id).toEqual({
        "Fn::Join": [",", { Ref: "MountTargetSecurityGroupIds" }],
      });
    }
  });
});

describe("alarms", () => {
  it("alarms on failed executions of the state machine", () => {
    const alarm = props("ExecutionsFailedAlarm");
    expect(alarm.Namespace).toBe("AWS/States");
    expect(alarm.MetricName).toBe("ExecutionsFailed");
    expect(alarm.Dimensions).toEqual([{ Name: "StateMachineArn", Value: { Ref: "StateMachine" } }]);
    expect(alarm.TreatMissingData).toBe("notBreaching");
  });

  it("alarms on remediation failures, a metric the record step really emits", () => {
    const [query] = props("RemediationFailuresAlarm").Metrics as { Expression: string }[];
    const match = /^SELECT SUM\((\w+)\) FROM (\w+)$/.exec(query?.Expression ?? "");
    expect(match?.[2]).toBe(METRICS_NAMESPACE);
    const emitted = sourceFiles("src/events").some((f) =>
      readFileSync(f, "utf8").includes(`addMetric("${match?.[1]}"`),
    );
    expect(emitted, `src/events emits ${match?.[1]}`).toBe(true);
  });

  it("sends the alarms to an email topic only when an address is given", () => {
    expect(template.Resources.AlarmTopic?.Condition).toBe("HasAlarmEmail");
    expect(props("AlarmTopic").Subscription).toEqual([
      { Protocol: "email", Endpoint: { Ref: "AlarmEmail" } },
    ]);
    expect(template.Conditions.HasAlarmEmail).toEqual({
      "Fn::Not": [{ "Fn::Equals": [{ Ref: "AlarmEmail" }, ""] }],
    });
    for (const id of ["ExecutionsFailedAlarm", "RemediationFailuresAlarm"]) {
      expect(props(id).AlarmActions, id).toEqual({
        "Fn::If": ["HasAlarmEmail", [{ Ref: "AlarmTopic" }], { Ref: "AWS::NoValue" }],
      });
    }
  });
});

describe("outputs", () => {
  it("outputs the state machine ARN (what run --stack reads) and the table names", () => {
    expect(template.Outputs[STATE_MACHINE_OUTPUT]?.Value).toEqual({ Ref: "StateMachine" });
    expect(template.Outputs.EventsTableName?.Value).toEqual({ Ref: "EventsTable" });
    expect(template.Outputs.RunsTableName?.Value).toEqual({ Ref: "RunsTable" });
  });

  it("documents how to build and deploy it in the template itself", () => {
    const text = readFileSync(join(ROOT, "infra-sam/template.yaml"), "utf8");
    expect(text).toContain("sam build --template infra-sam/template.yaml && sam deploy --guided");
  });
});
