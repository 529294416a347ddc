/**
 * Plans by reference: a plan step over the inline limit is stored, its phases run in the
 * RunStoredActions Distributed Map (emulated by the local engine on the shared run store), and the
 * run ends exactly as an inline run of the same plan — with no state carrying the actions.
 */
import { describe, expect, it } from "vitest";
import type { ApplyReport } from "../../src/plan/types";
import { TerminalReconcileError } from "../../src/reconcilers/errors";
import { workflowDefinition } from "../../src/statemachine/definition";
import { type EngineEvent, executeWorkflow, type ProgressEvent } from "../../src/statemachine/local-engine";
import { createMemoryRunStore } from "../../src/statemachine/run-store";
import {
  isPlanHead,
  loadPhaseResults,
  STORED_STATE_PREFIX,
  writeMapResults,
} from "../../src/statemachine/stored-documents";
import { action, drift, fakeWorld, settingAction, type WorldOptions } from "./fake-world";

const ACTIONS = [action("a1", 1), action("a2", 1), action("a3", 1), action("b1", 2), action("c1", 3)];

async function run(options: WorldOptions, stored: boolean, mode: "apply" | "dry-run" = "apply") {
  const store = createMemoryRunStore();
  const world = fakeWorld({ ...options, store, inlineStepLimitBytes: stored ? 1 : 10_000_000 });
  const states: string[] = [];
  const payloads: { state: string; json: string }[] = [];
  const progress: ProgressEvent[] = [];
  const result = await executeWorkflow(
    world.tasks,
    { mode, maxChanges: 25 },
    {
      fastWaits: true,
      store,
      onProgress: (e) => progress.push(e),
      onEngineEvent: (e: EngineEvent) => {
        if (e.type === "StateEntered") states.push(e.state.name);
        if ("state" in e) {
          const data = e.type === "StateExited" ? e.state.output : e.state.input;
          payloads.push({ state: e.state.name, json: JSON.stringify(data) });
        }
      },
    },
  );
  return { result, world, states, payloads, progress };
}

