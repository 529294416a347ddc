/**
 * The real definition (src/statemachine/definition.asl.json) executed in-process by
 * aws-local-stepfunctions, with the real task functions over a scripted world (no AWS).
 */
import { describe, expect, it } from "vitest";
import type { ApplyReport, Plan } from "../../src/plan/types";
import { RetryableReconcileError, TerminalReconcileError } from "../../src/reconcilers/errors";
import { NOT_ATTEMPTED } from "../../src/statemachine/apply-report";
import {
  type EngineEvent,
  executeWorkflow,
  type ProgressEvent,
  type WorkflowResult,
} from "../../src/statemachine/local-engine";
import { action, drift, fakeWorld, RUN_ID, settingAction, type World, type WorldOptions } from "./fake-world";

interface Run {
  result: WorkflowResult;
  world: World;
  states: string[];
  progress: ProgressEvent[];
}

async function run(
  options: WorldOptions,
  input: { mode?: "dry-run" | "apply"; maxChanges?: number } = {},
): Promise<Run> {
  const world = fakeWorld(options);
  const states: string[] = [];
  const progress: ProgressEvent[] = [];
  const result = await executeWorkflow(
    world.tasks,
    { mode: input.mode ?? "apply", maxChanges: input.maxChanges ?? 25 },
    {
      fastWaits: true,
      onProgress: (e) => progress.push(e),
      onEngineEvent: (e: EngineEvent) => {
        if (e.type === "StateEntered") states.push(e.state.name);
      },
    },
  );
  return { result, world, states, progress };
}

function report(r: Run): ApplyReport {
  expect("results" in r.result.report).toBe(true);
  return r.result.report as ApplyReport;
}

function statusOf(r: Run): Record<string, string> {
  return Object.fromEntries(report(r).results.map((x) => [x.actionId, x.status]));
}

const indexOf = (log: string[], entry: string) => {
  const i = log.indexOf(entry);
  expect(i, `${entry} in ${log.join(" ")}`).toBeGreaterThanOrEqual(0);
  return i;
};

/** a1 (phase 1) leaves a mount target pending; the pending check is denied; b1 (phase 2) waits. */
function deniedPendingCheck(): WorldOptions {
  const mt = { type: "mountTarget" as const, fileSystemId: "fs-1", mountTargetId: "fsmt-1" };
  return {
    actions: [action("a1", 1), action("b1", 2)],
    behaviours: { a1: { kind: "succeed", pending: [mt] } },
    check: () => {
      throw new TerminalReconcileError("DescribeMountTargets was denied");
    },
  };
}

/** Every run's states up to its first choice after planning: lease, the observation's three stages, plan, record. */
const UP_TO_ROUTE = [
  "TakeLease",
  "Leased",
  "ObserveSources",
  "ObserveNetwork",
  "ObserveChecklist",
  "Plan",
  "RecordPlan",
  "Route",
];

