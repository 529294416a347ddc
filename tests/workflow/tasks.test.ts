/**
 * The task functions on their own: input parsing, the run lease, the Plan state's output, error
 * pass-through, the record task, and the handlers' manifest directory.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createFileLease } from "../../src/lock/file-lease";
import { TerminalReconcileError } from "../../src/reconcilers/errors";
import { manifestDirFromEnv } from "../../src/statemachine/handlers";
import { emptyRun } from "../../src/statemachine/run-state";
import { createTakeLeaseTask, DEFAULT_MAX_CHANGES, WorkflowInputError } from "../../src/statemachine/tasks";
import type { PlanStep } from "../../src/statemachine/workflow-types";
import { action, drift, EMPTY_OBSERVATION, fakeWorld, plan, RUN_ID } from "./fake-world";

describe("takeLease task", () => {
  const runId = "20261128T120000Z-0000abcd";

  async function withLeaseDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), "efsr-take-lease-"));
    try {
      return await body(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it("completes the input (mode, limit, run id) when the run runs without a lease", async () => {
    const take = createTakeLeaseTask({ newRunId: () => runId });
    expect(await take({ input: {}, defaultMaxChanges: "7" })).toEqual({
      input: { mode: "dry-run", maxChanges: 7, runId },
    });
    expect(
      await take({ input: { mode: "apply", maxChanges: 2, runId: "20261128T000000Z-00000001" } }),
    ).toEqual({
      input: { mode: "apply", maxChanges: 2, runId: "20261128T000000Z-00000001" },
    });
  });

  it("takes the lease for the execution; another execution is then skipped, naming the holder", async () => {
    await withLeaseDir(async (dir) => {
      const lines: string[] = [];
      const take = createTakeLeaseTask({
        lease: createFileLease(dir),
        newRunId: () => runId,
        log: (line) => lines.push(line),
      });
      expect(await take({ input: { mode: "apply" }, execution: "exec-1" })).toEqual({
        input: { mode: "apply", maxChanges: DEFAULT_MAX_CHANGES, runId },
      });
      const second = await take({ input: { mode: "dry-run" }, execution: "exec-2" });
      expect("skipped" in second && second.skipped.heldBy).toMatchObject({
        holder: "exec-1",
        runId,
        mode: "apply",
      });
      expect(lines[0]).toBe(`took the run lease for run ${runId} (apply)`);
      expect(lines[1]).toMatch(/^skipped: another run/);
    });
  });

  it("refuses bad input before it takes the lease", async () => {
    await withLeaseDir(async (dir) => {
      const lease = createFileLease(dir);
      const take = createTakeLeaseTask({ lease, newRunId: () => runId });
      await expect(take({ input: { mode: "destroy" as never }, execution: "exec-1" })).rejects.toThrow(
        WorkflowInputError,
      );
      // Nothing holds the lease: a later run takes it.
      expect(await lease.acquire({ holder: "exec-2", runId, mode: "apply" })).toEqual({ acquired: true });
    });
  });
});

describe("plan task", () => {
  const world = () =>
    fakeWorld({ actions: [action("c1", 3), action("a1", 1)], drift: [drift("d1"), drift("m", "manual")] });

  it.each([
    [{ mode: "apply" as const }, "7", 7],
    [{ mode: "apply" as const, maxChanges: 3 }, "7", 3],
    [{ mode: "apply" as const, maxChanges: 0 }, undefined, 0],
    [{ mode: "apply" as const }, undefined, DEFAULT_MAX_CHANGES],
  ])("input %j with default %j → maxChanges %d", async (input, defaultMaxChanges, expected) => {
    const step = (await world().tasks.plan({
      input,
      ...(defaultMaxChanges ? { defaultMaxChanges } : {}),
      observation: EMPTY_OBSERVATION,
    })) as PlanStep;
    expect(step.maxChanges).toBe(expected);
  });

  it("outputs the plan, its counts, its non-empty phases and an empty run", async () => {
    const step = (await world().tasks.plan({
      input: { mode: "apply" },
      defaultMaxChanges: "25",
      observation: EMPTY_OBSERVATION,
    })) as PlanStep;
    expect(step.plan.runId).toBe(RUN_ID);
    expect(step.plan.mode).toBe("apply");
    expect(step.counts).toEqual({ actions: 2, autoDrift: 1 });
    expect(step.phases.map((p) => p.phase)).toEqual([1, 3]);
    expect(step.phaseCount).toBe(2);
    expect(step.cursor).toEqual({ next: 0 });
    expect(step.run).toEqual(emptyRun());
  });

  it("plans a dry run when the input names no mode", async () => {
    const step = (await world().tasks.plan({ input: {}, observation: EMPTY_OBSERVATION })) as PlanStep;
    expect(step.plan.mode).toBe("dry-run");
  });

  it.each([
    [{ input: { mode: "destroy" } }, /mode is "destroy"/],
    [{ input: { mode: "apply", maxChanges: -1 } }, /maxChanges is -1/],
    [{ input: { mode: "apply", maxChanges: 2.5 } }, /maxChanges is 2.5/],
    [{ input: { mode: "apply" }, defaultMaxChanges: "many" }, /MaxChanges is "many"/],
  ])("refuses bad input %j", async (input, message) => {
    const tasks = world().tasks;
    await expect(tasks.plan(input as never)).rejects.toThrow(WorkflowInputError);
    await expect(tasks.plan(input as never)).rejects.toThrow(message);
  });
});

describe("executeAction task", () => {
  it("re-throws the reconciler's error unchanged, so Retry/Catch match its name", async () => {
    const w = fakeWorld({
      actions: [action("a1", 1)],
      behaviours: { a1: { kind: "terminal", message: "nope" } },
    });
    const err = await w.tasks.executeAction({ action: action("a1", 1) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TerminalReconcileError);
    expect((err as Error).name).toBe("TerminalReconcileError");
  });

  it("returns the outcome with the resources left pending", async () => {
    const mt = { type: "mountTarget" as const, fileSystemId: "fs-1", mountTargetId: "fsmt-1" };
    const w = fakeWorld({
      actions: [action("a1", 1)],
      behaviours: { a1: { kind: "succeed", pending: [mt] } },
    });
    expect(await w.tasks.executeAction({ action: action("a1", 1) })).toEqual({
      actionId: "a1",
      status: "succeeded",
      error: null,
      message: "did a1",
      pending: [mt],
    });
  });
});

describe("checkPending task", () => {
  it("makes no check when nothing is pending", async () => {
    const w = fakeWorld({ actions: [] });
    const run = await w.tasks.checkPending({
      run: emptyRun(),
      phaseResults: [{ actionId: "a1", status: "succeeded", error: null, pending: [] }],
    });
    expect(w.checks()).toBe(0);
    expect(run.results).toEqual([{ actionId: "a1", status: "succeeded", error: null }]);
  });

  it("counts each later check", async () => {
    const fn = { type: "function" as const, functionName: "f" };
    const w = fakeWorld({
      actions: [],
      check: (resources) => ({ ready: false, pending: resources, failed: [] }),
    });
    const first = await w.tasks.checkPending({
      run: emptyRun(),
      phaseResults: [{ actionId: "a1", status: "succeeded", error: null, pending: [fn] }],
    });
    const second = await w.tasks.checkPending({ run: first });
    expect([first.polls, second.polls]).toEqual([0, 1]);
    expect(w.checks()).toBe(2);
  });
});

describe("run records", () => {
  it("the record task stamps the run id and time, and hands the record to the store", async () => {
    const w = fakeWorld({ actions: [] });
    const p = plan("dry-run", [], []);
    expect(await w.tasks.record({ kind: "plan", plan: p })).toEqual({ runId: RUN_ID, kind: "plan" });
    expect(w.records).toEqual([
      { runId: RUN_ID, kind: "plan", recordedAt: "2026-11-28T12:00:00.000Z", plan: p },
    ]);
  });
});

describe("handler configuration", () => {
  it("resolves MANIFEST_DIR against the bundle's directory, defaulting to desired-state", () => {
    expect(manifestDirFromEnv({}, "/var/task")).toBe("/var/task/desired-state");
    expect(manifestDirFromEnv({ MANIFEST_DIR: "manifests/prod" }, "/var/task")).toBe(
      "/var/task/manifests/prod",
    );
    expect(manifestDirFromEnv({ MANIFEST_DIR: "/opt/manifests" }, "/var/task")).toBe("/opt/manifests");
    expect(manifestDirFromEnv({}, resolve("bundle"))).toBe(resolve("bundle", "desired-state"));
  });
});
