import {
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deriveRunLifecycle } from "../../../src/events/derive-events";
import { createEventsTable, DynamoRecordStore, eventKey } from "../../../src/events/dynamodb-store";
import { EventBridgeSink } from "../../../src/events/eventbridge-sink";
import { nextRecord } from "../../../src/events/next-record";
import { recordRun } from "../../../src/events/record-run";
import { StatusConflictError } from "../../../src/events/sink";
import type { DriftEvent } from "../../../src/events/types";
import { resetEmulator } from "../../support/emulator";
import {
  actionFor,
  desiredOf,
  driftOf,
  FN_REF,
  FS_REF,
  planOf,
  reportOf,
  steppingClock,
} from "../../unit/events/fixtures";
import { captureEvents, recordClients } from "./record-clients";

const TABLE = "efs-reconciler-events";

function eventsOf(runId: string, count: number, now = "2026-11-28T04:00:00.000Z"): DriftEvent[] {
  const drift = Array.from({ length: count }, (_, i) =>
    driftOf(i % 2 === 0 ? "FS_LIFECYCLE_POLICY" : "FN_TIMEOUT", `res-${i}`, i % 2 === 0 ? FS_REF : FN_REF),
  );
  return deriveRunLifecycle([], { plan: planOf(runId, "dry-run", drift) }, { startedAt: now, now }).events;
}

let clients: { dynamodb: DynamoDBClient; eventbridge: EventBridgeClient; sqs: SQSClient };
let store: DynamoRecordStore;

async function itemsOfRun(runId: string): Promise<number> {
  const out = await clients.dynamodb.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": { S: `RUN#${runId}` } },
      Select: "COUNT",
    }),
  );
  return out.Count ?? 0;
}

/** Makes the `n`th PutItem call (1-based) fail once, as a lost connection would. */
function failPutItemOnce(client: DynamoDBClient, n: number): void {
  let calls = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if ((context as { commandName?: string }).commandName === "PutItemCommand" && ++calls === n) {
        throw Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
      }
      return next(args);
    },
    { step: "initialize", name: "failPutItemOnce" },
  );
}

beforeAll(() => {
  clients = recordClients();
});

afterAll(() => {
  for (const c of Object.values(clients)) c.destroy();
});

beforeEach(async () => {
  await resetEmulator();
  await createEventsTable(clients.dynamodb, TABLE);
  store = new DynamoRecordStore(clients.dynamodb, TABLE);
});

describe("DynamoRecordStore against the emulator", () => {
  it("writes each event once: a retried put after a failure in the middle duplicates nothing", async () => {
    const events = eventsOf("r1", 25);
    const flaky = recordClients().dynamodb;
    failPutItemOnce(flaky, 14);
    const flakyStore = new DynamoRecordStore(flaky, TABLE);
    await expect(flakyStore.put(events)).rejects.toThrow("socket hang up");
    expect(await itemsOfRun("r1")).toBeLessThan(25);

    await flakyStore.put(events);
    await flakyStore.put(events);
    flaky.destroy();
    expect(await itemsOfRun("r1")).toBe(25);
    expect(await store.listEvents({ runId: "r1" })).toHaveLength(25);
  });

  it("keeps an event as first written when the same event is recorded again later", async () => {
    const [event] = eventsOf("r1", 1) as [DriftEvent];
    await store.put([event]);
    await store.put([{ ...event, time: "2026-11-28T09:00:00.000Z" }]);
    const [stored] = await store.listEvents({ runId: "r1" });
    expect(stored?.time).toBe(event.time);
  });

  it("tells which events it does not hold yet, beyond one BatchGetItem of 100 keys", async () => {
    const events = eventsOf("r1", 130);
    const held = events.filter((_, i) => i % 3 === 0);
    await store.put(held);
    const missing = await store.unrecorded(events);
    expect(missing.map((e) => e.eventId).sort()).toEqual(
      events
        .filter((_, i) => i % 3 !== 0)
        .map((e) => e.eventId)
        .sort(),
    );
  });

  it("queries by run, by resource and by time, newest first, and filters the rest", async () => {
    await store.put([
      ...eventsOf("r1", 4, "2026-11-26T04:00:00.000Z"),
      ...eventsOf("r2", 4, "2026-11-27T04:00:00.000Z"),
      ...eventsOf("r3", 4, "2026-11-28T04:00:00.000Z"),
    ]);
    const label = (events: DriftEvent[]) => events.map((e) => `${e.runId} ${e.drift.resource.id}`);
    expect(label(await store.listEvents({ runId: "r2" })).sort()).toEqual(
      ["r2 res-0", "r2 res-1", "r2 res-2", "r2 res-3"].sort(),
    );
    expect(label(await store.listEvents({ resource: "res-1" }))).toEqual([
      "r3 res-1",
      "r2 res-1",
      "r1 res-1",
    ]);
    expect(
      label(await store.listEvents({ resource: "LambdaFunction/inference", runId: "r1" })).sort(),
    ).toEqual(["r1 res-1", "r1 res-3"]);
    const recent = await store.listEvents({ since: new Date("2026-11-27T00:00:00Z"), code: "FN_TIMEOUT" });
    expect(label(recent).map((l) => l.slice(0, 2))).toEqual(["r3", "r3", "r2", "r2"]);
    expect(await store.listEvents()).toHaveLength(12);
  });

  it("sets the TTL attribute on every event, and the table expires items by it", async () => {
    const [event] = eventsOf("r1", 1) as [DriftEvent];
    await store.put([event]);
    const item = await clients.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: eventKey(event) }));
    expect(Number(item.Item?.expiresAt?.N)).toBe(Date.parse(event.time) / 1000 + 365 * 86_400);
    const ttl = await clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: "ENABLED",
      AttributeName: "expiresAt",
    });
  });

  it("stores the status, and refuses a write that expects another version", async () => {
    expect(await store.readStatus()).toBeUndefined();
    const first = nextRecord(
      undefined,
      { plan: planOf("r1", "dry-run", []), objects: [FS_REF] },
      "t1",
    ).status;
    await store.writeStatus(first, 0);
    expect(await store.readStatus()).toEqual(first);
    const second = nextRecord(first, { plan: planOf("r2", "dry-run", []), objects: [FS_REF] }, "t2").status;
    await expect(store.writeStatus(second, 0)).rejects.toBeInstanceOf(StatusConflictError);
    await store.writeStatus(second, 1);
    await expect(store.writeStatus(second, 1)).rejects.toBeInstanceOf(StatusConflictError);
    expect((await store.readStatus())?.lastRun.runId).toBe("r2");
  });

  it("does not mistake the status item for an event", async () => {
    await clients.dynamodb.send(
      new PutItemCommand({ TableName: TABLE, Item: { pk: { S: "RUN#r1" }, sk: { S: "NOTE" } } }),
    );
    const first = nextRecord(
      undefined,
      { plan: planOf("r1", "dry-run", []), objects: [FS_REF] },
      "t1",
    ).status;
    await store.writeStatus(first, 0);
    expect(await store.listEvents()).toEqual([]);
    expect(await store.listEvents({ runId: "r1" })).toEqual([]);
  });
});