describe("plans stored by reference", () => {
  it("runs a stored plan like an inline one: same report, same transitions, through RunStoredActions", async () => {
    const inline = await run({ actions: ACTIONS }, false);
    const stored = await run({ actions: ACTIONS }, true);

    expect(stored.result.status).toBe("SUCCEEDED");
    expect(stored.result.report).toEqual(inline.result.report);
    expect(stored.result.stateTransitions).toBe(inline.result.stateTransitions);
    expect(stored.states.filter((s) => s === "RunStoredActions")).toHaveLength(3);
    expect(stored.states).not.toContain("RunActions");
    expect(inline.states).not.toContain("RunStoredActions");
    // The children's states appear under the inline Map's names, one route and one execution per action.
    expect(stored.states.filter((s) => s === "RouteAction")).toHaveLength(ACTIONS.length);
    expect(Object.keys(stored.world.calls).sort()).toEqual(ACTIONS.map((a) => a.id).sort());
  });

  it("keeps the actions out of every state of the run but the child executions' own input", async () => {
    const carrying = (r: Awaited<ReturnType<typeof run>>) =>
      r.payloads
        .filter((p) => p.json.includes('"id":"a1"') && !p.json.startsWith('{"action":{"id":"a1"'))
        .map((p) => p.state);
    const stored = await run({ actions: ACTIONS }, true);
    expect(carrying(stored)).toEqual([]);
    expect(carrying(await run({ actions: ACTIONS }, false))).toContain("Plan");
    // The plan itself still reaches the records whole.
    const planRecord = stored.world.records.find((r) => r.kind === "plan");
    expect(planRecord?.kind === "plan" && planRecord.plan.actions.map((a) => a.id)).toEqual(
      ACTIONS.map((a) => a.id),
    );
    const outcome = stored.world.records.find((r) => r.kind === "outcome");
    expect(outcome?.kind === "outcome" && outcome.report.results.every((r) => r.status === "succeeded")).toBe(
      true,
    );
  });

  it("reports progress of a stored run: planned counts and each phase's size", async () => {
    const stored = await run({ actions: ACTIONS }, true);
    expect(stored.progress[0]).toMatchObject({ type: "planned", drift: 5, actions: 5 });
    expect(stored.progress.filter((p) => p.type === "phaseStarted")).toEqual([
      { type: "phaseStarted", phase: 1, actions: 3 },
      { type: "phaseStarted", phase: 2, actions: 1 },
      { type: "phaseStarted", phase: 3, actions: 1 },
    ]);
    expect(stored.progress.filter((p) => p.type === "actionFinished")).toHaveLength(5);
  });

  it("a failed action in a stored phase fails the run and stops later phases, as inline", async () => {
    const options: WorldOptions = {
      actions: ACTIONS,
      behaviours: { a2: { kind: "terminal", message: "denied" } },
    };
    const inline = await run(options, false);
    const stored = await run(options, true);
    expect(stored.result.status).toBe("FAILED");
    expect(stored.result.error).toBe(inline.result.error);
    expect(stored.result.report).toEqual(inline.result.report);
    expect(stored.world.calls.b1).toBeUndefined();
  });

  it("a pending check failing in a stored run records the outcome known so far, as inline", async () => {
    const mt = { type: "mountTarget" as const, fileSystemId: "fs-1", mountTargetId: "fsmt-1" };
    const options: WorldOptions = {
      actions: ACTIONS,
      behaviours: { a1: { kind: "succeed", pending: [mt] } },
      check: () => {
        throw new TerminalReconcileError("DescribeMountTargets was denied");
      },
    };
    const inline = await run(options, false);
    const stored = await run(options, true);
    expect(stored.result.error).toBe("TerminalReconcileError");
    expect(stored.world.records.map((r) => r.kind)).toEqual(["plan", "outcome"]);
    expect(stored.world.records[1]).toEqual(inline.world.records[1]);
    const outcome = stored.world.records[1];
    expect(outcome?.kind === "outcome" && outcome.report.results.map((r) => r.status)).toEqual([
      "succeeded",
      "succeeded",
      "succeeded",
      "skipped",
      "skipped",
    ]);
  });

  it("a failed setting in a stored phase fails alone: the later phases run, as inline", async () => {
    const options: WorldOptions = {
      actions: [settingAction("s1"), ...ACTIONS],
      behaviours: { s1: { kind: "terminal", message: "denied" } },
    };
    const inline = await run(options, false);
    const stored = await run(options, true);
    expect(stored.result.status).toBe("FAILED");
    expect(stored.result.report).toEqual(inline.result.report);
    expect(stored.world.calls.b1).toBe(1);
    expect(stored.world.calls.c1).toBe(1);
  });

  it("a stored dry run ends with the whole plan, its execution output only the head", async () => {
    const stored = await run({ actions: ACTIONS, drift: [drift("d1")] }, true, "dry-run");
    expect(stored.result.status).toBe("SUCCEEDED");
    expect(stored.result.report.actions.map((a) => a.id)).toEqual(ACTIONS.map((a) => a.id));
    const done = stored.payloads.filter((p) => p.state === "DryRunDone").at(-1);
    const head = JSON.parse(done?.json ?? "{}");
    expect(isPlanHead(head)).toBe(true);
    expect(head.actions).toBeUndefined();
  });

  it("inline plans stay inline when a store is configured", async () => {
    const inline = await run({ actions: ACTIONS }, false);
    const plan = inline.payloads.find((p) => p.state === "Plan" && p.json.includes('"plan"'));
    expect(JSON.parse(plan?.json ?? "{}").plan.actions).toHaveLength(ACTIONS.length);
    expect((inline.result.report as ApplyReport).results).toHaveLength(ACTIONS.length);
  });
});

