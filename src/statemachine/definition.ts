/**
 * The remediation workflow's Amazon States Language definition (definition.asl.json) and what
 * deployments and the local engine need to know about it: its `${...}` substitutions and which
 * task function each Task state runs.
 */
import rawDefinition from "./definition.asl.json";
import type { TaskName } from "./workflow-types";

/** A state as far as this module reads it. */
export interface AslState {
  Type: string;
  Resource?: string;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  ItemProcessor?: AslMachine;
  Iterator?: AslMachine;
  Branches?: AslMachine[];
  [field: string]: unknown;
}

export interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
  [field: string]: unknown;
}

/**
 * Each Task resource placeholder and the task function it stands for. Actions run in one function
 * per reconciler family (see action-families.ts), all of them the `executeAction` task.
 */
export const TASK_RESOURCE_PLACEHOLDERS = {
  TakeLeaseFunctionArn: "takeLease",
  ObserveSourcesFunctionArn: "observeSources",
  ObserveNetworkFunctionArn: "observeNetwork",
  ObserveChecklistFunctionArn: "observeChecklist",
  PlanFunctionArn: "plan",
  RecordFunctionArn: "record",
  ExecuteMountTargetActionFunctionArn: "executeAction",
  ExecuteSecurityGroupActionFunctionArn: "executeAction",
  ExecuteAccessPointActionFunctionArn: "executeAction",
  ExecuteFileSystemActionFunctionArn: "executeAction",
  ExecuteFunctionActionFunctionArn: "executeAction",
  CheckPendingFunctionArn: "checkPending",
  VerifyFunctionArn: "verify",
} as const satisfies Record<string, TaskName>;

/** Every `${Name}` the definition uses: a deployment's DefinitionSubstitutions must set each one. */
export const DEFINITION_SUBSTITUTIONS = [...Object.keys(TASK_RESOURCE_PLACEHOLDERS), "MaxChanges"] as const;

export type SubstitutionName = (typeof DEFINITION_SUBSTITUTIONS)[number];

/** Names of the Fail states' errors: what a caller of the workflow distinguishes. */
export const WORKFLOW_ERRORS = {
  /** More actions than maxChanges: nothing was changed. */
  maxChangesExceeded: "MaxChangesExceeded",
  /** An action failed, or auto-remediable drift remains after the run. */
  remediationIncomplete: "RemediationIncomplete",
} as const;

/** The definition as written, placeholders included (a fresh copy). */
export function workflowDefinition(): AslMachine {
  return structuredClone(rawDefinition) as AslMachine;
}

/** Every state of a machine, nested Map/Parallel machines included, with its name. */
export function listStates(machine: AslMachine): { name: string; state: AslState }[] {
  const out: { name: string; state: AslState }[] = [];
  for (const [name, state] of Object.entries(machine.States)) {
    out.push({ name, state });
    const nested = [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])];
    for (const inner of nested) {
      if (inner) out.push(...listStates(inner));
    }
  }
  return out;
}

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/** The definition with every `${Name}` replaced, as CloudFormation's DefinitionSubstitutions do. */
export function substituteDefinition(
  machine: AslMachine,
  values: Record<SubstitutionName, string>,
): AslMachine {
  const text = JSON.stringify(machine).replace(PLACEHOLDER, (_match, name: string) => {
    const value = (values as Record<string, string | undefined>)[name];
    if (value === undefined) {
      throw new UnknownSubstitutionError(name);
    }
    return JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(text) as AslMachine;
}

/** Task state name → the task function its Resource placeholder names. */
export function taskStates(machine: AslMachine): Record<string, TaskName> {
  const out: Record<string, TaskName> = {};
  for (const { name, state } of listStates(machine)) {
    if (state.Type !== "Task") continue;
    const placeholder = /^\$\{([A-Za-z0-9_]+)\}$/.exec(state.Resource ?? "")?.[1];
    const task = (TASK_RESOURCE_PLACEHOLDERS as Record<string, TaskName | undefined>)[placeholder ?? ""];
    if (!task) {
      throw new UnknownTaskResourceError(name, state.Resource);
    }
    out[name] = task;
  }
  return out;
}

export class UnknownSubstitutionError extends Error {
  override name = "UnknownSubstitutionError";
  constructor(placeholder: string) {
    super(
      `the workflow definition uses \${${placeholder}}, which has no value: add it to DEFINITION_SUBSTITUTIONS and to the deployment's DefinitionSubstitutions`,
    );
  }
}

export class UnknownTaskResourceError extends Error {
  override name = "UnknownTaskResourceError";
  constructor(stateName: string, resource: string | undefined) {
    super(
      `Task state ${stateName} has Resource ${String(resource)}: use one of ${Object.keys(
        TASK_RESOURCE_PLACEHOLDERS,
      )
        .map((p) => `\${${p}}`)
        .join(", ")}`,
    );
  }
}
