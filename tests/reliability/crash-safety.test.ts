/**
 * Crash safety: `apply` interrupted after its k-th mutating call, for every k along the demo's
 * longest chains (access point replacement: tag → create → repoint each function → delete the
 * old one; security groups: authorize → revoke both open rules), leaves a safe account at the
 * crash, and a fresh `apply` (no faults) always converges: one access point with the name, no
 * leaked managed access point, no duplicate rule or mount target, no function without a mount.
 *
 * The crash stand-in is the emulator's `failMutationsAfter: k`: the first k mutating calls go
 * through, every later one is refused before it reaches the emulator — the account is left
 * exactly as a process killed right after its k-th write would leave it.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ApplyReport } from "../../src/plan/types";
import { runJson } from "./support/cli";
import { convergenceProblems, type DemoFixture, demoState, freshDemo, safetyProblems } from "./support/demo";
import { faultReport, setFaults } from "./support/faults";

let fixture: DemoFixture | undefined;

afterEach(async () => {
  await setFaults(null);
  await fixture?.cleanup();
  fixture = undefined;
});

interface CrashOutcome {
  /** Exit code of the interrupted apply (1: it saw the crash as failed actions), then of the fresh one. */
  exits: [number, number];
  /** Mutating calls the interrupted apply got through. */
  writes: number;
  atCrash: string[];
  afterRecovery: string[];
  failedAfterRecovery: string[];
}

async function crashAfter(k: number): Promise<CrashOutcome> {
  await fixture?.cleanup();
  fixture = await freshDemo();
  const { ids, manifests, stateDir } = fixture;
  await setFaults({ failMutationsAfter: k });
  const crashed = await runJson<ApplyReport>("apply", manifests, stateDir);
  const writes = (await faultReport()).mutations;
  await setFaults(null);
  const atCrash = safetyProblems(await demoState(ids), ids);
  const recovered = await runJson<ApplyReport>("apply", manifests, stateDir);
  return {
    exits: [crashed.code, recovered.code],
    writes,
    atCrash,
    afterRecovery: convergenceProblems(await demoState(ids), ids),
    failedAfterRecovery: recovered.doc.results.filter((r) => r.status === "failed").map((r) => r.error ?? ""),
  };
}

describe("crash safety: an apply interrupted after every write, then a fresh apply", () => {
  it("is safe at every crash point and always converges afterwards", async () => {
    // How many writes a whole apply of the demo makes (the crash points are 0..total-1).
    fixture = await freshDemo();
    await setFaults({});
    const full = await runJson<ApplyReport>("apply", fixture.manifests, fixture.stateDir);
    const total = (await faultReport()).mutations;
    expect(full.code).toBe(0);
    const types = new Set(full.doc.actions.map((a) => a.type));
    for (const t of [
      "TagAccessPoint",
      "CreateAccessPoint",
      "UpdateFunctionFileSystem",
      "DeleteAccessPoint",
    ]) {
      expect(types).toContain(t);
    }
    for (const t of ["AuthorizeIngress", "RevokeIngress", "CreateMountTarget"]) expect(types).toContain(t);
    expect(total).toBeGreaterThanOrEqual(11);

    // k = total: every write done, the process gone before it verified and recorded the outcome.
    const outcomes: Record<number, CrashOutcome> = {};
    for (let k = 0; k <= total; k++) outcomes[k] = await crashAfter(k);

    const expected: Record<number, CrashOutcome> = {};
    for (let k = 0; k <= total; k++) {
      const exits: [number, number] = [k < total ? 1 : 0, 0];
      expected[k] = { exits, writes: k, atCrash: [], afterRecovery: [], failedAfterRecovery: [] };
    }
    expect(outcomes).toEqual(expected);
    console.info(
      `crash safety: ${total + 1} crash points tried (after 0, 1, …, ${total} of the ${total} writes of the ` +
        "demo's apply), each safe at the crash and converged by one fresh apply",
    );
  }, 600_000);
});
