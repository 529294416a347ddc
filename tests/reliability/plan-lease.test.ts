/**
 * `plan` records its run under the run lease of --state-dir: while an apply holds it, the plan is
 * printed but not recorded, so the two runs' drift events never interleave; once free, it records.
 */
import { readdir } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createFileLease, LOCK_FILE } from "../../src/lock/file-lease";
import type { Plan } from "../../src/plan/types";
import { runJson } from "./support/cli";
import { type DemoFixture, freshDemo } from "./support/demo";

let fixture: DemoFixture | undefined;

afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

describe("plan and the run lease", () => {
  it("while an apply holds the lease: prints the plan, records nothing, leaves the lease as it was", async () => {
    fixture = await freshDemo();
    const { manifests, stateDir } = fixture;
    const apply = createFileLease(stateDir);
    const request = {
      holder: "local:elsewhere:1:x",
      runId: "20261128T110000Z-0000beef",
      mode: "apply" as const,
    };
    expect((await apply.acquire(request)).acquired).toBe(true);

    const held = await runJson<Plan>("plan", manifests, stateDir);
    expect(held.code).toBe(2);
    expect(held.doc.drift.length).toBeGreaterThan(0);
    expect(held.stderrLines).toContainEqual(
      expect.stringMatching(
        /^not recording this plan: another run \(apply run 20261128T110000Z-0000beef\) has held the lease in .*run\.lock since /,
      ),
    );
    expect(await readdir(stateDir)).toEqual([LOCK_FILE]);
    // The apply's lease is untouched: a second taker is still refused.
    expect((await createFileLease(stateDir).acquire({ ...request, holder: "other" })).acquired).toBe(false);

    await apply.release(request.holder);
    const free = await runJson<Plan>("plan", manifests, stateDir);
    expect(free.code).toBe(2);
    expect(free.stderr).not.toContain("not recording");
    const files = await readdir(stateDir);
    expect(files).not.toContain(LOCK_FILE);
    expect(files.length).toBeGreaterThan(0);
  }, 120_000);
});
