/**
 * The product never writes credentials, and no account id outside a resource ARN, to its output or
 * its records: the demo's plan and apply (text and JSON, a failing action included, with --debug)
 * run with marker credentials, then stdout, stderr and every file in the state directory are
 * searched for the markers and for the account id.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emulatorArgs, runCli } from "./support/cli";
import { type DemoFixture, freshDemo } from "./support/demo";
import { setFaults } from "./support/faults";

const SECRET = "SECRETMARKERwJalrXUtnFEMIK7MDENGbPxRfiCY";
const TOKEN = "TOKENMARKERIQoJb3JpZ2luX2VjEJr";
const KEY_ID = "AKIAKEYMARKER0000001";
/** The emulator's account (moto's default). */
const ACCOUNT = "123456789012";

let saved: Record<string, string | undefined>;
let fixture: DemoFixture | undefined;

beforeEach(() => {
  saved = {
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN: process.env.AWS_SESSION_TOKEN,
  };
  process.env.AWS_ACCESS_KEY_ID = KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = SECRET;
  process.env.AWS_SESSION_TOKEN = TOKEN;
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

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(await readFile(join(entry.parentPath, entry.name), "utf8"));
  }
  return out;
}

/** Account ids left once every ARN is taken out (ARNs name resources: they may carry it). */
function accountIdsOutsideArns(text: string): string[] {
  const withoutArns = text.replace(/arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:[^\s"',;)]*/g, "ARN");
  return withoutArns.match(new RegExp(ACCOUNT, "g")) ?? [];
}

describe("no secrets and no account ids in output or records", () => {
  it("plan and apply, text and JSON, a failing action and --debug: no credential, no bare account id", async () => {
    fixture = await freshDemo();
    const { manifests, stateDir } = fixture;
    const common = ["--manifests", manifests, "--state-dir", stateDir, ...emulatorArgs()];
    const outputs: string[] = [];
    for (const argv of [
      ["plan", ...common],
      ["plan", ...common, "--output", "json"],
      ["plan", ...common, "--output", "markdown"],
    ]) {
      const run = await runCli(argv);
      expect(run.code).toBe(2);
      outputs.push(run.stdout, run.stderr);
    }
    // One action denied (its message quotes the caller's ARN), with stack traces on.
    await setFaults({
      rules: [{ service: "ec2", operation: "RevokeSecurityGroupIngress", error: "accessDenied", times: 1 }],
    });
    const failed = await runCli(["apply", ...common, "--output", "json", "--debug"]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("is not authorized to perform");
    outputs.push(failed.stdout, failed.stderr);
    await setFaults(null);
    const applied = await runCli(["apply", ...common]);
    expect(applied.code).toBe(0);
    outputs.push(applied.stdout, applied.stderr);
    // A command that fails as a whole, with --debug (its stack trace is printed).
    await setFaults({ rules: [{ error: "expiredToken" }] });
    const expired = await runCli(["plan", ...common, "--debug"]);
    expect(expired.code).toBe(1);
    expect(expired.stderr).toContain("have expired");
    outputs.push(expired.stdout, expired.stderr);

    const records = await filesUnder(stateDir);
    expect(records.length).toBeGreaterThan(0);
    const everything = [...outputs, ...records];
    for (const marker of [SECRET, TOKEN, KEY_ID]) {
      expect(everything.filter((text) => text.includes(marker))).toEqual([]);
    }
    expect(everything.flatMap(accountIdsOutsideArns)).toEqual([]);
    // The ARNs are there (so the search above had something to look at).
    expect(everything.join("\n")).toContain(`:${ACCOUNT}:`);
  }, 120_000);
});
