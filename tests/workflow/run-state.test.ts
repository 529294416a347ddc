/**
 * Bookkeeping between the workflow's states: phase results, pending checks, giving up, error
 * lines and the apply report. Pure.
 */
import { describe, expect, it } from "vitest";
import type { Action } from "../../src/plan/types";
import { describeActionError } from "../../src/statemachine/action-error";
import { buildApplyReport, incompleteCause, NOT_ATTEMPTED } from "../../src/statemachine/apply-report";
import { groupPhases, holdsLaterPhases } from "../../src/statemachine/phases";
import {
  addPhaseResults,
  applyCheck,
  emptyRun,
  giveUpWaiting,
  resourcesToCheck,
} from "../../src/statemachine/run-state";
import type { RunState } from "../../src/statemachine/workflow-types";
import { action, drift, plan, settingAction } from "./fake-world";

const mt = (id: string) => ({ type: "mountTarget" as const, fileSystemId: "fs-1", mountTargetId: id });
const fn = (name: string) => ({ type: "function" as const, functionName: name });

/** A function's configuration change; by default its timeout, a setting no later change builds on. */
function timeoutAction(
  id: string,
  functionName: string,
  change: Omit<Extract<Action, { type: "UpdateFunctionConfiguration" }>["params"], "functionName"> = {
    timeout: 60,
  },
): Action {
  return {
    id,
    phase: 1,
    driftIds: [`drift-${id}`],
    resource: { type: "AWS::Lambda::Function", id: functionName },
    description: `action ${id}`,
    type: "UpdateFunctionConfiguration",
    params: { functionName, ...change },
  };
}

/** a1 and a2 made mount targets (later phases build on them), a3 changed a function's timeout. */
function waiting(): RunState {
  return addPhaseResults(
    emptyRun(),
    [
      { actionId: "a1", status: "succeeded", error: null, pending: [mt("fsmt-1")] },
      { actionId: "a2", status: "succeeded", error: null, pending: [mt("fsmt-12")] },
      { actionId: "a3", status: "succeeded", error: null, pending: [fn("search")] },
    ],
    [action("a1", 1), action("a2", 1), timeoutAction("a3", "search")],
  );
}

describe("run state", () => {
  it("adds a phase's results and waits for what they left pending, not for failed actions' resources", () => {
    const run = addPhaseResults(
      emptyRun(),
      [
        { actionId: "a1", status: "succeeded", error: null, message: "created", pending: [mt("fsmt-1")] },
        {
          actionId: "a2",
          status: "failed",
          error: { Error: "TerminalReconcileError", Cause: "no" },
          pending: [fn("x")],
        },
        { actionId: "a3", status: "skipped", error: null, pending: [] },
      ],
      [action("a1", 1), action("a2", 1), action("a3", 1)],
    );
    expect(run).toEqual({
      results: [
        { actionId: "a1", status: "succeeded", error: null },
        { actionId: "a2", status: "failed", error: "TerminalReconcileError: no" },
        { actionId: "a3", status: "skipped", error: null },
      ],
      pending: [{ actionId: "a1", resource: mt("fsmt-1"), holdsLaterPhases: true }],
      polls: 0,
      holding: ["a2"],
    });
  });

  it("holds the later phases back for a failed action they build on, not for a failed setting", () => {
    const results = (ids: string[]) =>
      ids.map((actionId) => ({ actionId, status: "failed" as const, error: "denied", pending: [] }));
    const settings = [settingAction("s1"), timeoutAction("s2", "search")];
    expect(addPhaseResults(emptyRun(), results(["s1", "s2"]), settings).holding).toEqual([]);
    const mixed = addPhaseResults(emptyRun(), results(["s1", "a1"]), [...settings, action("a1", 1)]);
    expect(mixed.holding).toEqual(["a1"]);
    expect(mixed.results.map((r) => r.status)).toEqual(["failed", "failed"]);
    // A result of an action the phase does not list holds them back (never assume it safe).
    expect(addPhaseResults(emptyRun(), results(["x1"]), settings).holding).toEqual(["x1"]);
    // Across phases: what an earlier phase held stays held.
    expect(addPhaseResults(mixed, results(["s1"]), settings).holding).toEqual(["a1"]);
  });

  it("classifies actions: settings fail alone, what later phases build on holds them back", () => {
    const vpcMove = timeoutAction("m1", "search", {
      timeout: 60,
      vpcConfig: { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] },
    });
    expect(holdsLaterPhases(settingAction("s1"))).toBe(false);
    expect(holdsLaterPhases(timeoutAction("s2", "search"))).toBe(false);
    expect(holdsLaterPhases(vpcMove)).toBe(true);
    expect(holdsLaterPhases(action("a1", 1))).toBe(true);
    expect(holdsLaterPhases(action("b1", 2))).toBe(true);
    expect(holdsLaterPhases(timeoutAction("l1", "search", { logFormat: "JSON" }))).toBe(false);
  });

  it("checks each resource once even when several actions wait for it", () => {
    const run = addPhaseResults(
      emptyRun(),
      [
        { actionId: "a1", status: "succeeded", error: null, pending: [fn("search")] },
        { actionId: "a2", status: "succeeded", error: null, pending: [fn("search")] },
      ],
      [],
    );
    expect(resourcesToCheck(run)).toEqual([fn("search")]);
  });

  it("keeps what is still pending and drops what became ready", () => {
    const next = applyCheck(waiting(), { ready: false, pending: [fn("search")], failed: [] });
    expect(next.pending).toEqual([{ actionId: "a3", resource: fn("search"), holdsLaterPhases: false }]);
    expect(next.holding).toEqual([]);
  });

  it("fails the action whose resource a failure line names, matching whole ids only", () => {
    const next = applyCheck(waiting(), {
      ready: false,
      pending: [],
      failed: ["mount target fsmt-12 of fs-1 is deleted; re-run apply"],
    });
    expect(next.results.map((r) => r.status)).toEqual(["succeeded", "failed", "succeeded"]);
    expect(next.results[1]?.error).toBe(
      "mount target fsmt-12 of fs-1 did not become ready: mount target fsmt-12 of fs-1 is deleted; re-run apply",
    );
    expect(next.holding).toEqual(["a2"]);
    expect(next.pending).toEqual([]);
  });

  it("a failure line naming no resource fails every action whose resource left the pending set", () => {
    const next = applyCheck(waiting(), {
      ready: false,
      pending: [mt("fsmt-1")],
      failed: ["something broke"],
    });
    expect(next.results.map((r) => r.status)).toEqual(["succeeded", "failed", "failed"]);
    expect(next.pending).toEqual([{ actionId: "a1", resource: mt("fsmt-1"), holdsLaterPhases: true }]);
    // a2's mount target holds the later phases back; a3's timeout change does not.
    expect(next.holding).toEqual(["a2"]);
  });

  it("giving up fails every action still waiting, with what to do", () => {
    const run = {
      ...applyCheck(waiting(), { ready: false, pending: [fn("search")], failed: [] }),
      polls: 40,
    };
    const next = giveUpWaiting(run);
    expect(next.pending).toEqual([]);
    expect(next.results[2]).toEqual({
      actionId: "a3",
      status: "failed",
      error: "function search was still not ready after 40 checks; re-run apply once it is available",
    });
    // A timeout change that never settled fails alone.
    expect(next.holding).toEqual([]);
    const mountTargets = giveUpWaiting({
      ...applyCheck(waiting(), { ready: false, pending: [mt("fsmt-1"), mt("fsmt-12")], failed: [] }),
      polls: 40,
    });
    expect(mountTargets.results.map((r) => r.status)).toEqual(["failed", "failed", "succeeded"]);
    expect(mountTargets.holding).toEqual(["a1", "a2"]);
  });
});