describe("remediation workflow, executed locally", () => {
  it("runs the phases in order: no action of a phase starts before every action of the previous one finished", async () => {
    const actions = [
      action("a1", 1),
      action("a2", 1),
      action("a3", 1),
      action("b1", 2),
      action("b2", 2),
      action("c1", 3),
    ];
    const r = await run({ actions });

    expect(r.result.status).toBe("SUCCEEDED");
    const { log } = r.world;
    const lastEnd = (ids: string[]) => Math.max(...ids.map((id) => indexOf(log, `end:${id}`)));
    const firstStart = (ids: string[]) => Math.min(...ids.map((id) => indexOf(log, `start:${id}`)));
    expect(lastEnd(["a1", "a2", "a3"])).toBeLessThan(firstStart(["b1", "b2"]));
    expect(lastEnd(["b1", "b2"])).toBeLessThan(firstStart(["c1"]));
    expect(statusOf(r)).toEqual({
      a1: "succeeded",
      a2: "succeeded",
      a3: "succeeded",
      b1: "succeeded",
      b2: "succeeded",
      c1: "succeeded",
    });
    expect(report(r).remaining).toEqual([]);
    expect(report(r).runId).toBe(RUN_ID);
  });

  it("fans a phase's actions out, at most four at a time", async () => {
    const actions = ["a1", "a2", "a3", "a4", "a5", "a6"].map((id) => action(id, 1));
    const r = await run({ actions, fanOutBarrier: 4 });

    expect(r.result.status).toBe("SUCCEEDED");
    expect(r.world.maxInFlight()).toBe(4);
    expect(Object.values(statusOf(r))).toEqual(Array(6).fill("succeeded"));
  });

  it("retries a RetryableReconcileError, then reports the action succeeded", async () => {
    const r = await run({
      actions: [action("a1", 1), action("a2", 1)],
      behaviours: { a1: { kind: "retryable", times: 2 } },
    });

    expect(r.result.status).toBe("SUCCEEDED");
    expect(r.world.calls.a1).toBe(3);
    expect(r.world.calls.a2).toBe(1);
    expect(statusOf(r)).toEqual({ a1: "succeeded", a2: "succeeded" });
    expect(r.progress.filter((p) => p.type === "actionRetrying")).toEqual([
      { type: "actionRetrying", actionId: "a1", attempt: 1 },
      { type: "actionRetrying", actionId: "a1", attempt: 2 },
    ]);
  });

  it("gives up on a RetryableReconcileError after a bounded number of attempts and reports it failed", async () => {
    const r = await run({
      actions: [action("a1", 1)],
      behaviours: { a1: { kind: "retryable", times: 100 } },
    });

    expect(r.world.calls.a1).toBe(6);
    expect(r.result.status).toBe("FAILED");
    expect(r.result.error).toBe("RemediationIncomplete");
    expect(report(r).results).toEqual([
      { actionId: "a1", status: "failed", error: "RetryableReconcileError: throttled on a1; retry later" },
    ]);
  });

  it("a TerminalReconcileError fails its action only: the others finish, later phases wait, the run fails with it reported", async () => {
    const actions = [action("a1", 1), action("a2", 1), action("a3", 1), action("b1", 2), action("c1", 3)];
    const r = await run({
      actions,
      behaviours: {
        a2: { kind: "terminal", message: "access point fsap-1 is on another file system; fix the manifest" },
      },
    });

    expect(r.result.status).toBe("FAILED");
    expect(r.result.error).toBe("RemediationIncomplete");
    expect(statusOf(r)).toEqual({
      a1: "succeeded",
      a2: "failed",
      a3: "succeeded",
      b1: "skipped",
      c1: "skipped",
    });
    const results = report(r).results;
    expect(results.find((x) => x.actionId === "a2")?.error).toBe(
      "TerminalReconcileError: access point fsap-1 is on another file system; fix the manifest",
    );
    expect(results.find((x) => x.actionId === "b1")?.error).toBe(NOT_ATTEMPTED);
    expect(r.world.calls.b1).toBeUndefined();
    expect(r.world.calls.c1).toBeUndefined();
    expect(r.result.cause).toContain(
      "1 of 5 actions failed: AuthorizeIngress sg-a2 (TerminalReconcileError:",
    );
    expect(r.world.records.map((x) => x.kind)).toEqual(["plan", "outcome"]);
  });

  it("a failed setting fails alone: later phases still run (nothing builds on it), the run fails with it reported", async () => {
    const actions = [settingAction("s1"), action("a1", 1), action("b1", 2), action("c1", 3)];
    const r = await run({
      actions,
      behaviours: { s1: { kind: "terminal", message: "PutLifecycleConfiguration was denied" } },
    });

    expect(r.result.status).toBe("FAILED");
    expect(r.result.error).toBe("RemediationIncomplete");
    expect(statusOf(r)).toEqual({ s1: "failed", a1: "succeeded", b1: "succeeded", c1: "succeeded" });
    expect(indexOf(r.world.log, "start:a1")).toBeLessThan(indexOf(r.world.log, "start:b1"));
    expect(indexOf(r.world.log, "start:b1")).toBeLessThan(indexOf(r.world.log, "start:c1"));
    expect(r.result.cause).toContain("1 of 4 actions failed: PutLifecycleConfiguration");
  });

  it("waits for pending resources (Wait + check) until they are ready before the next phase", async () => {
    const mt = { type: "mountTarget" as const, fileSystemId: "fs-1", mountTargetId: "fsmt-1" };
    const r = await run({
      actions: [action("a1", 1), action("a2", 1), action("b1", 2)],
      behaviours: { a1: { kind: "succeed", pending: [mt] } },
      check: (resources, n) =>
        n < 3 ? { ready: false, pending: resources, failed: [] } : { ready: true, pending: [], failed: [] },
    });

    expect(r.result.status).toBe("SUCCEEDED");
    expect(r.world.checks()).toBe(3);
    expect(indexOf(r.world.log, "check:3")).toBeLessThan(indexOf(r.world.log, "start:b1"));
    expect(r.states.filter((s) => s === "WaitForResources")).toHaveLength(2);
    expect(r.progress.filter((p) => p.type === "waiting")).toEqual([
      { type: "waiting", resources: 1, check: 1 },
      { type: "waiting", resources: 1, check: 2 },
    ]);
    expect(statusOf(r)).toEqual({ a1: "succeeded", a2: "succeeded", b1: "succeeded" });
  });

  it("retries a throttled pending check (RetryableReconcileError) instead of failing the run", async () => {
    const mt = { type: "mountTarget" as const, fileSystemId: "fs-1", mountTargetId: "fsmt-1" };
    const r = await run({
      actions: [action("a1", 1), action("b1", 2)],
      behaviours: { a1: { kind: "succeed", pending: [mt] } },
      check: (resources, n) => {
        if (n === 1) throw new RetryableReconcileError("DescribeMountTargets throttled; retry later");
        return n < 3
          ? { ready: false, pending: resources, failed: [] }
          : { ready: true, pending: [], failed: [] };
      },
    });

    expect(r.result.status).toBe("SUCCEEDED");
    expect(r.world.checks()).toBe(3);
    expect(statusOf(r)).toEqual({ a1: "succeeded", b1: "succeeded" });
  });

  it("gives up after 40 further checks: the waiting action fails and later phases do not run", async () => {
    const fn = { type: "function" as const, functionName: "search" };
    const r = await run({
      actions: [action("a1", 1), action("b1", 2)],
      behaviours: { a1: { kind: "succeed", pending: [fn] } },
      check: (resources) => ({ ready: false, pending: resources, failed: [] }),
    });

    expect(r.world.checks()).toBe(41);
    expect(r.result.status).toBe("FAILED");
    expect(r.result.error).toBe("RemediationIncomplete");
    expect(report(r).results).toEqual([
      {
        actionId: "a1",
        status: "failed",
        error: "function search was still not ready after 40 checks; re-run apply once it is available",
      },
      { actionId: "b1", status: "skipped", error: NOT_ATTEMPTED },
    ]);
    expect(r.world.calls.b1).toBeUndefined();
  });

  it("a pending resource that fails fails the action that made it", async () => {
    const mt = { type: "mountTarget" as const, fileSystemId: "fs-1", mountTargetId: "fsmt-1" };
    const mt2 = { type: "mountTarget" as const, fileSystemId: "fs-1", mountTargetId: "fsmt-12" };
    const r = await run({
      actions: [action("a1", 1), action("a2", 1)],
      behaviours: { a1: { kind: "succeed", pending: [mt] }, a2: { kind: "succeed", pending: [mt2] } },
      check: () => ({
        ready: false,
        pending: [],
        failed: ["mount target fsmt-1 of fs-1 is error; check it"],
      }),
    });

    expect(r.result.status).toBe("FAILED");
    expect(statusOf(r)).toEqual({ a1: "failed", a2: "succeeded" });
    expect(report(r).results[0]?.error).toBe(
      "mount target fsmt-1 of fs-1 did not become ready: mount target fsmt-1 of fs-1 is error; check it",
    );
  });

  it("dry-run runs only TakeLease, the observation's three stages, Plan and RecordPlan, and returns the plan", async () => {
    const r = await run({ actions: [action("a1", 1), action("b1", 2)] }, { mode: "dry-run" });

    expect(r.result.status).toBe("SUCCEEDED");
    expect(r.states).toEqual([...UP_TO_ROUTE, "DryRunDone"]);
    expect(r.result.stateTransitions).toBe(9);
    expect(r.world.calls).toEqual({});
    const plan = r.result.report as Plan;
    expect("results" in plan).toBe(false);
    expect(plan.mode).toBe("dry-run");
    expect(plan.actions.map((a) => a.id)).toEqual(["a1", "b1"]);
    expect(r.world.records).toEqual([
      { runId: RUN_ID, kind: "plan", recordedAt: "2026-11-28T12:00:00.000Z", plan },
    ]);
  });

  it("a converged run skips the phases and takes at most 10 state transitions", async () => {
    const manual = drift("enc", "manual");
    const r = await run({ actions: [], drift: [manual] });

    expect(r.result.status).toBe("SUCCEEDED");
    expect(r.states).not.toContain("NextPhase");
    expect(r.states).not.toContain("RunActions");
    expect(r.result.stateTransitions).toBe(9);
    expect(r.result.stateTransitions).toBeLessThanOrEqual(10);
    expect(report(r).results).toEqual([]);
    expect(report(r).remaining).toEqual([manual]);
    expect(r.world.observations()).toBe(1);
  });

  it("auto drift without actions is verified and fails the run", async () => {
    const r = await run({ actions: [], drift: [drift("x")], remaining: [drift("x")] });

    expect(r.states).not.toContain("RunActions");
    expect(r.states).toContain("Verify");
    expect(r.result.status).toBe("FAILED");
    expect(r.result.error).toBe("RemediationIncomplete");
    expect(r.result.cause).toContain("1 auto-remediable drift item remains: SG_INGRESS_MISSING sg-x");
  });

  it("refuses a plan with more actions than maxChanges, changing nothing", async () => {
    const actions = [action("a1", 1), action("a2", 1), action("b1", 2)];
    const r = await run({ actions }, { maxChanges: 2 });

    expect(r.result.status).toBe("FAILED");
    expect(r.result.error).toBe("MaxChangesExceeded");
    expect(r.result.cause).toContain("the plan has 3 actions, more than the limit of 2");
    expect(r.world.calls).toEqual({});
    expect(r.states).toEqual([...UP_TO_ROUTE, "RecordRefusal", "TooManyChanges"]);
    expect(statusOf(r)).toEqual({ a1: "skipped", a2: "skipped", b1: "skipped" });
    expect(report(r).remaining).toEqual(report(r).drift);
    // The refused run's outcome is recorded (its open drift gets its events), as the CLI reports it.
    expect(r.world.records.map((x) => x.kind)).toEqual(["plan", "outcome"]);
    const outcome = r.world.records[1];
    expect(outcome?.kind === "outcome" && outcome.report).toEqual(report(r));
    expect(new Set(report(r).results.map((x) => x.error))).toEqual(
      new Set([
        "not attempted: the plan has 3 actions, more than the limit of 2 (--max-changes): nothing was changed; review the plan, then raise the limit or fix part of the drift first",
      ]),
    );
  });

  it("applies a plan with exactly maxChanges actions", async () => {
    const r = await run({ actions: [action("a1", 1), action("a2", 1)] }, { maxChanges: 2 });

    expect(r.result.status).toBe("SUCCEEDED");
    expect(statusOf(r)).toEqual({ a1: "succeeded", a2: "succeeded" });
  });

  it("fails when auto drift remains after every action succeeded; manual drift alone succeeds", async () => {
    const failing = await run({
      actions: [action("a1", 1)],
      remaining: [drift("left"), drift("enc", "manual")],
    });
    expect(failing.result.status).toBe("FAILED");
    expect(failing.result.error).toBe("RemediationIncomplete");
    expect(report(failing).remaining.map((d) => d.id)).toEqual(["left", "enc"]);

    const passing = await run({ actions: [action("a1", 1)], remaining: [drift("enc", "manual")] });
    expect(passing.result.status).toBe("SUCCEEDED");
    expect(report(passing).remaining.map((d) => d.id)).toEqual(["enc"]);
  });

  it("reports skipped actions (already in place) as skipped without failing", async () => {
    const r = await run({ actions: [action("a1", 1)], behaviours: { a1: { kind: "skip" } } });

    expect(r.result.status).toBe("SUCCEEDED");
    expect(report(r).results).toEqual([{ actionId: "a1", status: "skipped", error: null }]);
  });

  it("counts state transitions of a 3-phase run: 15 + 4 per phase + 2 per action", async () => {
    const actions = [
      action("a1", 1),
      action("a2", 1),
      action("a3", 1),
      action("b1", 2),
      action("b2", 2),
      action("c1", 3),
    ];
    const r = await run({ actions });

    expect(r.result.stateTransitions).toBe(27 + 2 * actions.length);
    expect(r.states.filter((s) => s === "RouteAction")).toHaveLength(6);
    // Phase 1 and 3 are security-group actions, phase 2 function actions (see fake-world.ts).
    expect(r.states.filter((s) => s === "ExecuteSecurityGroupAction")).toHaveLength(4);
    expect(r.states.filter((s) => s === "ExecuteFunctionAction")).toHaveLength(2);
  });

  it("counts each retry as a state transition", async () => {
    const plain = await run({ actions: [action("a1", 1)] });
    const retried = await run({
      actions: [action("a1", 1)],
      behaviours: { a1: { kind: "retryable", times: 2 } },
    });

    // TakeLease, Leased, three observation stages, Plan, RecordPlan, Route, NextPhase, RunActions,
    // RouteAction, ExecuteSecurityGroupAction, SettlePhase, PhaseSettled, three observation stages
    // again, Verify, RecordOutcome, Outcome, Remediated.
    expect(plain.result.stateTransitions).toBe(21);
    expect(retried.result.stateTransitions).toBe(23);
  });

  it("emits progress: planned, phase started, action started/finished, verifying", async () => {
    const r = await run({ actions: [action("a1", 1), action("b1", 2)] });

    expect(r.progress).toEqual([
      { type: "planned", runId: RUN_ID, mode: "apply", drift: 2, actions: 2 },
      { type: "phaseStarted", phase: 1, actions: 1 },
      {
        type: "actionStarted",
        phase: 1,
        actionId: "a1",
        actionType: "AuthorizeIngress",
        description: "action a1",
      },
      { type: "actionFinished", actionId: "a1", status: "succeeded", message: "did a1", error: null },
      { type: "phaseStarted", phase: 2, actions: 1 },
      {
        type: "actionStarted",
        phase: 2,
        actionId: "b1",
        actionType: "UpdateFunctionFileSystem",
        description: "action b1",
      },
      { type: "actionFinished", actionId: "b1", status: "succeeded", message: "did b1", error: null },
      { type: "verifying" },
    ]);
  });

  it("records the plan, then the outcome, of the same run", async () => {
    const r = await run({ actions: [action("a1", 1)] });

    expect(r.world.records.map((x) => [x.kind, x.runId])).toEqual([
      ["plan", RUN_ID],
      ["outcome", RUN_ID],
    ]);
    const outcome = r.world.records[1];
    expect(outcome?.kind === "outcome" ? outcome.report : undefined).toEqual(r.result.report);
  });

  it("throws the planning error when no plan could be made", async () => {
    const world = fakeWorld({ actions: [] });
    const failing = {
      ...world.tasks,
      plan: async () => Promise.reject(new TypeError("manifests unreadable")),
    };

    await expect(
      executeWorkflow(failing, { mode: "apply", maxChanges: 25 }, { fastWaits: true }),
    ).rejects.toThrow("manifests unreadable");
  });

  it("a pending check that fails after the actions ran: the outcome known so far is recorded, unverified, and the run fails with that error", async () => {
    const r = await run(deniedPendingCheck());

    expect(r.result.status).toBe("FAILED");
    expect(r.result.error).toBe("TerminalReconcileError");
    expect(r.states.slice(-3)).toEqual(["SettlePhase", "RecordStoppedRun", "RunStopped"]);
    expect(r.world.records.map((x) => x.kind)).toEqual(["plan", "outcome"]);
    const outcome = r.world.records[1];
    if (outcome?.kind !== "outcome") throw new Error("no outcome recorded");
    expect(outcome.verified).toBe(false);
    // a1 ran (its result was still in the phase's results when SettlePhase failed); b1 did not.
    expect(outcome.report.results).toEqual([
      { actionId: "a1", status: "succeeded", error: null },
      {
        actionId: "b1",
        status: "skipped",
        error:
          "not attempted: the run stopped early (TerminalReconcileError: DescribeMountTargets was denied)",
      },
    ]);
    expect(outcome.report.remaining).toEqual(outcome.report.drift);
    expect(report(r).results).toEqual(outcome.report.results);
  });

  it("a stopped run whose record fails too still fails with the error that stopped it", async () => {
    const r = await run({ ...deniedPendingCheck(), recordFailures: { outcome: 1 } });

    expect(r.result.status).toBe("FAILED");
    expect(r.result.error).toBe("TerminalReconcileError");
    expect(r.states.slice(-2)).toEqual(["RecordStoppedRun", "RunStopped"]);
    expect(r.world.recordAttempts).toEqual(["plan", "outcome"]);
    expect(r.world.records.map((x) => x.kind)).toEqual(["plan"]);
  });

  it("a task failing after planning ends the run FAILED with the results known so far", async () => {
    const world = fakeWorld({ actions: [action("a1", 1)] });
    const tasks = {
      ...world.tasks,
      verify: async () => {
        const err = new Error("DescribeFileSystems denied; grant elasticfilesystem:Describe*");
        err.name = "ObserveError";
        throw err;
      },
    };
    const result = await executeWorkflow(tasks, { mode: "apply", maxChanges: 25 }, { fastWaits: true });

    expect(result.status).toBe("FAILED");
    expect(result.error).toBe("ObserveError");
    expect(result.cause).toBe("DescribeFileSystems denied; grant elasticfilesystem:Describe*");
    const rep = result.report as ApplyReport;
    expect(rep.results).toEqual([{ actionId: "a1", status: "succeeded", error: null }]);
    expect(rep.remaining).toEqual(rep.drift);
    // The run's outcome is recorded, unverified: its drift stays open for the next observation.
    const outcome = world.records.at(-1);
    expect(world.records.map((x) => x.kind)).toEqual(["plan", "outcome"]);
    expect(outcome?.kind === "outcome" && outcome.verified).toBe(false);
    expect(outcome?.kind === "outcome" && outcome.report.results).toEqual(rep.results);
  });
});