describe("recordRun to DynamoDB and EventBridge", () => {
  it("records a drift's lifecycle across runs; a retried step neither duplicates items nor notifies twice", async () => {
    const capture = await captureEvents(clients, "efs-reconciler");
    const target = {
      store,
      sinks: [new EventBridgeSink(clients.eventbridge)],
      now: steppingClock("2026-11-28T04:00:00.000Z", 60),
    };
    const desired = desiredOf(FS_REF, FN_REF);
    const lifecycle = driftOf("FS_LIFECYCLE_POLICY", "fs-0abc");
    const manual = driftOf("FN_NOT_FOUND", "inference", FN_REF);

    await recordRun({ plan: planOf("r1", "dry-run", [lifecycle, manual]), desired }, target);
    const fix = actionFor([lifecycle]);
    const plan = planOf("r2", "apply", [lifecycle, manual], [fix]);
    await recordRun(
      { plan, desired, executionArn: "arn:aws:states:us-east-1:123456789012:execution:sm:r2" },
      target,
    );
    const outcome = { plan, report: reportOf(plan, {}, [manual]), desired };
    await recordRun(outcome, target);
    const retried = await recordRun(outcome, target);
    expect(retried.published).toEqual([]);
    await recordRun({ plan: planOf("r3", "dry-run", []), desired }, target);

    const events = await store.listEvents();
    const ofRun = (runId: string) =>
      events
        .filter((e) => e.runId === runId)
        .map((e) => `${e.type} ${e.drift.code}`)
        .sort();
    expect(events.map((e) => e.runId)).toEqual(["r3", "r2", "r2", "r1", "r1"]);
    expect(ofRun("r1")).toEqual(["DriftDetected FN_NOT_FOUND", "DriftDetected FS_LIFECYCLE_POLICY"]);
    // The apply records the manual drift it sees again as persisting and the auto drift by its outcome.
    expect(ofRun("r2")).toEqual(["DriftPersists FN_NOT_FOUND", "DriftRemediated FS_LIFECYCLE_POLICY"]);
    expect(ofRun("r3")).toEqual(["DriftResolved FN_NOT_FOUND"]);
    expect(events.find((e) => e.type === "DriftRemediated")?.executionArn).toBe(
      "arn:aws:states:us-east-1:123456789012:execution:sm:r2",
    );

    const delivered = await capture.receiveAll();
    expect(delivered.map((d) => d.detail.eventId).sort()).toEqual(events.map((e) => e.eventId).sort());
    expect(delivered.every((d) => d.source === "efs-reconciler" && d["detail-type"] === d.detail.type)).toBe(
      true,
    );

    const status = await store.readStatus();
    expect(status?.lastRun.runId).toBe("r3");
    expect(status?.objects.map((o) => [o.name, o.conditions[0]?.status])).toEqual([
      ["ml-models", "True"],
      ["inference", "True"],
    ]);
    expect(status?.history.map((h) => [h.runId, h.detected, h.persisting, h.remediated, h.resolved])).toEqual(
      [
        ["r1", 2, 0, 0, 0],
        ["r2", 0, 2, 1, 0],
        ["r3", 0, 0, 0, 1],
      ],
    );
  });
});
