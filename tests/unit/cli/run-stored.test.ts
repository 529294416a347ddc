/**
 * `efs-reconciler run` on a large run, whose plan and report the workflow stored by reference in
 * the run bucket (mocked Step Functions; the run bucket a local HTTP server answering like S3,
 * reached through AWS_ENDPOINT_URL_S3): it reads them from S3 and prints exactly what it prints for
 * an inline run, with the same exit code; a document gone from the bucket is an error that says
 * so; an inline run makes no S3 call.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GetExecutionHistoryCommand, SFNClient } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { ApplyReport, Plan } from "../../../src/plan/types";
import { renderReport } from "../../../src/render/index";
import type { PlanHead, ReportHead, StoredPlanStep } from "../../../src/statemachine/stored-documents";
import { failedApply, fullPlan } from "../../fixtures/plans";
import { runCli } from "./run-cli";
import { BASE, ENV, exited, mockExecution } from "./run-fixtures";

const sfn = mockClient(SFNClient);

const BUCKET = "efs-reconciler-runbucket-abc";

/** The run bucket's objects (key → JSON text), and the GetObject requests it was sent. */
const s3 = { objects: new Map<string, string>(), gets: [] as { Bucket: string; Key: string }[] };
let server: Server;

/** A path-style GET of `/BUCKET/KEY`: the object, or S3's NoSuchKey answer. */
function answerGet(path: string): { status: number; body: string } {
  const [bucket = "", ...key] = path.slice(1).split("/").map(decodeURIComponent);
  s3.gets.push({ Bucket: bucket, Key: key.join("/") });
  const object = bucket === BUCKET ? s3.objects.get(key.join("/")) : undefined;
  if (object !== undefined) return { status: 200, body: object };
  return {
    status: 404,
    body: "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>",
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const { status, body } =
      req.method === "GET" ? answerGet((req.url ?? "/").split("?")[0] ?? "/") : { status: 405, body: "" };
    res.writeHead(status, { "content-type": status === 200 ? "application/json" : "application/xml" });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** `s3://BUCKET/KEY` answers `document` (as JSON). */
function stored(key: string, document: unknown): { Bucket: string; Key: string } {
  s3.objects.set(key, JSON.stringify(document));
  return { Bucket: BUCKET, Key: key };
}

function planHead(plan: Plan, key: string): PlanHead {
  const { drift: _d, actions: _a, ...head } = plan;
  return { ...head, stored: stored(key, plan) };
}

function reportHead(report: ApplyReport, key: string): ReportHead {
  const { drift: _d, actions: _a, results: _r, remaining: _m, ...head } = report;
  return { ...head, stored: stored(key, report) };
}

function execution(ending: Record<string, unknown>): void {
  mockExecution(sfn, ending);
}

function resetS3(): void {
  s3.objects.clear();
  s3.gets = [];
}

beforeEach(() => {
  sfn.reset();
  resetS3();
  vi.stubEnv("AWS_ENDPOINT_URL_S3", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
  vi.stubEnv("AWS_PROFILE", undefined);
});

afterEach(() => {
  sfn.reset();
  resetS3();
  vi.unstubAllEnvs();
});

describe("efs-reconciler run, plan and report stored by reference", () => {
  it("a dry run whose output is the plan's head prints the stored plan like plan (exit 2 on drift)", async () => {
    execution({ status: "SUCCEEDED", output: JSON.stringify(planHead(fullPlan, "runs/r/plan.json")) });
    const run = await runCli([...BASE, "--dry-run", "--output", "json"], { env: ENV });

    expect(run.stderr).not.toContain("Error");
    expect(run.code).toBe(2);
    expect(run.stdout).toBe(renderReport(fullPlan, "json", { color: false }));
    expect(s3.gets).toEqual([{ Bucket: BUCKET, Key: "runs/r/plan.json" }]);
  });

  it("an apply whose output is the report's head prints the stored report like apply", async () => {
    const converged: ApplyReport = { ...fullPlan, mode: "apply", results: [], remaining: [] };
    execution({ status: "SUCCEEDED", output: JSON.stringify(reportHead(converged, "runs/r/report.json")) });
    const run = await runCli(BASE, { env: ENV });

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(renderReport(converged, "text", { color: false }));
  });

  it("a failed apply reads the stored plan and the stored verified report from the history's references", async () => {
    execution({ status: "FAILED", error: "RemediationIncomplete", cause: "1 of 5 actions failed" });
    const plan: Plan = { ...failedApply, mode: "apply" };
    const step: StoredPlanStep = {
      plan: planHead(plan, "runs/r/plan.json"),
      maxChanges: 25,
      counts: { actions: plan.actions.length, autoDrift: 0 },
      refusal: "",
      phases: [
        {
          phase: 1,
          count: plan.actions.length,
          items: { Bucket: BUCKET, Key: "runs/r/phase-1/actions.json" },
          resultPrefix: "runs/r/phase-1/results",
        },
      ],
      phaseCount: 1,
      cursor: { next: 0 },
      run: { results: [], pending: [], polls: 0, holding: [] },
    };
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        exited(3, "Plan", step),
        exited(9, "Verify", {
          report: reportHead(failedApply, "runs/r/report.json"),
          failedActions: 1,
          remainingAuto: 0,
          cause: "1 of 5 actions failed",
        }),
      ],
    });
    const run = await runCli([...BASE, "--output", "markdown"], { env: ENV });

    expect(run.code).toBe(1);
    expect(run.stdout).toBe(renderReport(failedApply, "markdown", { color: false }));
    expect(s3.gets.map((c) => c.Key).sort()).toEqual(["runs/r/plan.json", "runs/r/report.json"]);
  });

  it("a report no longer in the run bucket is an error naming the document", async () => {
    const converged: ApplyReport = { ...fullPlan, mode: "apply", results: [], remaining: [] };
    const { drift: _d, actions: _a, results: _r, remaining: _m, ...head } = converged;
    execution({
      status: "SUCCEEDED",
      output: JSON.stringify({ ...head, stored: { Bucket: BUCKET, Key: "runs/old/report.json" } }),
    });
    const run = await runCli(BASE, { env: ENV });

    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(
      `error: no stored document s3://${BUCKET}/runs/old/report.json: it was deleted or never written; run the workflow again`,
    );
    expect(run.stderr).not.toContain("unexpected");
  });

  it("an inline run makes no S3 call", async () => {
    execution({ status: "SUCCEEDED", output: JSON.stringify(fullPlan) });
    const run = await runCli([...BASE, "--dry-run"], { env: ENV });
    expect(run.code).toBe(2);
    expect(s3.gets).toHaveLength(0);
  });
});
