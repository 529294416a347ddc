import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as clients from "../../../src/aws/clients";
import { observe } from "../../../src/observe/observe";
import { ObserveError } from "../../../src/observe/observe-error";
import type { ObservedState } from "../../../src/observe/types";
import { planChanges } from "../../../src/plan/index";
import type { Plan } from "../../../src/plan/types";
import { renderJson } from "../../../src/render/json";
import { renderMarkdown } from "../../../src/render/markdown";
import { emptyPlan, fullPlan } from "../../fixtures/plans";
import { runCli } from "./run-cli";

vi.mock("../../../src/observe/observe", () => ({ observe: vi.fn() }));
vi.mock("../../../src/plan/index", () => ({
  planChanges: vi.fn(),
  newRunId: () => "20260314T091500Z-4be1c2d9",
}));
vi.mock("../../../src/aws/clients", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../../src/aws/clients")>();
  return { ...original, createClients: vi.fn(original.createClients) };
});

const VALID = "tests/fixtures/cli/valid";
const ENV = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
/** Records go to a throwaway state directory, never the working tree's. */
const STATE_DIR = mkdtempSync(join(tmpdir(), "efs-reconciler-cli-plan-"));
const ARGS = ["plan", "--manifests", VALID, "--region", "us-east-1", "--state-dir", STATE_DIR];

const observed: ObservedState = {
  region: "us-east-1",
  fileSystems: {},
  functions: {},
  mountedBy: {},
  subnets: {},
  vpcSubnets: {},
  securityGroups: {},
};

function planReturns(plan: Plan): void {
  vi.mocked(planChanges).mockReturnValue(plan);
}

beforeEach(() => {
  vi.mocked(observe).mockImplementation(async (_desired, _clients, options) => {
    options?.log?.("observed 1 file system, 0 access points, 2 functions in us-east-1 (3 calls)");
    return observed;
  });
});

afterEach(() => {
  vi.mocked(observe).mockReset();
  vi.mocked(planChanges).mockReset();
  vi.mocked(clients.createClients).mockClear();
});

