/**
 * `efs-reconciler run` with mocked AWS SDK responses (aws-sdk-client-mock): it starts a named
 * execution, follows it, and renders the outcome exactly as `plan`/`apply` would, with their exit
 * codes — success, dry run, failures (read back from the execution history), refusal, skipped.
 */
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pollDelays } from "../../../src/cli/commands/run";
import type { SkippedRun } from "../../../src/lock/run-lease";
import type { ApplyReport, Plan } from "../../../src/plan/types";
import { renderReport } from "../../../src/render/index";
import { unchangedReport } from "../../../src/statemachine/apply-report";
import type { PlanStep } from "../../../src/statemachine/workflow-types";
import { emptyPlan, failedApply, fullPlan, manualOnlyPlan } from "../../fixtures/plans";
import { runCli } from "./run-cli";
import { ARN, BASE, ENV, EXECUTION, exited, mockExecution } from "./run-fixtures";

const sfn = mockClient(SFNClient);
const cloudformation = mockClient(CloudFormationClient);

const converged: ApplyReport = { ...emptyPlan, mode: "apply", results: [], remaining: [] };

function step(plan: Plan, maxChanges = 25): PlanStep {
  return {
    plan,
    maxChanges,
    counts: {
      actions: plan.actions.length,
      autoDrift: plan.drift.filter((d) => d.remediation === "auto").length,
    },
    refusal: `the plan has ${plan.actions.length} actions, more than the limit of ${maxChanges} (--max-changes): nothing was changed`,
    phases: [],
    phaseCount: 0,
    cursor: { next: 0 },
    run: { results: [], pending: [], polls: 0, holding: [] },
  };
}

function execution(ending: Record<string, unknown>): void {
  mockExecution(sfn, ending);
}

function startInput(): { name?: string; input: Record<string, unknown>; stateMachineArn?: string } {
  const call = sfn.commandCalls(StartExecutionCommand)[0];
  expect(call).toBeDefined();
  const args = call?.args[0].input;
  return { name: args?.name, input: JSON.parse(args?.input ?? "{}"), stateMachineArn: args?.stateMachineArn };
}

beforeEach(() => {
  sfn.reset();
  cloudformation.reset();
});

afterEach(() => {
  sfn.reset();
  cloudformation.reset();
});

