import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { CloudWatchSink, type StructuredLogger } from "../../../src/events/cloudwatch-sink";
import { deriveRunLifecycle } from "../../../src/events/derive-events";
import { EventBridgeSink, EventPublishError } from "../../../src/events/eventbridge-sink";
import type { DriftEvent } from "../../../src/events/types";
import { actionFor, driftOf, FN_REF, planOf, reportOf } from "./fixtures";

function manyEvents(n: number): DriftEvent[] {
  const drift = Array.from({ length: n }, (_, i) => driftOf("FS_LIFECYCLE_POLICY", `fs-${i}`));
  const clock = { startedAt: "2026-11-28T04:00:00.000Z", now: "2026-11-28T04:00:00.000Z" };
  return deriveRunLifecycle([], { plan: planOf("r1", "dry-run", drift) }, clock).events;
}

const ebMock = mockClient(EventBridgeClient);

beforeEach(() => {
  ebMock.reset();
});

function sentEntries(): PutEventsRequestEntry[][] {
  return ebMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries ?? []);
}

describe("EventBridgeSink", () => {
  const noWait = async (): Promise<void> => {};

  it("sends one entry per event in batches of 10, with source, detail-type and the event as detail", async () => {
    ebMock.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })),
    }));
    const events = manyEvents(23);
    await new EventBridgeSink(new EventBridgeClient({ region: "us-east-1" }), { eventBusName: "drift" }).put(
      events,
    );
    const batches = sentEntries();
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    const first = batches[0]?.[0];
    expect(first).toMatchObject({
      Source: "efs-reconciler",
      DetailType: "DriftDetected",
      EventBusName: "drift",
    });
    expect(JSON.parse(first?.Detail ?? "{}")).toEqual(events[0]);
  });

  it("sends again only the entries a partial failure reports, until they pass", async () => {
    const events = manyEvents(4);
    ebMock
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [
          { EventId: "1" },
          { ErrorCode: "ThrottlingException", ErrorMessage: "slow down" },
          { EventId: "3" },
          { ErrorCode: "InternalFailure", ErrorMessage: "oops" },
        ],
      })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: "2" }, { ErrorCode: "InternalFailure" }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: "4" }] });
    const waits: number[] = [];
    const sink = new EventBridgeSink(new EventBridgeClient({ region: "us-east-1" }), {
      backoff: async (attempt) => {
        waits.push(attempt);
      },
    });
    await sink.put(events);
    const ids = sentEntries().map((batch) =>
      batch.map((e) => (JSON.parse(e.Detail ?? "{}") as DriftEvent).eventId),
    );
    expect(ids).toEqual([
      events.map((e) => e.eventId),
      [events[1]?.eventId, events[3]?.eventId],
      [events[3]?.eventId],
    ]);
    expect(waits).toEqual([2, 3]);
  });

  it("gives up on an entry EventBridge refuses for good, saying what to check", async () => {
    ebMock.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: "AccessDeniedException", ErrorMessage: "not authorized" }],
    });
    const sink = new EventBridgeSink(new EventBridgeClient({ region: "us-east-1" }), { backoff: noWait });
    await expect(sink.put(manyEvents(1))).rejects.toThrow(EventPublishError);
    await expect(sink.put(manyEvents(1))).rejects.toThrow(
      /AccessDeniedException: not authorized.*events:PutEvents/,
    );
    expect(sentEntries()).toHaveLength(2);
  });

  it("stops after maxAttempts when a transient failure does not clear", async () => {
    ebMock
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "InternalFailure" }] });
    const sink = new EventBridgeSink(new EventBridgeClient({ region: "us-east-1" }), {
      maxAttempts: 3,
      backoff: noWait,
    });
    await expect(sink.put(manyEvents(1))).rejects.toThrow(/after 3 attempts/);
    expect(sentEntries()).toHaveLength(3);
  });
});