describe("ResultWriter documents", () => {
  it("reads back what a ResultWriter wrote, failed children as failed actions", async () => {
    const store = createMemoryRunStore();
    const written = await writeMapResults(
      store,
      "runs/r/phase-1/results",
      [
        {
          Input: JSON.stringify({ action: { id: "a1" } }),
          Output: JSON.stringify({ actionId: "a1", status: "succeeded", error: null, pending: [] }),
          Status: "SUCCEEDED",
        },
        {
          Input: JSON.stringify({ action: { id: "a2" } }),
          Status: "FAILED",
          Error: "States.Timeout",
          Cause: "late",
        },
      ],
      "run-1",
    );
    // Step Functions' layout: one folder per map run, the manifest naming each results file by its whole key.
    expect(written.ResultWriterDetails.Key).toBe("runs/r/phase-1/results/run-1/manifest.json");
    expect(await store.get(written.ResultWriterDetails)).toMatchObject({
      ResultFiles: {
        SUCCEEDED: [{ Key: "runs/r/phase-1/results/run-1/SUCCEEDED_0.json" }],
        FAILED: [{ Key: "runs/r/phase-1/results/run-1/FAILED_0.json" }],
        PENDING: [],
      },
    });
    const results = await loadPhaseResults(written, store);
    expect(results).toEqual([
      { actionId: "a1", status: "succeeded", error: null, pending: [] },
      { actionId: "a2", status: "failed", error: { Error: "States.Timeout", Cause: "late" }, pending: [] },
    ]);
    await expect(loadPhaseResults(written, undefined)).rejects.toThrow(/no run store/);
  });

  it("reads the documents a Step Functions ResultWriter writes, as AWS writes them", async () => {
    const store = createMemoryRunStore("runs-bucket");
    const folder = "team/runs/r/phase-1/results/0c17ffd6-e8ad-44c0-a65b-a8b721007241";
    const child = (id: string) => ({
      ExecutionArn: `arn:aws:states:eu-west-1:123456789012:execution:sm/RunStoredActions:${id}`,
      Input: JSON.stringify({ action: { id } }),
      InputDetails: { Included: true },
      Name: id,
      RedriveCount: 0,
      StartDate: "2026-11-28T12:00:00.000Z",
      StateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:sm/RunStoredActions",
      StopDate: "2026-11-28T12:00:01.000Z",
    });
    const output = (id: string) =>
      JSON.stringify({ actionId: id, status: "succeeded", error: null, pending: [] });
    await store.put(`${folder}/SUCCEEDED_0.json`, [
      { ...child("a1"), Output: output("a1"), OutputDetails: { Included: true }, Status: "SUCCEEDED" },
    ]);
    await store.put(`${folder}/SUCCEEDED_1.json`, [
      { ...child("a2"), Output: output("a2"), OutputDetails: { Included: true }, Status: "SUCCEEDED" },
    ]);
    await store.put(`${folder}/FAILED_0.json`, [
      { ...child("a3"), Status: "TIMED_OUT", Error: "States.Timeout", Cause: "no answer" },
    ]);
    const manifest = await store.put(`${folder}/manifest.json`, {
      DestinationBucket: "runs-bucket",
      MapRunArn: "arn:aws:states:eu-west-1:123456789012:mapRun:sm/RunStoredActions:0c17ffd6",
      ResultFiles: {
        FAILED: [{ Key: `${folder}/FAILED_0.json`, Size: 400 }],
        PENDING: [],
        SUCCEEDED: [
          { Key: `${folder}/SUCCEEDED_0.json`, Size: 500 },
          { Key: `${folder}/SUCCEEDED_1.json`, Size: 500 },
        ],
      },
    });
    // The Map's output: the map run and where its manifest is.
    const mapOutput = { MapRunArn: "arn:aws:states:…", ResultWriterDetails: manifest };
    expect((await loadPhaseResults(mapOutput, store)).map((r) => [r.actionId, r.status])).toEqual([
      ["a1", "succeeded"],
      ["a2", "succeeded"],
      ["a3", "failed"],
    ]);
  });
});

describe("RunStoredActions in the definition", () => {
  it("runs RunActions' own states (each name prefixed Stored) as a Distributed Map", () => {
    const states = workflowDefinition().States;
    const inline = states.RunActions?.ItemProcessor;
    const stored = states.RunStoredActions?.ItemProcessor;
    if (!inline || !stored)
      throw new Error("RunActions and RunStoredActions must both have an ItemProcessor");
    const prefixed = JSON.parse(
      JSON.stringify(inline.States).replace(
        new RegExp(`"(Next|Default)":"(${Object.keys(inline.States).join("|")})"`, "g"),
        `"$1":"${STORED_STATE_PREFIX}$2"`,
      ),
    ) as Record<string, unknown>;
    const expected = Object.fromEntries(
      Object.entries(prefixed).map(([k, v]) => [`${STORED_STATE_PREFIX}${k}`, v]),
    );
    expect(
      stored.States,
      "copy RunActions' ItemProcessor into RunStoredActions, prefixing every state name with Stored",
    ).toEqual(expected);
    expect(stored.StartAt).toBe(`${STORED_STATE_PREFIX}${inline.StartAt}`);
    expect(stored.ProcessorConfig).toEqual({ Mode: "DISTRIBUTED", ExecutionType: "STANDARD" });
    const map = states.RunStoredActions;
    expect(map?.ItemReader).toMatchObject({ Parameters: { "Bucket.$": "$.cursor.phase.items.Bucket" } });
    expect(map?.ResultWriter).toMatchObject({ Parameters: { "Prefix.$": "$.cursor.phase.resultPrefix" } });
    expect(map?.MaxConcurrency).toBe(states.RunActions?.MaxConcurrency);
    expect(map?.ResultPath).toBe(states.RunActions?.ResultPath);
    expect(map?.Next).toBe(states.RunActions?.Next);
  });

  it("routes the phases of a stored plan, and only those, to RunStoredActions", () => {
    const states = workflowDefinition().States;
    expect(JSON.stringify(states.Route)).toContain(
      '{"Variable":"$.plan.stored","IsPresent":true,"Next":"NextStoredPhase"}',
    );
    expect(JSON.stringify(states.PhaseSettled)).toContain('"Next":"NextStoredPhase"');
    expect(states.NextStoredPhase?.Next).toBe("RunStoredActions");
    expect(states.NextPhase?.Next).toBe("RunActions");
  });
});
