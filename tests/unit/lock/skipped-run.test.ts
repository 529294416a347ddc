/**
 * One run at a time through the real workflow definition (executed locally by `runWorkflow`, as
 * `apply` runs it): a run that finds the lease held ends as skipped after TakeLease without observing
 * anything, the lease is released however a run ends, and two applies never interleave.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsClients } from "../../../src/aws/clients";
import type { DesiredState } from "../../../src/desired-state/types";
import { createFileLease } from "../../../src/lock/file-lease";
import { RunSkippedError } from "../../../src/lock/run-lease";
import { observeChecklistAlone } from "../../../src/observe/observe-checklist";
import { observeNetworkAlone } from "../../../src/observe/observe-network";
import { observeSourcesAlone } from "../../../src/observe/observe-sources";
import { planChanges } from "../../../src/plan/index";
import type { Action } from "../../../src/plan/types";
import { reconcile } from "../../../src/reconcilers/index";
import { runWorkflow } from "../../../src/statemachine/local-engine";
import { action, EMPTY_OBSERVATION, plan } from "../../workflow/fake-world";

vi.mock("../../../src/observe/observe-sources", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../src/observe/observe-sources")>()),
  observeSourcesAlone: vi.fn(),
}));
vi.mock("../../../src/observe/observe-network", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../src/observe/observe-network")>()),
  observeNetworkAlone: vi.fn(),
}));
vi.mock("../../../src/observe/observe-checklist", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../src/observe/observe-checklist")>()),
  observeChecklistAlone: vi.fn(),
}));
vi.mock("../../../src/plan/index", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../src/plan/index")>()),
  planChanges: vi.fn(),
}));
vi.mock("../../../src/reconcilers/index", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../src/reconcilers/index")>()),
  reconcile: vi.fn(),
}));

const DESIRED: DesiredState = { fileSystems: [], accessPoints: [], functions: [], revision: "sha256:test" };

let stateDir: string;

/** Plans `actions` on the first observation of a run and nothing after. */
function planning(byRun: Record<string, Action[]>): void {
  vi.mocked(observeSourcesAlone).mockResolvedValue(EMPTY_OBSERVATION.sources);
  vi.mocked(observeNetworkAlone).mockResolvedValue(EMPTY_OBSERVATION.network);
  vi.mocked(observeChecklistAlone).mockResolvedValue(EMPTY_OBSERVATION.checklist);
  const seen = new Set<string>();
  vi.mocked(planChanges).mockImplementation((desired, _observed, meta) => {
    const first = !seen.has(meta.runId);
    seen.add(meta.runId);
    const actions = first ? (byRun[desired.revision] ?? []) : [];
    return { ...plan(first ? meta.mode : "apply", actions, []), runId: meta.runId };
  });
  vi.mocked(reconcile).mockImplementation(async (a) => ({
    actionId: a.id,
    status: "succeeded",
    message: `did ${a.id}`,
    pending: [],
  }));
}

function deps(revision: string) {
  return {
    loadDesired: async () => ({ ...DESIRED, revision }),
    clients: {} as AwsClients,
    record: async () => {},
    lease: createFileLease(stateDir),
    fastWaits: true,
  };
}

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "efsr-skip-"));
});

afterEach(async () => {
  vi.mocked(observeSourcesAlone).mockReset();
  vi.mocked(observeNetworkAlone).mockReset();
  vi.mocked(observeChecklistAlone).mockReset();
  vi.mocked(planChanges).mockReset();
  vi.mocked(reconcile).mockReset();
  await rm(stateDir, { recursive: true, force: true });
});

describe("one run at a time", () => {
  it("ends a run as skipped after TakeLease, observing nothing, while another run holds the lease", async () => {
    planning({ a: [action("a1", 1)] });
    await createFileLease(stateDir).acquire({
      holder: "other",
      runId: "20261128T110000Z-00000001",
      mode: "apply",
    });
    const states: string[] = [];
    const error = await runWorkflow(
      { mode: "apply", maxChanges: 25 },
      { ...deps("a"), onEngineEvent: (e) => e.type === "StateEntered" && states.push(e.state.name) },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunSkippedError);
    const { skipped } = error as RunSkippedError;
    expect(skipped.status).toBe("skipped");
    expect(skipped.heldBy.holder).toBe("other");
    expect(skipped.message).toContain("run 20261128T110000Z-00000001");
    expect(states).toEqual(["TakeLease", "Leased", "Skipped"]);
    expect(observeSourcesAlone).not.toHaveBeenCalled();
    // The skipped run did not release the other run's lease.
    expect(await readdir(stateDir)).toEqual(["run.lock"]);
  });

  it("releases the lease when the run ends, also when it fails", async () => {
    planning({ a: [action("a1", 1)] });
    const result = await runWorkflow({ mode: "apply", maxChanges: 25 }, deps("a"));
    expect(result.status).toBe("SUCCEEDED");
    expect(await readdir(stateDir)).toEqual([]);

    vi.mocked(observeSourcesAlone).mockRejectedValue(new Error("observe broke"));
    await expect(runWorkflow({ mode: "apply", maxChanges: 25 }, deps("a"))).rejects.toThrow("observe broke");
    expect(await readdir(stateDir)).toEqual([]);
  });

  it("never lets two applies interleave: the second is skipped while the first is applying", async () => {
    planning({ first: [action("a1", 1)], second: [action("b1", 1)] });
    let started = () => {};
    const firstStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    let finish = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const reconciled: string[] = [];
    vi.mocked(reconcile).mockImplementation(async (a) => {
      reconciled.push(`start:${a.id}`);
      if (a.id === "a1") {
        started();
        await finished;
      }
      reconciled.push(`end:${a.id}`);
      return { actionId: a.id, status: "succeeded", message: `did ${a.id}`, pending: [] };
    });

    const firstRun = runWorkflow({ mode: "apply", maxChanges: 25 }, deps("first"));
    await firstStarted;
    await expect(runWorkflow({ mode: "apply", maxChanges: 25 }, deps("second"))).rejects.toBeInstanceOf(
      RunSkippedError,
    );
    finish();
    expect((await firstRun).status).toBe("SUCCEEDED");
    expect(reconciled).toEqual(["start:a1", "end:a1"]);

    const after = await runWorkflow({ mode: "apply", maxChanges: 25 }, deps("second"));
    expect(after.status).toBe("SUCCEEDED");
    expect(reconciled).toEqual(["start:a1", "end:a1", "start:b1", "end:b1"]);
  });
});
