/**
 * The installed command: builds dist/cli.mjs the way `npm ci` does, then runs
 * bin/efs-reconciler.mjs as a child process.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../../..");

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function npmExecNode(args: string[], cwd = ROOT): Promise<Result> {
  try {
    const { stdout, stderr } = await run("npm", ["exec", "--", "node", ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1", npm_config_update_notifier: "false" },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("bin/efs-reconciler.mjs", () => {
  let scratch = "";

  beforeAll(async () => {
    const build = await npmExecNode(["scripts/build.mjs", "--cli-only"]);
    expect(build.code, build.stderr).toBe(0);
    expect(build.stdout).toMatch(/dist\/cli\.mjs\s+[\d.]+ (B|KiB|MiB)/);
    scratch = await mkdtemp(path.join(tmpdir(), "efs-reconciler-bin-"));
  });

  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("validates a manifest directory: exit 0 and one line on stdout", async () => {
    const r = await npmExecNode([
      "bin/efs-reconciler.mjs",
      "validate",
      "--manifests",
      "tests/fixtures/cli/valid",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^4 objects in 2 files are valid \(revision (?:git:[0-9a-f]{40}|sha256:[0-9a-f]{64})\)\.\n$/,
    );
  });

  it("exits 1 with located errors for invalid manifests", async () => {
    const r = await npmExecNode([
      "bin/efs-reconciler.mjs",
      "validate",
      "--manifests",
      "tests/fixtures/cli/invalid",
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("tests/fixtures/cli/invalid/efs.yaml:18:10: AccessPoint/lambda: ");
    expect(r.stderr).toContain("3 errors in 2 files: ");
  });

  it("tells the user to build when dist/ is missing", async () => {
    await mkdir(path.join(scratch, "bin"), { recursive: true });
    await copyFile(path.join(ROOT, "bin/efs-reconciler.mjs"), path.join(scratch, "bin/efs-reconciler.mjs"));
    const r = await npmExecNode([path.join(scratch, "bin/efs-reconciler.mjs"), "--version"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("run npm run build");
  });
});