describe("action error lines", () => {
  it.each([
    [null, null],
    ["plain", "plain"],
    [{ Error: "TerminalReconcileError", Cause: "bad sg" }, "TerminalReconcileError: bad sg"],
    [
      {
        Error: "TerminalReconcileError",
        Cause: JSON.stringify({
          errorType: "TerminalReconcileError",
          errorMessage: "bad sg",
          trace: ["at x"],
        }),
      },
      "TerminalReconcileError: bad sg",
    ],
    [{ Error: "States.Timeout" }, "States.Timeout"],
    [{ Error: "X", Cause: "X: already prefixed" }, "X: already prefixed"],
  ])("%j → %j", (error, line) => {
    expect(describeActionError(error)).toBe(line);
  });
});

describe("phases and the apply report", () => {
  it("groups the non-empty phases in order, keeping plan order inside a phase", () => {
    const actions = [action("c1", 3), action("a1", 1), action("c2", 3), action("a2", 1)];
    expect(groupPhases(actions).map((b) => [b.phase, b.actions.map((a) => a.id)])).toEqual([
      [1, ["a1", "a2"]],
      [3, ["c1", "c2"]],
    ]);
    expect(groupPhases([])).toEqual([]);
  });

  it("orders results as the plan's actions and marks the unattempted ones", () => {
    const p = plan("apply", [action("a1", 1), action("b1", 2)], [drift("d1")]);
    const report = buildApplyReport(p, [{ actionId: "a1", status: "failed", error: "boom" }], []);
    expect(report.results).toEqual([
      { actionId: "a1", status: "failed", error: "boom" },
      { actionId: "b1", status: "skipped", error: NOT_ATTEMPTED },
    ]);
    expect(report.actions).toBe(p.actions);
    expect(report.remaining).toEqual([]);
  });

  it("summarises failures and remaining auto drift, listing at most five of each", () => {
    const actions = ["1", "2", "3", "4", "5", "6", "7"].map((i) => action(`a${i}`, 1));
    const p = plan("apply", actions, []);
    const failed = actions.map((a) => ({ actionId: a.id, status: "failed" as const, error: "boom" }));
    const cause = incompleteCause(buildApplyReport(p, failed, [drift("x"), drift("m", "manual")]));
    expect(cause).toContain("7 of 7 actions failed: AuthorizeIngress sg-a1 (boom);");
    expect(cause).toContain("; and 2 more");
    expect(cause).toContain("1 auto-remediable drift item remains: SG_INGRESS_MISSING sg-x.");
    expect(cause).not.toContain("sg-m");
    expect(cause).toMatch(/re-run apply/);
  });
});
