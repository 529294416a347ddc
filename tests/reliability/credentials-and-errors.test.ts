/**
 * Credentials and AWS errors through the real command line (`plan` and `apply`, in-process):
 * missing credentials, a wrong or missing region, an unreachable endpoint, an expired token (at
 * the start and in the middle of an apply) and access denied on one read or one action each end
 * with exit 1 and ONE clear line on stderr that says what to do — never a stack trace.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ApplyReport } from "../../src/plan/types";
import { emulatorEndpoint } from "../support/emulator";
import { type CliResult, emulatorArgs, runCli } from "./support/cli";
import { type DemoFixture, demoManifestsOnly, freshDemo } from "./support/demo";
import { setFaults } from "./support/faults";

const CREDENTIAL_VARS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_CONFIG_FILE",
  "AWS_EC2_METADATA_DISABLED",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_ROLE_ARN",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_ENDPOINT_URL",
] as const;

let saved: Record<string, string | undefined>;
let fixture: Omit<DemoFixture, "ids"> | undefined;

beforeEach(() => {
  saved = Object.fromEntries(CREDENTIAL_VARS.map((k) => [k, process.env[k]]));
});

afterEach(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await setFaults(null);
  await fixture?.cleanup();
  fixture = undefined;
});

/** No credentials and no region anywhere the SDK looks (environment, files, instance metadata). */
function bareEnvironment(): void {
  for (const k of CREDENTIAL_VARS) delete process.env[k];
  process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/efs-reconciler-test/credentials";
  process.env.AWS_CONFIG_FILE = "/nonexistent/efs-reconciler-test/config";
  process.env.AWS_EC2_METADATA_DISABLED = "true";
}

/** The one line that ends the command: asserts it is the only error line and nothing else looks like a crash. */
function errorLine(run: CliResult): string {
  const where = `stderr:\n${run.stderr}`;
  expect(run.code, where).toBe(1);
  expect(run.stderr, where).not.toMatch(/^\s+at /m);
  expect(run.stderr, where).not.toMatch(/unexpected|--debug|bug in efs-reconciler/);
  const errors = run.stderrLines.filter((l) => l.startsWith("error:"));
  expect(errors, where).toHaveLength(1);
  expect(run.stderrLines.at(-1), where).toBe(errors[0]);
  return errors[0] ?? "";
}

async function planAndApply(manifests: string, stateDir: string, args: string[]): Promise<[string, string]> {
  const plan = await runCli(["plan", "--manifests", manifests, "--state-dir", stateDir, ...args]);
  const apply = await runCli(["apply", "--manifests", manifests, "--state-dir", stateDir, ...args]);
  return [errorLine(plan), errorLine(apply)];
}

