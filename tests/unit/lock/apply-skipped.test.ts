/**
 * `efs-reconciler apply` while another apply holds the lock of the same state directory: exits 1,
 * says who holds it, and reads nothing from AWS.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createFileLease } from "../../../src/lock/file-lease";
import { observeSources, observeSourcesAlone } from "../../../src/observe/observe-sources";
import { runCli } from "../cli/run-cli";

// The first read of any observation, in-process or as the workflow's first stage.
vi.mock("../../../src/observe/observe-sources", () => ({
  observeSources: vi.fn(),
  observeSourcesAlone: vi.fn(),
}));

const ENV = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
let stateDir: string;

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "efsr-apply-lock-"));
});

afterEach(async () => {
  vi.mocked(observeSources).mockReset();
  vi.mocked(observeSourcesAlone).mockReset();
  await rm(stateDir, { recursive: true, force: true });
});

describe("apply while another apply runs", () => {
  it("exits 1 as skipped, naming the run that holds the lock, without observing", async () => {
    await createFileLease(stateDir).acquire({
      holder: "local:elsewhere:1:x",
      runId: "20261128T110000Z-0000beef",
      mode: "apply",
    });
    const run = await runCli(
      ["apply", "--manifests", "tests/fixtures/cli/valid", "--state-dir", stateDir, "--region", "us-east-1"],
      { env: ENV },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderrLines.at(-1)).toMatch(
      /^error: skipped: another run \(apply run 20261128T110000Z-0000beef, pid \d+ on .+\) has held the lease in .*run\.lock since /,
    );
    expect(observeSources).not.toHaveBeenCalled();
    expect(observeSourcesAlone).not.toHaveBeenCalled();
    expect(await readdir(stateDir)).toEqual(["run.lock"]);
  });
});
