import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateEventBusCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deriveRunLifecycle } from "../../../src/events/derive-events";
import { EventBridgeSink, EventPublishError } from "../../../src/events/eventbridge-sink";
import type { DriftEvent } from "../../../src/events/types";
import { resetEmulator } from "../../support/emulator";
import { driftOf, planOf } from "../../unit/events/fixtures";
import { captureEvents, recordClients } from "./record-clients";

function eventsOf(runId: string, count: number): DriftEvent[] {
  const drift = Array.from({ length: count }, (_, i) =>
    driftOf("MT_MISSING_IN_AZ", `fs-0abc/us-east-1${"abcdef"[i % 6]}-${i}`),
  );
  const now = "2026-11-28T04:00:00.000Z";
  return deriveRunLifecycle([], { plan: planOf(runId, "dry-run", drift) }, { startedAt: now, now }).events;
}

let clients: { dynamodb: DynamoDBClient; eventbridge: EventBridgeClient; sqs: SQSClient };

beforeAll(() => {
  clients = recordClients();
});

afterAll(() => {
  for (const c of Object.values(clients)) c.destroy();
});

beforeEach(async () => {
  await resetEmulator();
});

describe("EventBridgeSink against the emulator", () => {
  it("delivers one event per drift event, in batches of 10, to a rule matching source efs-reconciler", async () => {
    const capture = await captureEvents(clients, "efs-reconciler");
    const events = eventsOf("r1", 23);
    await new EventBridgeSink(clients.eventbridge).put(events);
    const delivered = await capture.receiveAll();
    expect(delivered).toHaveLength(23);
    expect(delivered.map((d) => d.detail.eventId).sort()).toEqual(events.map((e) => e.eventId).sort());
    expect(new Set(delivered.map((d) => `${d.source} ${d["detail-type"]}`))).toEqual(
      new Set(["efs-reconciler DriftDetected"]),
    );
  });

  it("publishes to a named bus", async () => {
    await clients.eventbridge.send(new CreateEventBusCommand({ Name: "drift-events" }));
    const onDefault = await captureEvents(clients, "efs-reconciler");
    const onBus = await captureEvents(clients, "efs-reconciler", "drift-events");
    await new EventBridgeSink(clients.eventbridge, { eventBusName: "drift-events" }).put(eventsOf("r1", 3));
    expect(await onBus.receiveAll()).toHaveLength(3);
    expect(await onDefault.receiveAll()).toHaveLength(0);
  });

  it("fails with what to check when EventBridge refuses the entries for good", async () => {
    const [event] = eventsOf("r1", 1) as [DriftEvent];
    const sink = new EventBridgeSink(clients.eventbridge, { backoff: async () => {} });
    // The emulator refuses a detail that is not a JSON object, as EventBridge does.
    const broken = Object.assign(Object.create(sink) as EventBridgeSink, {
      entry: (e: DriftEvent) => ({ ...sink.entry(e), Detail: "not json" }),
    });
    await expect(broken.put([event])).rejects.toThrow(EventPublishError);
    await expect(broken.put([event])).rejects.toThrow(/MalformedDetail/);
  });
});