describe("credentials", () => {
  it("none anywhere: says where to put them", async () => {
    fixture = await demoManifestsOnly();
    bareEnvironment();
    const lines = await planAndApply(fixture.manifests, fixture.stateDir, emulatorArgs());
    expect(lines).toEqual(
      Array(2).fill(
        "error: no AWS credentials found: pass --profile, set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (for SSO run `aws sso login`)",
      ),
    );
  });

  it("a profile that does not exist: names it and how to log in", async () => {
    fixture = await demoManifestsOnly();
    bareEnvironment();
    const lines = await planAndApply(fixture.manifests, fixture.stateDir, [
      ...emulatorArgs(),
      "--profile",
      "nope",
    ]);
    for (const line of lines) {
      expect(line).toBe(
        "error: could not load AWS credentials for profile nope: check that it exists in ~/.aws/config or ~/.aws/credentials (for SSO run `aws sso login --profile nope`)",
      );
    }
  });

  it("an expired token: says to refresh the credentials", async () => {
    fixture = await demoManifestsOnly();
    await setFaults({ rules: [{ error: "expiredToken" }] });
    const lines = await planAndApply(fixture.manifests, fixture.stateDir, emulatorArgs());
    for (const line of lines) {
      expect(line).toMatch(
        /^error: the AWS credentials have expired \((ExpiredTokenException|RequestExpired)\): refresh them \(for SSO: `aws sso login`\) and run again$/,
      );
    }
  });

  it("a token that expires in the middle of an apply: the failed actions say to refresh, exit 1", async () => {
    fixture = await freshDemo();
    await setFaults({ rules: [{ mutating: true, error: "expiredToken" }] });
    const run = await runCli([
      "apply",
      "--manifests",
      fixture.manifests,
      "--state-dir",
      fixture.stateDir,
      ...emulatorArgs(),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    const failed = run.stderrLines.filter((l) => /^\s+failed\s/.test(l));
    expect(failed.length).toBeGreaterThan(0);
    for (const line of failed) {
      expect(line).toMatch(
        /the AWS credentials have expired \((ExpiredTokenException|RequestExpired): .*\); refresh them and re-run apply$/,
      );
      expect(line).not.toContain("grant");
    }
  });
});

describe("region and endpoint", () => {
  it("no region anywhere: says how to set one", async () => {
    fixture = await demoManifestsOnly();
    bareEnvironment();
    process.env.AWS_ACCESS_KEY_ID = "test";
    process.env.AWS_SECRET_ACCESS_KEY = "test";
    const lines = await planAndApply(fixture.manifests, fixture.stateDir, [
      "--endpoint-url",
      emulatorEndpoint(),
    ]);
    expect(lines).toEqual(
      Array(2).fill(
        "error: no AWS region configured: pass --region, or set AWS_REGION (or a region in your AWS profile)",
      ),
    );
  });

  it("a region that is not a region name: says it is not valid (not that none is configured)", async () => {
    fixture = await demoManifestsOnly();
    const lines = await planAndApply(fixture.manifests, fixture.stateDir, [
      "--endpoint-url",
      emulatorEndpoint(),
      "--region",
      "us_east_1",
    ]);
    expect(lines).toEqual(
      Array(2).fill(
        'error: AWS region "us_east_1" is not a valid region name: pass --region with one such as us-east-1 or eu-west-1 (or fix AWS_REGION)',
      ),
    );
  });

  it("a region that does not exist: names the host it could not find and says to check --region", async () => {
    fixture = await demoManifestsOnly();
    const lines = await planAndApply(fixture.manifests, fixture.stateDir, ["--region", "xx-nowhere-1"]);
    for (const line of lines) {
      expect(line).toMatch(
        /^error: cannot reach the AWS endpoint [a-z]+\.xx-nowhere-1\.amazonaws\.com \(host name not found\): check your network and --region \(and AWS_ENDPOINT_URL_<SERVICE> if set\)$/,
      );
    }
  }, 60_000);

  it("an endpoint nobody answers on: names it and says to check it", async () => {
    fixture = await demoManifestsOnly();
    const lines = await planAndApply(fixture.manifests, fixture.stateDir, [
      "--endpoint-url",
      "http://127.0.0.1:9",
      "--region",
      "us-east-1",
    ]);
    expect(lines).toEqual(
      Array(2).fill(
        "error: cannot reach the AWS endpoint http://127.0.0.1:9 (connection refused): check that it is running and that --endpoint-url / AWS_ENDPOINT_URL is right",
      ),
    );
    // While it retries, each retried attempt is a line of progress, not silence.
    const plan = await runCli([
      "plan",
      "--manifests",
      fixture.manifests,
      "--state-dir",
      fixture.stateDir,
      "--endpoint-url",
      "http://127.0.0.1:9",
      "--region",
      "us-east-1",
    ]);
    expect(plan.stderr).toMatch(/ failed \(.*ECONNREFUSED.*\); retrying, attempt 2 of 8\n/);
    expect(plan.stderr).toMatch(/; retrying, attempt 8 of 8\n/);
  }, 60_000);
});

describe("access denied", () => {
  it("on one read: plan and apply name the operation and say which permission to grant", async () => {
    fixture = await demoManifestsOnly();
    await setFaults({ rules: [{ service: "lambda", operation: "ListFunctions", error: "accessDenied" }] });
    const lines = await planAndApply(fixture.manifests, fixture.stateDir, emulatorArgs());
    for (const line of lines) {
      expect(line).toMatch(
        /^error: AWS denied access to lambda:ListFunctions \(AccessDeniedException\): User: arn:aws:sts::\d{12}:assumed-role\/\S+ is not authorized to perform: lambda:ListFunctions because no identity-based policy allows the lambda:ListFunctions action; grant the caller the read permissions efs-reconciler needs, or use another --profile$/,
      );
    }
  });

  it("on one action: exit 1, one line naming the action and the permission, the rest done", async () => {
    const seeded = await freshDemo();
    fixture = seeded;
    await setFaults({
      rules: [{ service: "efs", operation: "PutLifecycleConfiguration", error: "accessDenied" }],
    });
    const run = await runCli([
      "apply",
      "--manifests",
      seeded.manifests,
      "--state-dir",
      seeded.stateDir,
      "--output",
      "json",
      ...emulatorArgs(),
    ]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as ApplyReport;
    const phaseOf = new Map(report.actions.map((a) => [a.id, a.phase]));
    expect(report.results.filter((r) => r.status === "failed")).toHaveLength(1);
    expect(
      report.results.filter((r) => phaseOf.get(r.actionId) === 1 && r.status === "succeeded").length,
    ).toBeGreaterThan(3);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    const denied = run.stderrLines.filter((l) => l.includes("was denied"));
    expect(denied).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\s+failed\\s+TerminalReconcileError: PutLifecycleConfiguration on ${seeded.ids.fileSystemId} was denied \\(AccessDeniedException: User: \\S+ is not authorized to perform: elasticfilesystem:PutLifecycleConfiguration because no identity-based policy allows the elasticfilesystem:PutLifecycleConfiguration action\\); grant the reconciler's credentials this permission and re-run apply$`,
        ),
      ),
    ]);
  });
});
