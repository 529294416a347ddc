/**
 * Static checks of the workflow definition: valid ASL (asl-validator, as `sam deploy` would need
 * it), JSONPath only, error names the tasks really throw, substitutions a deployment must set.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { RECONCILE_ERROR_NAMES } from "../../src/reconcilers/errors";
import { EXECUTE_ACTION_STATES } from "../../src/statemachine/action-families";
import {
  type AslMachine,
  DEFINITION_SUBSTITUTIONS,
  listStates,
  substituteDefinition,
  TASK_RESOURCE_PLACEHOLDERS,
  taskStates,
  UnknownSubstitutionError,
  workflowDefinition,
} from "../../src/statemachine/definition";
import { localSubstitutions, localTimingOverrides } from "../../src/statemachine/local-engine";
import { TASK_ERROR_NAMES } from "../../src/statemachine/tasks";

interface ValidationResult {
  isValid: boolean;
  errorsText: (separator?: string) => string;
}
type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => ValidationResult;

const validate = createRequire(import.meta.url)("asl-validator") as AslValidator;
const FILE = new URL("../../src/statemachine/definition.asl.json", import.meta.url);
const text = readFileSync(FILE, "utf8");

function validated(definition: AslMachine): ValidationResult {
  // The validator annotates the object it checks: give it a copy.
  return validate(structuredClone(definition), { checkPaths: true, checkArn: true });
}

describe("workflow definition", () => {
  it("is valid Amazon States Language as written, placeholders included", () => {
    const result = validated(workflowDefinition());
    expect(result.errorsText("\n")).toBe("");
    expect(result.isValid).toBe(true);
  });

  it("is valid after the local substitutions", () => {
    expect(validated(substituteDefinition(workflowDefinition(), localSubstitutions(25))).isValid).toBe(true);
  });

  it("the validator rejects a broken copy (the check above can fail)", () => {
    const broken = workflowDefinition();
    const route = broken.States.Route as { Default?: string };
    route.Default = "NoSuchState";
    expect(validated(broken).isValid).toBe(false);
  });

  it("uses JSONPath only (the local engine ignores JSONata)", () => {
    expect(text).not.toContain("QueryLanguage");
    expect(text).not.toContain("{%");
    expect(text).not.toMatch(/"(Arguments|Output|Assign)"\s*:/);
  });

  it("matches only error names that are States.*, Lambda.*, or thrown by the reconcilers or the tasks", () => {
    const known = new Set<string>([...RECONCILE_ERROR_NAMES, ...TASK_ERROR_NAMES]);
    const names = listStates(workflowDefinition()).flatMap(({ state }) =>
      [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((r) => r.ErrorEquals),
    );
    expect(names.length).toBeGreaterThan(0);
    const unknown = names.filter(
      (n) => !n.startsWith("States.") && !n.startsWith("Lambda.") && !known.has(n),
    );
    expect(unknown).toEqual([]);
  });

  it("retries RetryableReconcileError on every family's action state, never TerminalReconcileError, and catches everything", () => {
    const states = listStates(workflowDefinition());
    expect(EXECUTE_ACTION_STATES.size).toBe(5);
    for (const name of EXECUTE_ACTION_STATES) {
      const execute = states.find((s) => s.name === name)?.state;
      const retried = (execute?.Retry ?? []).flatMap((r) => r.ErrorEquals);
      expect(retried, name).toContain("RetryableReconcileError");
      expect(retried).not.toContain("TerminalReconcileError");
      expect(retried).not.toContain("States.ALL");
      for (const r of execute?.Retry ?? [])
        expect((r as { MaxAttempts?: number }).MaxAttempts).toBeGreaterThan(0);
      expect(execute?.Catch).toEqual([
        { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "ActionFailed" },
      ]);
    }
  });

  it("uses exactly the substitutions a deployment must set", () => {
    const used = new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual([...DEFINITION_SUBSTITUTIONS].sort());
  });

  it("maps every Task state to one of the nine task functions, each used", () => {
    const tasks = taskStates(workflowDefinition());
    expect(tasks).toEqual({
      TakeLease: "takeLease",
      ObserveSources: "observeSources",
      ObserveNetwork: "observeNetwork",
      ObserveChecklist: "observeChecklist",
      ObserveSourcesAgain: "observeSources",
      ObserveNetworkAgain: "observeNetwork",
      ObserveChecklistAgain: "observeChecklist",
      Plan: "plan",
      RecordPlan: "record",
      RecordRefusal: "record",
      ExecuteMountTargetAction: "executeAction",
      ExecuteSecurityGroupAction: "executeAction",
      ExecuteAccessPointAction: "executeAction",
      ExecuteFileSystemAction: "executeAction",
      ExecuteFunctionAction: "executeAction",
      StoredExecuteMountTargetAction: "executeAction",
      StoredExecuteSecurityGroupAction: "executeAction",
      StoredExecuteAccessPointAction: "executeAction",
      StoredExecuteFileSystemAction: "executeAction",
      StoredExecuteFunctionAction: "executeAction",
      SettlePhase: "checkPending",
      PollPending: "checkPending",
      GiveUpWaiting: "checkPending",
      Verify: "verify",
      RecordOutcome: "record",
      RecordStoppedRun: "record",
    });
    expect(new Set(Object.values(tasks))).toEqual(new Set(Object.values(TASK_RESOURCE_PLACEHOLDERS)));
  });

  it("gives every Task state a timeout (the local engine's default is 60 s)", () => {
    const tasks = listStates(workflowDefinition()).filter(({ state }) => state.Type === "Task");
    // Taking the lease is a few DynamoDB calls; every other task may observe or change a fleet.
    for (const { name, state } of tasks)
      expect(state.TimeoutSeconds, name).toBe(name === "TakeLease" ? 60 : 900);
  });

  it("waits 15 s between checks of pending resources and stops after 40 checks (~10 min)", () => {
    const states = workflowDefinition().States;
    expect(states.WaitForResources?.Seconds).toBe(15);
    const settled = JSON.stringify(states.PhaseSettled);
    expect(settled).toContain('"NumericGreaterThanEquals":40');
  });

  it("keeps the definition's waits unless fastWaits is asked for", () => {
    const machine = workflowDefinition();
    expect(localTimingOverrides(machine, false)).toEqual({});
    const fast = localTimingOverrides(machine, true);
    expect(Object.keys(fast.waitTimeOverrides ?? {})).toEqual(["WaitForResources"]);
    expect(Object.keys(fast.retryIntervalOverrides ?? {})).toContain("ExecuteSecurityGroupAction");
  });

  it("substitutes values as JSON strings and refuses an unknown placeholder", () => {
    const machine = substituteDefinition(workflowDefinition(), localSubstitutions(7));
    expect(machine.States.TakeLease?.Parameters).toEqual({
      "input.$": "$",
      defaultMaxChanges: "7",
      "execution.$": "$$.Execution.Id",
    });
    expect(machine.States.Plan?.Parameters).toEqual({
      "input.$": "$.input",
      defaultMaxChanges: "7",
      "observation.$": "$.observation",
    });
    expect(machine.States.Plan?.Resource).toMatch(/^arn:aws:lambda:/);
    const odd: AslMachine = {
      StartAt: "A",
      States: { A: { Type: "Pass", Result: ["$", "{Nope}"].join(""), End: true } },
    };
    expect(() => substituteDefinition(odd, localSubstitutions(1))).toThrow(UnknownSubstitutionError);
  });
});