describe("efs-reconciler run", () => {
  it("starts a named apply execution, follows it, and renders the report like apply: converged exits 0", async () => {
    execution({ status: "SUCCEEDED", output: JSON.stringify(converged) });
    const run = await runCli(BASE, { env: ENV });

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(renderReport(converged, "text", { color: false }));
    const { name, input, stateMachineArn } = startInput();
    expect(stateMachineArn).toBe(ARN);
    expect(name).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    expect(input).toEqual({ mode: "apply", runId: name });
    expect(sfn.commandCalls(DescribeExecutionCommand).length).toBe(2);
    expect(run.stderr).toContain(`started apply run ${name}: execution ${EXECUTION}`);
    expect(run.stderr).toContain(
      "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/",
    );
  });

  it("accepts --manifests and --state-dir as common options and says the deployed workflow does not use them", async () => {
    execution({ status: "SUCCEEDED", output: JSON.stringify(converged) });
    const run = await runCli([...BASE, "--manifests", "desired-state", "--state-dir", ".records"], {
      env: ENV,
    });

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(renderReport(converged, "text", { color: false }));
    expect(run.stderrLines.slice(0, 2)).toEqual([
      "note: run ignores --manifests desired-state: the deployed workflow plans with the manifests packaged into the stack (sam build)",
      "note: run ignores --state-dir .records: the deployed workflow records into the stack's DynamoDB table (efs-reconciler events --table)",
    ]);
  });

  it("a dry run renders the plan like plan and exits 2 on drift (JSON output)", async () => {
    execution({ status: "SUCCEEDED", output: JSON.stringify(fullPlan) });
    const run = await runCli([...BASE, "--dry-run", "--output", "json"], { env: ENV });

    expect(run.code).toBe(2);
    expect(run.stdout).toBe(renderReport(fullPlan, "json", { color: false }));
    expect(startInput().input.mode).toBe("dry-run");
  });

  it("a dry run with only an adoption to make exits 2, as plan does", async () => {
    const adoption = fullPlan.actions.filter((a) => a.type === "TagAccessPoint");
    expect(adoption).toHaveLength(1);
    const adoptOnly: Plan = {
      ...emptyPlan,
      actions: adoption,
      summary: { ...emptyPlan.summary, actions: 1 },
    };
    execution({ status: "SUCCEEDED", output: JSON.stringify(adoptOnly) });
    expect((await runCli([...BASE, "--dry-run"], { env: ENV })).code).toBe(2);
  });

  it("a dry run without drift exits 0; an apply leaving only manual drift exits 2", async () => {
    execution({ status: "SUCCEEDED", output: JSON.stringify(emptyPlan) });
    expect((await runCli([...BASE, "--dry-run"], { env: ENV })).code).toBe(0);

    sfn.reset();
    const manualLeft: ApplyReport = {
      ...manualOnlyPlan,
      mode: "apply",
      results: [],
      remaining: manualOnlyPlan.drift,
    };
    execution({ status: "SUCCEEDED", output: JSON.stringify(manualLeft) });
    const run = await runCli([...BASE, "--output", "markdown"], { env: ENV });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe(renderReport(manualLeft, "markdown", { color: false }));
  });

  it("a failed apply exits 1 and renders the verified report from the execution history", async () => {
    execution({
      status: "FAILED",
      error: "RemediationIncomplete",
      cause: "1 of 5 actions failed: UpdateFunctionConfiguration …",
    });
    const plan: Plan = { ...failedApply, mode: "apply" };
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: [exited(3, "Plan", step(plan))], nextToken: "page-2" })
      .resolves({
        events: [
          exited(40, "Verify", { report: failedApply, failedActions: 1, remainingAuto: 2, cause: "…" }),
          exited(41, "RecordOutcome", { runId: failedApply.runId }),
        ],
      });
    const run = await runCli(BASE, { env: ENV });

    expect(run.code).toBe(1);
    expect(run.stdout).toBe(renderReport(failedApply, "text", { color: false }));
    expect(run.stderr).toContain("ended FAILED after");
    expect(run.stderr).toContain("RemediationIncomplete: 1 of 5 actions failed");
    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input.nextToken)).toEqual([
      undefined,
      "page-2",
    ]);
  });

  it("a refused apply (more actions than MaxChanges) exits 3, nothing attempted", async () => {
    const plan: Plan = { ...fullPlan, mode: "apply" };
    const refusedStep = step(plan, 2);
    execution({ status: "FAILED", error: "MaxChangesExceeded", cause: refusedStep.refusal });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [exited(3, "Plan", refusedStep)] });
    const run = await runCli([...BASE, "--max-changes", "2", "--output", "json"], { env: ENV });

    expect(run.code).toBe(3);
    expect(startInput().input).toMatchObject({ mode: "apply", maxChanges: 2 });
    expect(run.stdout).toBe(
      renderReport(unchangedReport(plan, `not attempted: ${refusedStep.refusal}`), "json", { color: false }),
    );
    expect(run.stderr).toContain("refused: the plan has 15 actions, more than the limit of 2");
  });

  it("a refused apply's text report says it changed nothing", async () => {
    const plan: Plan = { ...fullPlan, mode: "apply" };
    const refusedStep = step(plan, 2);
    execution({ status: "FAILED", error: "MaxChangesExceeded", cause: refusedStep.refusal });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [exited(3, "Plan", refusedStep)] });
    const run = await runCli([...BASE, "--max-changes", "2"], { env: ENV });

    expect(run.code).toBe(3);
    expect(run.stdout).toContain("efs-reconciler refused to apply and changed nothing");
    expect(run.stdout.trimEnd().split("\n").at(-1)).toBe(
      "Apply refused: the plan has 15 actions, more than the limit of 2; nothing was changed (pass --max-changes to raise it for this run)",
    );
  });

  it("names a state machine that does not exist in one line (exit 1)", async () => {
    sfn.on(StartExecutionCommand).rejects(
      Object.assign(new Error(`State Machine Does Not Exist: '${ARN}'`), {
        name: "StateMachineDoesNotExist",
      }),
    );
    const run = await runCli(BASE, { env: ENV });

    expect(run.code).toBe(1);
    expect(run.stderrLines.at(-1)).toBe(
      `error: no state machine ${ARN}: check --state-machine-arn (or --stack) and the region it is deployed in`,
    );
  });

  it("a run that failed before it had a plan exits 1 with the task's error and prints no report", async () => {
    execution({
      status: "FAILED",
      error: "CompiledManifestsError",
      cause: JSON.stringify({
        errorType: "CompiledManifestsError",
        errorMessage:
          "no compiled manifests at /opt/desired-state/desired-state.json: build the deployment with `sam build` (the manifests layer compiles them), or point MANIFEST_DIR at a packaged manifest directory",
      }),
    });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const run = await runCli(BASE, { env: ENV });

    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("ended FAILED after");
    expect(run.stderr).toContain(
      "CompiledManifestsError: no compiled manifests at /opt/desired-state/desired-state.json: build the deployment with `sam build`",
    );
  });

  it("a skipped run (another run held the lease) exits 1 and says so", async () => {
    const skipped: SkippedRun = {
      status: "skipped",
      runId: "20261128T120000Z-00000002",
      mode: "apply",
      message: "skipped: another run (apply run 20261128T115500Z-00000001) has held the lease …",
      heldBy: {
        holder: `${EXECUTION}-other`,
        runId: "20261128T115500Z-00000001",
        mode: "apply",
        acquiredAt: "2026-11-28T11:55:00.000Z",
        expiresAt: "2026-11-28T12:55:00.000Z",
      },
    };
    execution({ status: "SUCCEEDED", output: JSON.stringify(skipped) });
    const run = await runCli([...BASE, "--output", "json"], { env: ENV });

    expect(run.code).toBe(1);
    expect(run.stderrLines).toContain(skipped.message);
    expect(JSON.parse(run.stdout)).toEqual(skipped);
  });

  it("an aborted execution exits 1", async () => {
    execution({ status: "ABORTED" });
    sfn
      .on(GetExecutionHistoryCommand)
      .resolves({ events: [exited(3, "Plan", step({ ...fullPlan, mode: "apply" }))] });
    const run = await runCli(BASE, { env: ENV });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("ended ABORTED");
    expect(run.stdout).toContain("not attempted: the run stopped early (ABORTED)");
  });

  it("--no-wait prints the execution ARN and exits 0 without following it", async () => {
    execution({ status: "SUCCEEDED", output: "{}" });
    const run = await runCli([...BASE, "--no-wait"], { env: ENV });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${EXECUTION}\n`);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it("--stack finds the state machine in the stack's outputs", async () => {
    cloudformation.on(DescribeStacksCommand, { StackName: "efs-reconciler" }).resolves({
      Stacks: [
        {
          StackName: "efs-reconciler",
          StackStatus: "CREATE_COMPLETE",
          CreationTime: new Date(),
          Outputs: [
            { OutputKey: "EventsTableName", OutputValue: "events" },
            { OutputKey: "StateMachineArn", OutputValue: ARN },
          ],
        },
      ],
    });
    execution({ status: "SUCCEEDED", output: JSON.stringify(emptyPlan) });
    const run = await runCli(
      ["run", "--stack", "efs-reconciler", "--dry-run", "--poll-interval", "0.001", "--region", "eu-west-1"],
      { env: ENV },
    );
    expect(run.code).toBe(0);
    expect(startInput().stateMachineArn).toBe(ARN);
  });

  it("explains a stack without the output, a missing stack, and a missing or malformed ARN", async () => {
    cloudformation.on(DescribeStacksCommand, { StackName: "other" }).resolves({
      Stacks: [{ StackName: "other", StackStatus: "CREATE_COMPLETE", CreationTime: new Date() }],
    });
    const noOutput = await runCli(["run", "--stack", "other", "--region", "eu-west-1"], { env: ENV });
    expect(noOutput.code).toBe(1);
    expect(noOutput.stderr).toContain("stack other has no StateMachineArn output");

    const missing = Object.assign(new Error("Stack with id nope does not exist"), {
      name: "ValidationError",
    });
    cloudformation.on(DescribeStacksCommand, { StackName: "nope" }).rejects(missing);
    const notFound = await runCli(["run", "--stack", "nope", "--region", "eu-west-1"], { env: ENV });
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toContain("stack nope was not found");

    const none = await runCli(["run", "--region", "eu-west-1"], { env: ENV });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("pass --state-machine-arn ARN, or --stack NAME");

    const bad = await runCli(["run", "--state-machine-arn", "efs-reconciler", "--region", "eu-west-1"], {
      env: ENV,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("is not a state machine ARN");
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe("poll delays", () => {
  it("start at the interval and grow by half up to the cap", () => {
    const next = pollDelays(2, 5);
    expect([next(), next(), next(), next(), next()]).toEqual([2000, 3000, 4500, 5000, 5000]);
  });
});