describe("CloudWatchSink", () => {
  function recordingLogger(): StructuredLogger & {
    lines: { level: string; message: string; extra: object }[];
  } {
    const lines: { level: string; message: string; extra: object }[] = [];
    const at =
      (level: string) =>
      (message: string, ...extra: Record<string, unknown>[]) =>
        lines.push({ level, message, extra: Object.assign({}, ...extra) });
    return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  }

  it("logs one structured line per event and emits EMF metrics per code and severity", async () => {
    const lifecycle = driftOf("FS_LIFECYCLE_POLICY", "fs-1");
    const timeout = driftOf("FN_TIMEOUT", "inference", FN_REF);
    const timeout2 = driftOf("FN_TIMEOUT", "other", FN_REF);
    const fixes = [actionFor([lifecycle]), actionFor([timeout]), actionFor([timeout2])];
    const plan = planOf("r1", "apply", [lifecycle, timeout, timeout2], fixes);
    const { events } = deriveRunLifecycle(
      [],
      { plan, report: reportOf(plan, { [fixes[2]?.id ?? ""]: "failed" }, [timeout2]) },
      { startedAt: "2026-11-28T04:00:00.000Z", now: "2026-11-28T04:02:30.000Z" },
    );
    const logger = recordingLogger();
    const lines: string[] = [];
    await new CloudWatchSink({ logger, emit: (l) => lines.push(l) }).put(events);

    expect(logger.lines.filter((l) => l.level === "info").map((l) => l.message)).toEqual(
      events.map((e) => `${e.type} ${e.drift.code} ${e.drift.resource.id}`),
    );
    expect(logger.lines.find((l) => l.message.startsWith("RemediationFailed"))?.extra).toMatchObject({
      eventType: "RemediationFailed",
      code: "FN_TIMEOUT",
      error: expect.stringContaining("AccessDenied"),
    });
    expect(logger.lines.filter((l) => l.level === "warn")).toEqual([]);

    const docs = lines.map(
      (l) =>
        JSON.parse(l) as Record<string, unknown> & {
          _aws: {
            CloudWatchMetrics: {
              Namespace: string;
              Dimensions: string[][];
              Metrics: { Name: string; Unit: string }[];
            }[];
          };
        },
    );
    expect(docs).toHaveLength(2);
    const byCode = new Map(docs.map((d) => [d.Code, d]));
    const fn = byCode.get("FN_TIMEOUT");
    expect(fn).toMatchObject({
      Severity: "medium",
      service: "efs-reconciler",
      DriftDetected: 2,
      DriftRemediated: 1,
      RemediationFailed: 1,
      TimeToRemediate: 150,
    });
    expect(fn?._aws.CloudWatchMetrics[0]?.Namespace).toBe("EfsReconciler");
    expect(fn?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([["service", "Code", "Severity"]]);
    expect(fn?._aws.CloudWatchMetrics[0]?.Metrics).toContainEqual({
      Name: "TimeToRemediate",
      Unit: "Seconds",
    });
    expect(byCode.get("FS_LIFECYCLE_POLICY")).toMatchObject({
      Severity: "low",
      DriftDetected: 1,
      DriftRemediated: 1,
    });
  });

  it("spreads more than 99 TimeToRemediate values of one code over documents, each with its dimensions", async () => {
    const drift = Array.from({ length: 120 }, (_, i) => driftOf("FN_TIMEOUT", `fn-${i}`, FN_REF));
    const fixes = drift.map((d) => actionFor([d]));
    const plan = planOf("r1", "apply", drift, fixes);
    const { events } = deriveRunLifecycle(
      [],
      { plan, report: reportOf(plan, {}, []) },
      { startedAt: "2026-11-28T04:00:00.000Z", now: "2026-11-28T04:02:30.000Z" },
    );
    const lines: string[] = [];
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await new CloudWatchSink({ logger: recordingLogger(), emit: (l) => lines.push(l) }).put(events);
    } finally {
      spy.mockRestore();
    }
    // Nothing bypasses `emit` (Powertools publishes by itself at 100 values).
    expect(written).toEqual([]);
    const docs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(docs).toHaveLength(2);
    for (const d of docs) expect(d).toMatchObject({ Code: "FN_TIMEOUT", Severity: "medium" });
    const values = docs.flatMap((d) => {
      const v = d.TimeToRemediate;
      return Array.isArray(v) ? v : [v];
    });
    expect(values).toHaveLength(120);
    expect(docs.map((d) => d.DriftRemediated)).toEqual([120, undefined]);
  });

  it("emits no metrics for events that count nothing (persisting or resolved drift)", async () => {
    const drift = driftOf("FS_PERFORMANCE_MODE", "fs-1");
    const base = deriveRunLifecycle(
      [],
      { plan: planOf("r1", "dry-run", [drift]) },
      { startedAt: "t", now: "t" },
    );
    const { events } = deriveRunLifecycle(
      base.open,
      { plan: planOf("r2", "dry-run", [drift]) },
      { startedAt: "t", now: "t" },
    );
    const lines: string[] = [];
    await new CloudWatchSink({ logger: recordingLogger(), emit: (l) => lines.push(l) }).put(events);
    expect(events.map((e) => e.type)).toEqual(["DriftPersists"]);
    expect(lines).toEqual([]);
  });

  it("logs through a Powertools Logger by default: JSON lines with the service name", async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await new CloudWatchSink({ emit: () => {} }).put(manyEvents(1));
    } finally {
      spy.mockRestore();
    }
    const logged = written.map((w) => JSON.parse(w) as Record<string, unknown>);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: "INFO",
      service: "efs-reconciler",
      message: "DriftDetected FS_LIFECYCLE_POLICY fs-0",
      eventType: "DriftDetected",
      runId: "r1",
    });
  });
});
