import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isInSync } from "../../../src/events/compute-status";
import { deriveRunLifecycle, eventId, STILL_PRESENT } from "../../../src/events/derive-events";
import { LocalRecordStore } from "../../../src/events/local-store";
import { nextRecord } from "../../../src/events/next-record";
import { recordRun } from "../../../src/events/record-run";
import { StatusConflictError } from "../../../src/events/sink";
import type { DriftEvent, ObjectStatus, StatusDocument } from "../../../src/events/types";
import {
  AP_REF,
  actionFor,
  desiredOf,
  driftOf,
  FN_REF,
  FS_REF,
  planOf,
  reportOf,
  steppingClock,
} from "./fixtures";

const lifecycleDrift = driftOf("FS_LIFECYCLE_POLICY", "fs-0abc");
const manualDrift = driftOf("FS_PERFORMANCE_MODE", "fs-0abc");
const timeoutDrift = driftOf("FN_TIMEOUT", "inference", FN_REF);
const desired = desiredOf(FS_REF, AP_REF, FN_REF);

function types(events: DriftEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.drift.code}`);
}

function condition(status: StatusDocument, name: string, type: string): ObjectStatus["conditions"][number] {
  const object = status.objects.find((o) => o.name === name);
  const c = object?.conditions.find((x) => x.type === type);
  if (!c) throw new Error(`no ${type} condition on ${name}`);
  return c;
}

let dir: string;
let store: LocalRecordStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "efs-record-"));
  store = new LocalRecordStore(join(dir, "state"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the lifecycle of one drift item across runs", () => {
  it("detected by a dry run, then remediated by an apply: detected → remediated", async () => {
    const now = steppingClock("2026-11-28T04:00:00.000Z", 60);
    const first = await recordRun(
      { plan: planOf("r1", "dry-run", [lifecycleDrift]), desired },
      { store, now },
    );
    expect(types(first.events)).toEqual(["DriftDetected FS_LIFECYCLE_POLICY"]);
    expect(condition(first.status, "ml-models", "InSync").status).toBe("False");
    expect(condition(first.status, "ml-models", "Drifted").reason).toBe("AwaitingRemediation");

    const fix = actionFor([lifecycleDrift]);
    const plan = planOf("r2", "apply", [lifecycleDrift], [fix]);
    // The apply is about to fix the drift it sees again: its plan records no DriftPersists.
    const planned = await recordRun({ plan, desired }, { store, now });
    expect(planned.events).toEqual([]);
    expect(planned.published).toEqual([]);
    expect(planned.status.openDrift.map((o) => [o.drift.code, o.detectedRunId, o.lastSeenRunId])).toEqual([
      ["FS_LIFECYCLE_POLICY", "r1", "r2"],
    ]);

    const outcome = await recordRun({ plan, report: reportOf(plan, {}, []), desired }, { store, now });
    expect(types(outcome.events)).toEqual(["DriftRemediated FS_LIFECYCLE_POLICY"]);
    expect(types(outcome.published)).toEqual(["DriftRemediated FS_LIFECYCLE_POLICY"]);
    const remediated = outcome.events[0] as DriftEvent;
    expect(remediated.detectedAt).toBe("2026-11-28T04:00:00.000Z");
    expect(remediated.detectedRunId).toBe("r1");
    expect(remediated.timeToRemediateSeconds).toBe(120);
    expect(remediated.actions?.map((a) => [a.id, a.status])).toEqual([[fix.id, "succeeded"]]);
    expect(outcome.status.openDrift).toEqual([]);
    expect(outcome.status.objects.every(isInSync)).toBe(true);
    expect(outcome.status.lastRun).toMatchObject({ runId: "r2", stage: "verified", mode: "apply" });
    // The run still counts the drift it observed again, though it recorded no DriftPersists for it.
    expect(
      outcome.status.history.map((h) => [h.runId, h.detected, h.persisting, h.remediated, h.open]),
    ).toEqual([
      ["r1", 1, 0, 0, 1],
      ["r2", 0, 1, 1, 0],
    ]);

    const ledger = await store.listEvents();
    expect(ledger.map((e) => `${e.runId} ${e.type}`)).toEqual(["r2 DriftRemediated", "r1 DriftDetected"]);
  });

  it("detected within one apply run and remediated by it: a retried recording adds nothing", async () => {
    const now = steppingClock("2026-11-28T05:00:00.000Z", 30);
    const fix = actionFor([lifecycleDrift]);
    const plan = planOf("r1", "apply", [lifecycleDrift], [fix]);
    await recordRun({ plan, desired }, { store, now });
    const input = { plan, report: reportOf(plan, {}, []), desired };
    const outcome = await recordRun(input, { store, now });
    expect(types(outcome.events)).toEqual([
      "DriftDetected FS_LIFECYCLE_POLICY",
      "DriftRemediated FS_LIFECYCLE_POLICY",
    ]);
    expect(outcome.events[1]?.timeToRemediateSeconds).toBe(30);

    const retried = await recordRun(input, { store, now });
    expect(retried.events.map((e) => e.eventId)).toEqual(outcome.events.map((e) => e.eventId));
    expect(retried.published).toEqual([]);
    expect(await store.listEvents()).toHaveLength(2);
    expect(retried.status.history).toHaveLength(1);
    expect(retried.status.history[0]).toMatchObject({ runId: "r1", detected: 1, remediated: 1, open: 0 });
  });

  it("manual drift: detected → persists → resolved when a person fixes it", async () => {
    const now = steppingClock("2026-11-28T06:00:00.000Z", 3600);
    const r1 = await recordRun({ plan: planOf("r1", "apply", [manualDrift]), desired }, { store, now });
    expect(types(r1.events)).toEqual(["DriftDetected FS_PERFORMANCE_MODE"]);
    expect(condition(r1.status, "ml-models", "Drifted")).toMatchObject({
      status: "True",
      reason: "ManualActionRequired",
    });

    // An apply cannot fix manual drift: seen again, it persists, with its plan and its outcome alike.
    const plan2 = planOf("r2", "apply", [manualDrift]);
    const planned2 = await recordRun({ plan: plan2, desired }, { store, now });
    expect(types(planned2.events)).toEqual(["DriftPersists FS_PERFORMANCE_MODE"]);
    const r2 = await recordRun(
      { plan: plan2, report: reportOf(plan2, {}, [manualDrift]), desired },
      { store, now },
    );
    expect(types(r2.events)).toEqual(["DriftPersists FS_PERFORMANCE_MODE"]);
    expect(r2.published).toEqual([]);
    expect(r2.events[0]?.detectedRunId).toBe("r1");
    expect(condition(r2.status, "ml-models", "RemediationFailed").status).toBe("False");

    const r3 = await recordRun({ plan: planOf("r3", "apply", []), desired }, { store, now });
    expect(types(r3.events)).toEqual(["DriftResolved FS_PERFORMANCE_MODE"]);
    expect(r3.events[0]?.drift).toEqual(manualDrift);
    expect(r3.status.openDrift).toEqual([]);
    expect(condition(r3.status, "ml-models", "InSync")).toMatchObject({
      status: "True",
      reason: "NoDrift",
      lastTransitionTime: r3.status.lastRun.recordedAt,
    });

    const r4 = await recordRun({ plan: planOf("r4", "apply", []), desired }, { store, now });
    expect(r4.events).toEqual([]);
    // Unchanged conditions keep the time they last flipped.
    expect(condition(r4.status, "ml-models", "InSync").lastTransitionTime).toBe(r3.status.lastRun.recordedAt);
    expect(condition(r4.status, "ml-models", "InSync").lastTransitionTime).not.toBe(
      r4.status.lastRun.recordedAt,
    );
  });

  it("a failed remediation: RemediationFailed, kept on the object until the drift closes", async () => {
    const now = steppingClock("2026-11-28T07:00:00.000Z", 60);
    const fix = actionFor([timeoutDrift]);
    const plan1 = planOf("r1", "apply", [timeoutDrift], [fix]);
    await recordRun({ plan: plan1, desired }, { store, now });
    const failed = await recordRun(
      { plan: plan1, report: reportOf(plan1, { [fix.id]: "failed" }, [timeoutDrift]), desired },
      { store, now },
    );
    expect(types(failed.events)).toEqual(["DriftDetected FN_TIMEOUT", "RemediationFailed FN_TIMEOUT"]);
    expect(failed.events[1]?.error).toContain("AccessDenied: not allowed");
    expect(failed.events[1]?.actions?.[0]?.status).toBe("failed");
    expect(condition(failed.status, "inference", "RemediationFailed")).toMatchObject({
      status: "True",
      reason: "ActionFailed",
    });

    const dry = await recordRun({ plan: planOf("r2", "dry-run", [timeoutDrift]), desired }, { store, now });
    expect(types(dry.events)).toEqual(["DriftPersists FN_TIMEOUT"]);
    expect(condition(dry.status, "inference", "RemediationFailed").status).toBe("True");

    // An apply that fails again records the failure again, not DriftPersists.
    const plan3 = planOf("r3", "apply", [timeoutDrift], [fix]);
    const again = await recordRun(
      { plan: plan3, report: reportOf(plan3, { [fix.id]: "failed" }, [timeoutDrift]), desired },
      { store, now },
    );
    expect(types(again.events)).toEqual(["RemediationFailed FN_TIMEOUT"]);
    expect(again.status.openDrift[0]?.lastFailure?.runId).toBe("r3");

    const plan4 = planOf("r4", "apply", [timeoutDrift], [fix]);
    const fixed = await recordRun({ plan: plan4, report: reportOf(plan4, {}, []), desired }, { store, now });
    expect(types(fixed.events)).toEqual(["DriftRemediated FN_TIMEOUT"]);
    expect(fixed.events[0]?.detectedRunId).toBe("r1");
    expect(condition(fixed.status, "inference", "RemediationFailed").status).toBe("False");
    expect(condition(fixed.status, "inference", "InSync").status).toBe("True");
    expect((await store.listEvents()).map((e) => `${e.runId} ${e.type}`)).toEqual([
      "r4 DriftRemediated",
      "r3 RemediationFailed",
      "r2 DriftPersists",
      "r1 RemediationFailed",
      "r1 DriftDetected",
    ]);
  });

  it("dry runs never record remediations: drift gone by itself is resolved", () => {
    const r1 = nextRecord(
      undefined,
      { plan: planOf("r1", "dry-run", [lifecycleDrift]), objects: [FS_REF] },
      "t1",
    );
    const r2 = nextRecord(r1.status, { plan: planOf("r2", "dry-run", []), objects: [FS_REF] }, "t2");
    expect(types(r2.events)).toEqual(["DriftResolved FS_LIFECYCLE_POLICY"]);
  });
});

describe("deriveRunLifecycle", () => {
  const clock = { startedAt: "2026-11-28T08:00:00.000Z", now: "2026-11-28T08:05:00.000Z" };

  it("gives stable ids: a hash of run, type and drift id", () => {
    const plan = planOf("r1", "dry-run", [lifecycleDrift, manualDrift]);
    const a = deriveRunLifecycle([], { plan }, clock);
    const b = deriveRunLifecycle([], { plan }, { ...clock, now: "2026-11-28T09:00:00.000Z" });
    expect(a.events.map((e) => e.eventId)).toEqual(b.events.map((e) => e.eventId));
    expect(a.events[0]?.eventId).toBe(eventId("r1", "DriftDetected", lifecycleDrift.id));
    const other = deriveRunLifecycle([], { plan: planOf("r2", "dry-run", [lifecycleDrift]) }, clock);
    expect(other.events[0]?.eventId).not.toBe(a.events[0]?.eventId);
  });

  it("reports an action that succeeded while the drift stayed as a failed remediation", () => {
    const fix = actionFor([lifecycleDrift]);
    const plan = planOf("r1", "apply", [lifecycleDrift], [fix]);
    const { events, open } = deriveRunLifecycle(
      [],
      { plan, report: reportOf(plan, {}, [lifecycleDrift]) },
      clock,
    );
    expect(types(events)).toEqual([
      "DriftDetected FS_LIFECYCLE_POLICY",
      "RemediationFailed FS_LIFECYCLE_POLICY",
    ]);
    expect(events[1]?.error).toBe(STILL_PRESENT);
    expect(open[0]?.lastFailure?.error).toBe(STILL_PRESENT);
  });

  it("an apply that sees open auto drift again records no DriftPersists for it; manual drift persists", () => {
    const baseline = deriveRunLifecycle(
      [],
      { plan: planOf("r1", "dry-run", [lifecycleDrift, manualDrift]) },
      clock,
    ).open;
    const fix = actionFor([lifecycleDrift]);
    const plan = planOf("r2", "apply", [lifecycleDrift, manualDrift], [fix]);

    const planned = deriveRunLifecycle(baseline, { plan }, clock);
    expect(types(planned.events)).toEqual(["DriftPersists FS_PERFORMANCE_MODE"]);
    expect(planned.open.map((o) => o.drift.code)).toEqual(["FS_LIFECYCLE_POLICY", "FS_PERFORMANCE_MODE"]);

    const verified = deriveRunLifecycle(baseline, { plan, report: reportOf(plan, {}, [manualDrift]) }, clock);
    expect(types(verified.events)).toEqual([
      "DriftPersists FS_PERFORMANCE_MODE",
      "DriftRemediated FS_LIFECYCLE_POLICY",
    ]);
    expect(verified.summary).toMatchObject({ detected: 0, persisting: 2, remediated: 1, failed: 0, open: 1 });

    // A dry run fixes nothing: everything it sees again persists.
    const dry = deriveRunLifecycle(
      baseline,
      { plan: planOf("r2", "dry-run", [lifecycleDrift, manualDrift]) },
      clock,
    );
    expect(types(dry.events)).toEqual([
      "DriftPersists FS_LIFECYCLE_POLICY",
      "DriftPersists FS_PERFORMANCE_MODE",
    ]);
    expect(dry.summary).toMatchObject({ detected: 0, persisting: 2, open: 2 });
  });

  it("records no failure for actions that were not attempted (refused or after an earlier failure)", () => {
    const fix = actionFor([lifecycleDrift]);
    const plan = planOf("r1", "apply", [lifecycleDrift], [fix]);
    const report = reportOf(plan, { [fix.id]: "skipped" }, [lifecycleDrift]);
    expect(types(deriveRunLifecycle([], { plan, report }, clock).events)).toEqual([
      "DriftDetected FS_LIFECYCLE_POLICY",
    ]);
  });

  it("detects drift that only the verifying observation found, and resolves drift gone without our action", () => {
    const hidden = driftOf("FN_FILE_SYSTEM_CONFIG", "inference", FN_REF);
    const subsumed = driftOf("FN_TOO_FEW_AZS", "inference", FN_REF);
    const fix = actionFor([timeoutDrift]);
    const plan = planOf("r1", "apply", [timeoutDrift, subsumed], [fix]);
    const { events, open, summary } = deriveRunLifecycle(
      [],
      {
        plan,
        report: reportOf(plan, {}, [hidden]),
        executionArn: "arn:aws:states:us-east-1:1:execution:x:y",
      },
      clock,
    );
    expect(types(events)).toEqual([
      "DriftDetected FN_TIMEOUT",
      "DriftDetected FN_TOO_FEW_AZS",
      "DriftRemediated FN_TIMEOUT",
      "DriftResolved FN_TOO_FEW_AZS",
      "DriftDetected FN_FILE_SYSTEM_CONFIG",
    ]);
    expect(events.every((e) => e.executionArn === "arn:aws:states:us-east-1:1:execution:x:y")).toBe(true);
    expect(open.map((o) => o.drift.code)).toEqual(["FN_FILE_SYSTEM_CONFIG"]);
    expect(summary).toMatchObject({ detected: 3, remediated: 1, resolved: 1, failed: 0, open: 1 });
  });
});

describe("recordRun and concurrent runs", () => {
  it("starts over when another run wrote the status meanwhile", async () => {
    let conflicts = 1;
    const racing = Object.assign(Object.create(store) as LocalRecordStore, {
      async writeStatus(status: StatusDocument, expected: number): Promise<void> {
        if (conflicts-- > 0) throw new StatusConflictError("test", expected);
        await store.writeStatus(status, expected);
      },
    });
    const result = await recordRun(
      { plan: planOf("r1", "dry-run", [manualDrift]), desired },
      { store: racing },
    );
    expect(result.status.version).toBe(1);
    expect((await store.readStatus())?.lastRun.runId).toBe("r1");
  });

  it("refuses a status write that expects another version", async () => {
    const { status } = nextRecord(undefined, { plan: planOf("r1", "dry-run", []), objects: [FS_REF] }, "t");
    await store.writeStatus(status, 0);
    await expect(store.writeStatus({ ...status, version: 2 }, 0)).rejects.toBeInstanceOf(StatusConflictError);
    expect((await store.readStatus())?.version).toBe(1);
  });
});

describe("recording with a sink that fails part-way", () => {
  it("a retried recording publishes every event exactly once: each published batch was stored before the next", async () => {
    const drift = Array.from({ length: 25 }, (_, i) => driftOf("FS_LIFECYCLE_POLICY", `fs-${i}`));
    const plan = planOf("r1", "dry-run", drift);
    const published: string[] = [];
    let calls = 0;
    const flaky = {
      name: "eventbridge",
      put: async (events: readonly DriftEvent[]) => {
        calls++;
        // The second batch fails once (a permanent error, or attempts used up), the step is retried.
        if (calls === 2) throw new Error("AccessDeniedException");
        published.push(...events.map((e) => e.eventId));
      },
    };
    const now = steppingClock("2026-11-28T04:00:00.000Z", 60);
    await expect(recordRun({ plan, desired }, { store, sinks: [flaky], now })).rejects.toThrow(
      "AccessDeniedException",
    );
    const retried = await recordRun({ plan, desired }, { store, sinks: [flaky], now });

    expect(retried.events).toHaveLength(25);
    expect(published).toHaveLength(25);
    expect(new Set(published).size).toBe(25);
    expect((await store.unrecorded(retried.events)).length).toBe(0);
  });
});

describe("a run that stopped before its verifying observation", () => {
  it("reports its failed actions, leaves the rest to the next observation, and records the run as stopped", async () => {
    const now = steppingClock("2026-11-28T04:00:00.000Z", 60);
    await recordRun(
      { plan: planOf("r1", "dry-run", [lifecycleDrift, timeoutDrift]), desired },
      { store, now },
    );
    const fixLifecycle = actionFor([lifecycleDrift]);
    const fixTimeout = actionFor([timeoutDrift]);
    const plan = planOf("r2", "apply", [lifecycleDrift, timeoutDrift], [fixLifecycle, fixTimeout]);
    await recordRun({ plan, desired }, { store, now });
    // Stopped after its actions: the remaining drift is the plan's, not observed again.
    const report = reportOf(plan, { [fixTimeout.id]: "failed" }, plan.drift);

    const stopped = await recordRun({ plan, report, desired, verified: false }, { store, now });

    // No "still present" failure for the lifecycle fix nobody has checked.
    expect(types(stopped.events)).toEqual(["RemediationFailed FN_TIMEOUT"]);
    expect(stopped.status.lastRun.stage).toBe("stopped");
    expect(stopped.status.openDrift.map((o) => o.drift.code).sort()).toEqual([
      "FN_TIMEOUT",
      "FS_LIFECYCLE_POLICY",
    ]);
    // The next observation finds the lifecycle fixed.
    const next = await recordRun({ plan: planOf("r3", "dry-run", [timeoutDrift]), desired }, { store, now });
    expect(types(next.events)).toContain("DriftResolved FS_LIFECYCLE_POLICY");
  });
});
