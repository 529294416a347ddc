/**
 * The template and the workflow definition match one to one: every `${…}` of the definition is a
 * DefinitionSubstitution and the other way round, every function placeholder names a function
 * of the template built from the matching Lambda entry (by `npm run build`'s own bundler, through
 * infra-sam/functions/Makefile), and every Task's Retry/Catch names errors its function's code really throws.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import {
  ACTION_FAMILY,
  actionTypesOf,
  EXECUTE_ACTION_STATES,
  FAMILIES,
  FAMILY_TASKS,
} from "../../src/statemachine/action-families";
import {
  type AslState,
  DEFINITION_SUBSTITUTIONS,
  listStates,
  TASK_RESOURCE_PLACEHOLDERS,
  workflowDefinition,
} from "../../src/statemachine/definition";
import { asList, importClosure, loadTemplate, type Resource, ROOT, resourcesOfType } from "./template";

const template = loadTemplate();
const machine = template.Resources.StateMachine as Resource;
const props = machine.Properties as {
  DefinitionUri: string;
  DefinitionSubstitutions: Record<string, unknown>;
  Type: string;
  Events: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};
const functions = resourcesOfType(template, "AWS::Serverless::Function");
const definitionText = readFileSync(join(ROOT, "src/statemachine/definition.asl.json"), "utf8");

/** `PlanFunction` → `plan`, `ExecuteMountTargetActionFunction` → `execute-mount-target-action`. */
function kebab(logicalId: string): string {
  return logicalId
    .replace(/Function$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase();
}

interface BuildList {
  build: {
    minify: boolean;
    sourcemap: boolean;
    target: string;
    format: string;
    mainFields: string[];
    external: string[];
    banner: string;
  };
  handlers: { name: string; entry: string; outfile: string }[];
}

const buildList = JSON.parse(
  execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs"), "--list-handlers"], { encoding: "utf8" }),
) as BuildList;

/** The Lambda service errors a Task may retry on (they carry the `Lambda.` prefix). */
const LAMBDA_SERVICE_ERRORS = new Set([
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
  "Lambda.Unknown",
]);

/** `States.*` errors Step Functions defines. */
const STATES_ERRORS = new Set([
  "States.ALL",
  "States.Timeout",
  "States.TaskFailed",
  "States.Permissions",
  "States.Runtime",
  "States.HeartbeatTimeout",
]);

describe("template ↔ definition", () => {
  it("deploys one Standard state machine from the definition file", () => {
    expect(resourcesOfType(template, "AWS::Serverless::StateMachine").map(([id]) => id)).toEqual([
      "StateMachine",
    ]);
    expect(props.Type).toBe("STANDARD");
    expect(existsSync(join(ROOT, "infra-sam", props.DefinitionUri))).toBe(true);
    expect(join(ROOT, "infra-sam", props.DefinitionUri)).toBe(
      join(ROOT, "src/statemachine/definition.asl.json"),
    );
  });

  it("substitutes exactly the definition's placeholders, one to one", () => {
    const used = new Set([...definitionText.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
    expect(Object.keys(props.DefinitionSubstitutions).sort()).toEqual([...used].sort());
    expect([...used].sort()).toEqual([...DEFINITION_SUBSTITUTIONS].sort());
    expect(props.DefinitionSubstitutions.MaxChanges).toEqual({ Ref: "MaxChanges" });
  });

  it("points each function placeholder at its own function, and every function is used once", () => {
    const placeholders = Object.keys(TASK_RESOURCE_PLACEHOLDERS);
    const targets = placeholders.map((p) => props.DefinitionSubstitutions[p]);
    expect(targets).toEqual(placeholders.map((p) => ({ "Fn::GetAtt": [p.replace(/Arn$/, ""), "Arn"] })));
    expect(placeholders.map((p) => p.replace(/Arn$/, "")).sort()).toEqual(functions.map(([id]) => id).sort());
  });

  it("runs on a schedule whose input is the scheduled mode, with the parameters the issue asks for", () => {
    const schedule = Object.values(props.Events).find((e) => e.Type.startsWith("Schedule"));
    expect(schedule?.Properties.ScheduleExpression).toEqual({ Ref: "ScheduleExpression" });
    expect(schedule?.Properties.Input).toEqual({ "Fn::Sub": `{"mode": "\${ScheduleMode}"}` });
    expect(template.Parameters.ScheduleExpression?.Default).toBe("rate(1 hour)");
    expect(template.Parameters.ScheduleMode?.AllowedValues).toEqual(["apply", "dry-run"]);
    expect(template.Parameters.MaxChanges?.Default).toBe(25);
  });

  it("builds every function from its Lambda entry with the project's bundler (infra-sam/functions/Makefile)", () => {
    const globals = template.Globals.Function;
    expect(globals.Runtime).toBe("nodejs22.x");
    expect(globals.Architectures).toEqual(["arm64"]);
    expect(globals.CodeUri).toBe("functions/");
    const makefile = readFileSync(join(ROOT, "infra-sam/functions/Makefile"), "utf8");
    expect(makefile).toMatch(
      /^BUILD := node "\$\(ROOT\)\/scripts\/build\.mjs" --artifacts-dir "\$\(ARTIFACTS_DIR\)" --handler$/m,
    );
    const targets = [...makefile.matchAll(/^build-([A-Za-z]+):\n\t\$\(BUILD\) ([a-z-]+)$/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(targets.map(([id]) => id).sort()).toEqual(functions.map(([id]) => id).sort());
    for (const [id, fn] of functions) {
      const name = kebab(id);
      const p = fn.Properties as { Handler: string; LoggingConfig: { LogFormat: string; LogGroup: unknown } };
      const entry = `src/statemachine/lambda/${name}.ts`;
      expect(fn.Metadata, id).toEqual({ BuildMethod: "makefile" });
      expect(targets.find(([target]) => target === id)?.[1], id).toBe(name);
      expect(buildList.handlers.find((h) => h.name === name)?.entry, id).toBe(entry);
      expect(p.Handler, id).toBe(`${name}.handler`);
      expect(readFileSync(join(ROOT, entry), "utf8"), id).toMatch(/\bhandler\b/);
      expect(p.LoggingConfig.LogFormat, id).toBe("JSON");
      const group = template.Resources[(p.LoggingConfig.LogGroup as { Ref: string }).Ref];
      expect(group?.Type, id).toBe("AWS::Logs::LogGroup");
      expect(group?.Properties?.RetentionInDays, id).toEqual({ Ref: "LogRetentionInDays" });
    }
    expect(buildList.build).toMatchObject({ minify: true, sourcemap: true, target: "node22", external: [] });
    expect(buildList.handlers.map((h) => h.entry).sort()).toEqual(
      functions.map(([id]) => `src/statemachine/lambda/${kebab(id)}.ts`).sort(),
    );
  });

  it("a Makefile target writes the module its Handler names, with its source map", async () => {
    const artifacts = mkdtempSync(join(tmpdir(), "efsr-sam-artifacts-"));
    try {
      execFileSync(
        "make",
        [
          "--makefile",
          join(ROOT, "infra-sam/functions/Makefile"),
          "build-ExecuteSecurityGroupActionFunction",
        ],
        { cwd: artifacts, env: { ...process.env, ARTIFACTS_DIR: artifacts }, stdio: "pipe" },
      );
      expect(readdirSync(artifacts).sort()).toEqual([
        "execute-security-group-action.mjs",
        "execute-security-group-action.mjs.map",
      ]);
      const loaded = execFileSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const m = await import(${JSON.stringify(pathToFileURL(join(artifacts, "execute-security-group-action.mjs")).href)}); process.stdout.write(typeof m.handler);`,
        ],
        { encoding: "utf8" },
      );
      expect(loaded).toBe("function");
    } finally {
      rmSync(artifacts, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("reconciler families", () => {
  const states = listStates(workflowDefinition());
  const route = states.find((s) => s.name === "RouteAction")?.state as AslState & {
    Choices: { Or: { Variable: string; StringEquals: string }[]; Next: string }[];
    Default: string;
  };

  it("routes every action type to the Task state of its family, and nothing else", () => {
    const routed = route.Choices.map((c) => ({
      next: c.Next,
      types: c.Or.map((r) => {
        expect(r.Variable).toBe("$.action.type");
        return r.StringEquals;
      }),
    }));
    expect(routed).toEqual(FAMILIES.map((f) => ({ next: FAMILY_TASKS[f].state, types: actionTypesOf(f) })));
    expect(route.Default).toBe("UnknownActionType");
  });

  it("gives each family's Task state the family's function", () => {
    for (const family of FAMILIES) {
      const { state, placeholder } = FAMILY_TASKS[family];
      expect(states.find((s) => s.name === state)?.state.Resource).toBe(`\${${placeholder}}`);
    }
  });

  it("deploys each family's entry with the reconciler that handles exactly the family's action types", () => {
    for (const family of FAMILIES) {
      const name = kebab(FAMILY_TASKS[family].placeholder.replace(/Arn$/, ""));
      const entry = readFileSync(join(ROOT, `src/statemachine/lambda/${name}.ts`), "utf8");
      const module = /from "\.\.\/\.\.\/reconcilers\/([a-z-]+)"/.exec(entry)?.[1];
      expect(module, name).toBeDefined();
      const reconciler = readFileSync(join(ROOT, `src/reconcilers/${module}.ts`), "utf8");
      const dispatcher = reconciler.slice(reconciler.lastIndexOf("switch (action.type)"));
      const handled = [...dispatcher.matchAll(/case "([A-Za-z]+)":/g)].map((m) => m[1]);
      expect(handled.sort(), name).toEqual(actionTypesOf(family).sort());
    }
    expect(Object.keys(ACTION_FAMILY).length).toBe(FAMILIES.flatMap((f) => actionTypesOf(f)).length);
  });
});

describe("Retry and Catch", () => {
  const taskStates = listStates(workflowDefinition()).filter(({ state }) => state.Type === "Task");

  /** Error classes the code reachable from a function's entry declares (with `name`) and throws. */
  function thrownErrors(entry: string): Set<string> {
    const sources = importClosure(join(ROOT, entry)).map((file) => readFileSync(file, "utf8"));
    const declared = new Set<string>();
    for (const source of sources) {
      for (const m of source.matchAll(/class (\w+Error) extends \w*Error \{\s*override name = "(\w+)"/g)) {
        if (m[1] === m[2]) declared.add(m[1] ?? "");
      }
    }
    const thrown = new Set<string>();
    for (const source of sources) {
      for (const m of source.matchAll(/\bnew (\w+Error)\(/g)) {
        if (declared.has(m[1] ?? "")) thrown.add(m[1] ?? "");
      }
    }
    return thrown;
  }

  function entryOf(placeholder: string): string {
    return `src/statemachine/lambda/${kebab(placeholder.replace(/Arn$/, ""))}.ts`;
  }

  it("names only errors Step Functions, Lambda, or the function behind the Task really throws", () => {
    const unknown: string[] = [];
    let named = 0;
    for (const { name, state } of taskStates) {
      const placeholder = /^\$\{(\w+)\}$/.exec(state.Resource ?? "")?.[1] ?? "";
      const thrown = thrownErrors(entryOf(placeholder));
      for (const error of [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((r) => r.ErrorEquals)) {
        named++;
        if (STATES_ERRORS.has(error) || LAMBDA_SERVICE_ERRORS.has(error) || thrown.has(error)) continue;
        unknown.push(`${name}: ${error}`);
      }
    }
    expect(named).toBeGreaterThan(taskStates.length);
    expect(unknown).toEqual([]);
  });

  it("retries RetryableReconcileError where actions run, and the code of those functions throws it", () => {
    for (const stateName of EXECUTE_ACTION_STATES) {
      const state = taskStates.find((s) => s.name === stateName)?.state;
      const retried = asList(state?.Retry).flatMap((r) => r.ErrorEquals);
      expect(retried, stateName).toContain("RetryableReconcileError");
      const placeholder = /^\$\{(\w+)\}$/.exec(state?.Resource ?? "")?.[1] ?? "";
      expect(thrownErrors(entryOf(placeholder)), stateName).toContain("RetryableReconcileError");
    }
  });

  it("the check can fail: an error no code throws is reported", () => {
    const thrown = thrownErrors(entryOf("PlanFunctionArn"));
    expect(thrown.has("NoSuchReconcileError")).toBe(false);
    expect(thrown.has("WorkflowInputError")).toBe(true);
  });
});