describe("efs-reconciler plan", () => {
  it("exits 0 and says so when there is no drift", async () => {
    planReturns(emptyPlan);
    const run = await runCli(ARGS, { env: ENV });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("\nNo changes. Your infrastructure matches the manifests.\n");
  });

  it("exits 2 when drift is found and prints the plan on stdout", async () => {
    planReturns(fullPlan);
    const run = await runCli(ARGS, { env: ENV });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      "Plan: 4 to create, 8 to change, 3 to destroy (1 replacement); 3 manual drift items.",
    );
  });

  it("plans in dry-run mode from the loaded manifests and the observation", async () => {
    planReturns(emptyPlan);
    await runCli(ARGS, { env: ENV });
    const [desired, seen, meta] = vi.mocked(planChanges).mock.calls[0] ?? [];
    expect(desired?.functions.map((f) => f.name)).toEqual(["search-api", "embeddings-worker"]);
    expect(seen).toBe(observed);
    expect(meta).toEqual({ mode: "dry-run", runId: "20260314T091500Z-4be1c2d9" });
  });

  it("prints only the JSON document on stdout with --output json; progress goes to stderr", async () => {
    planReturns(fullPlan);
    const run = await runCli([...ARGS, "--output", "json"], { env: ENV, isTTY: true });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe(renderJson(fullPlan));
    expect(run.stderrLines).toEqual([
      "observing us-east-1 for 1 file system, 1 access point and 2 functions…",
      "observed 1 file system, 0 access points, 2 functions in us-east-1 (3 calls)",
      expect.stringMatching(/^observed us-east-1 in \d+\.\d s \(0 API calls\)$/),
    ]);
  });

  it("explains a damaged status file under --state-dir in one line (exit 1)", async () => {
    planReturns(emptyPlan);
    const dir = mkdtempSync(join(tmpdir(), "efs-reconciler-cli-status-"));
    writeFileSync(join(dir, "status.json"), "not a status document");
    const run = await runCli(["plan", "--manifests", VALID, "--region", "us-east-1", "--state-dir", dir], {
      env: ENV,
    });
    expect(run.code).toBe(1);
    expect(run.stderrLines.at(-1)).toBe(
      `error: ${join(dir, "status.json")} is not a status document of efs-reconciler: move it away; the next run writes a new one`,
    );
  });

  it("prints markdown with --output markdown", async () => {
    planReturns(fullPlan);
    const run = await runCli([...ARGS, "-o", "markdown"], { env: ENV, isTTY: true });
    expect(run.stdout).toBe(renderMarkdown(fullPlan));
  });

  it("colours text only on a terminal without NO_COLOR or --no-color", async () => {
    planReturns(fullPlan);
    const tty = await runCli(ARGS, { env: ENV, isTTY: true });
    expect(tty.stdout).toContain("\u001b[");
    const variants = [
      await runCli(ARGS, { env: ENV, isTTY: false }),
      await runCli(ARGS, { env: { ...ENV, NO_COLOR: "1" }, isTTY: true }),
      await runCli([...ARGS, "--no-color"], { env: ENV, isTTY: true }),
      await runCli(["--no-color", ...ARGS], { env: ENV, isTTY: true }),
    ];
    for (const run of variants) {
      expect(run.stdout).not.toContain("\u001b[");
      expect(run.stdout).toBe(stripVTControlCharacters(tty.stdout));
    }
    // An empty NO_COLOR does not count (https://no-color.org).
    expect((await runCli(ARGS, { env: { ...ENV, NO_COLOR: "" }, isTTY: true })).stdout).toContain("\u001b[");
  });

  it("refuses invalid manifests with exit 1 before creating any AWS client", async () => {
    const run = await runCli(["plan", "--manifests", "tests/fixtures/cli/invalid", "--region", "us-east-1"], {
      env: ENV,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderrLines).toHaveLength(4);
    expect(run.stderrLines.at(-1)).toBe(
      "3 errors in 2 files: the manifests in tests/fixtures/cli/invalid are invalid, so nothing was read from AWS. Fix them and run plan again.",
    );
    expect(clients.createClients).not.toHaveBeenCalled();
    expect(observe).not.toHaveBeenCalled();
  });

  it("passes --region, --profile and --endpoint-url to the AWS clients", async () => {
    planReturns(emptyPlan);
    await runCli([...ARGS, "--profile", "dev", "--endpoint-url", "http://127.0.0.1:5000"], { env: ENV });
    expect(vi.mocked(clients.createClients).mock.calls[0]?.[0]).toMatchObject({
      region: "us-east-1",
      profile: "dev",
      endpoint: "http://127.0.0.1:5000",
    });
  });

  it("turns an AWS credentials error into one clear line on stderr and exit 1", async () => {
    const sdkError = Object.assign(new Error("The security token included in the request is invalid."), {
      name: "UnrecognizedClientException",
    });
    vi.mocked(observe).mockRejectedValue(
      new ObserveError("reading AWS failed: Lambda ListFunctions (UnrecognizedClientException)", {
        operation: "lambda:ListFunctions",
        cause: sdkError,
      }),
    );
    const run = await runCli([...ARGS, "--output", "json"], { env: ENV });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const errors = run.stderrLines.filter((l) => l.startsWith("error:"));
    expect(errors).toEqual([
      "error: AWS rejected the credentials (UnrecognizedClientException): check the access key, secret key and session token, or use another --profile",
    ]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("prints an observation failure it cannot classify as its own one-line message", async () => {
    vi.mocked(observe).mockRejectedValue(
      new ObserveError(
        "reading AWS failed: EFS DescribeBackupPolicy (SyntaxError: Deserialization error); check the credentials",
        { operation: "efs:DescribeBackupPolicy", cause: new SyntaxError("Deserialization error") },
      ),
    );
    const run = await runCli(ARGS, { env: ENV });
    expect(run.code).toBe(1);
    expect(run.stderrLines.at(-1)).toBe(
      "error: reading AWS failed: EFS DescribeBackupPolicy (SyntaxError: Deserialization error); check the credentials",
    );
  });

  it("names the endpoint it could not reach", async () => {
    vi.mocked(observe).mockRejectedValue(
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5000"), {
        code: "ECONNREFUSED",
        address: "127.0.0.1",
        port: 5000,
      }),
    );
    const run = await runCli([...ARGS, "--endpoint-url", "http://localhost:5000"], { env: ENV });
    expect(run.code).toBe(1);
    expect(run.stderrLines.at(-1)).toBe(
      "error: cannot reach the AWS endpoint http://localhost:5000 (connection refused): check that it is running and that --endpoint-url / AWS_ENDPOINT_URL is right",
    );
  });

  it("says how to set a region when none is configured", async () => {
    // The SDK reads the region from the process environment and the AWS config file.
    vi.stubEnv("AWS_REGION", undefined);
    vi.stubEnv("AWS_DEFAULT_REGION", undefined);
    vi.stubEnv("AWS_PROFILE", undefined);
    vi.stubEnv("AWS_CONFIG_FILE", "tests/fixtures/cli/no-such-aws-config");
    try {
      const run = await runCli(["plan", "--manifests", VALID], { env: ENV });
      expect(run.code).toBe(1);
      expect(run.stderrLines).toEqual([
        "error: no AWS region configured: pass --region, or set AWS_REGION (or a region in your AWS profile)",
      ]);
      expect(observe).not.toHaveBeenCalled();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("reports an unexpected error in one line, and its stack with --debug", async () => {
    vi.mocked(observe).mockRejectedValue(new TypeError("boom"));
    const run = await runCli(ARGS, { env: ENV });
    expect(run.code).toBe(1);
    expect(run.stderrLines.at(-1)).toBe(
      "error: unexpected TypeError: boom (run again with --debug to see the stack trace)",
    );
    const debug = await runCli([...ARGS, "--debug"], { env: ENV });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain("error: unexpected TypeError: boom\n");
    expect(debug.stderr).toMatch(/TypeError: boom\n\s+at /);
  });

  it("accepts --state-dir", async () => {
    planReturns(emptyPlan);
    const run = await runCli([...ARGS, "--state-dir", "/tmp/efs-reconciler-state"], { env: ENV });
    expect(run.code).toBe(0);
  });
});
