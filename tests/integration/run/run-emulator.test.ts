/**
 * `efs-reconciler run` over the wire against the emulator's Step Functions API: it starts a named
 * execution with the run id and mode as input (ListExecutions, DescribeExecution show it), follows
 * it with DescribeExecution until it ends, and renders real execution outputs and histories.
 *
 * Emulator quirks (see LOCAL-AWS.md): executions stay RUNNING unless
 * `{"stepfunctions": {"execute_state_machine": true}}` is set, and then only the first
 * StartExecution of each region runs — so each executing test uses a region of its own.
 */
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StopExecutionCommand,
} from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorRoleArn } from "../../../src/emulator/iam-role";
import type { Plan } from "../../../src/plan/types";
import { renderReport } from "../../../src/render/index";
import { unchangedReport } from "../../../src/statemachine/apply-report";
import { substituteDefinition, workflowDefinition } from "../../../src/statemachine/definition";
import { localSubstitutions } from "../../../src/statemachine/local-engine";
import { fullPlan } from "../../fixtures/plans";
import { emulatorEndpoint, resetEmulator } from "../../support/emulator";
import { runCli } from "../../unit/cli/run-cli";

const ENV = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
let endpoint: string;

async function setExecution(execute: boolean): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/config`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ stepfunctions: { execute_state_machine: execute } }),
  });
  expect(response.ok).toBe(true);
}

function sfnIn(region: string): SFNClient {
  return new SFNClient({ endpoint, region, maxAttempts: 1 });
}

async function createMachine(region: string, name: string, definition: unknown): Promise<string> {
  const sfn = sfnIn(region);
  try {
    const out = await sfn.send(
      new CreateStateMachineCommand({
        name,
        roleArn: emulatorRoleArn("efs-reconciler-states"),
        definition: JSON.stringify(definition),
      }),
    );
    return out.stateMachineArn ?? "";
  } finally {
    sfn.destroy();
  }
}

function args(region: string, arn: string, ...rest: string[]): string[] {
  return [
    "run",
    "--state-machine-arn",
    arn,
    "--region",
    region,
    "--endpoint-url",
    endpoint,
    "--poll-interval",
    "0.05",
    ...rest,
  ];
}

function runIdOf(stderr: string): string {
  const id = /started (?:apply|dry-run) run (\S+):/.exec(stderr)?.[1];
  expect(id).toBeDefined();
  return id ?? "";
}

beforeAll(async () => {
  await resetEmulator();
  endpoint = emulatorEndpoint();
});

afterAll(async () => {
  await setExecution(false);
});

describe("run against the emulator's Step Functions", () => {
  it("starts a named execution of the deployed definition with the mode and run id as input (--no-wait)", async () => {
    const definition = substituteDefinition(workflowDefinition(), localSubstitutions(25));
    const arn = await createMachine("us-east-1", "efs-reconciler-remediation", definition);
    const run = await runCli(args("us-east-1", arn, "--dry-run", "--no-wait"), { env: ENV });

    expect(run.code).toBe(0);
    const runId = runIdOf(run.stderr);
    const executionArn = run.stdout.trim();
    expect(executionArn).toBe(`${arn.replace(":stateMachine:", ":execution:")}:${runId}`);

    const sfn = sfnIn("us-east-1");
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    expect(listed.executions?.map((e) => e.name)).toEqual([runId]);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    sfn.destroy();
    expect(described.status).toBe("RUNNING");
    expect(JSON.parse(described.input ?? "{}")).toEqual({ mode: "dry-run", runId });
  });

  it("follows a running execution until it ends (stopped here): exit 1, says how it ended", async () => {
    const arn = await createMachine("us-east-1", "efs-reconciler-stopped", {
      StartAt: "Wait",
      States: { Wait: { Type: "Wait", Seconds: 600, End: true } },
    });
    const sfn = sfnIn("us-east-1");
    const running = runCli(args("us-east-1", arn), { env: ENV });
    let executionArn: string | undefined;
    for (let i = 0; i < 200 && !executionArn; i++) {
      const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
      executionArn = listed.executions?.[0]?.executionArn;
      if (!executionArn) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(executionArn).toBeDefined();
    await sfn.send(new StopExecutionCommand({ executionArn }));
    sfn.destroy();

    const run = await running;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/execution \S+ ended ABORTED after/);
    expect(run.stdout).toBe("");
  });

  it("renders the output of a succeeded execution like plan (emulator executing, its own region)", async () => {
    await setExecution(true);
    const region = "ap-southeast-2";
    const arn = await createMachine(region, "efs-reconciler-dry-run", {
      StartAt: "Plan",
      States: { Plan: { Type: "Pass", Result: fullPlan, End: true } },
    });
    const run = await runCli(args(region, arn, "--dry-run"), { env: ENV });

    expect(run.stderr).toMatch(/execution \S+ succeeded after/);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe(renderReport(fullPlan, "text", { color: false }));
  });

  it("reads a failed execution's plan back from its history: a refusal exits 3 (its own region)", async () => {
    await setExecution(true);
    const region = "sa-east-1";
    const plan: Plan = { ...fullPlan, mode: "apply" };
    const refusal = "the plan has 15 actions, more than the limit of 2 (--max-changes): nothing was changed";
    const step = {
      plan,
      maxChanges: 2,
      counts: { actions: 15, autoDrift: 13 },
      refusal,
      phases: [],
      phaseCount: 0,
      cursor: { next: 0 },
      run: { results: [], pending: [], polls: 0, holding: [] },
    };
    const arn = await createMachine(region, "efs-reconciler-refused", {
      StartAt: "Plan",
      States: {
        Plan: { Type: "Pass", Result: step, Next: "TooManyChanges" },
        TooManyChanges: { Type: "Fail", Error: "MaxChangesExceeded", CausePath: "$.refusal" },
      },
    });
    const run = await runCli(args(region, arn, "--output", "json"), { env: ENV });

    expect(run.stderr).toMatch(/ended FAILED after .*MaxChangesExceeded/);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe(
      renderReport(unchangedReport(plan, `not attempted: ${refusal}`), "json", { color: false }),
    );
  });
});
