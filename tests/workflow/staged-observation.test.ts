/**
 * The observation stages' tasks: each result passes inline while small and through the run store
 * when large, and Plan plans the same either way.
 */
import { describe, expect, it } from "vitest";
import type { ObservedSources } from "../../src/observe/stages";
import { createMemoryRunStore, type StoredRef } from "../../src/statemachine/run-store";
import { RunStoreRequiredError } from "../../src/statemachine/stored-documents";
import type { TaskDeps } from "../../src/statemachine/tasks";
import { createTasks } from "../../src/statemachine/workflow-tasks";
import type { PlanStep, StagedObservationInput } from "../../src/statemachine/workflow-types";
import { convergedAccount, convergedDesired, mockAccount } from "../unit/observe/fake-account";

const RUN_ID = "20261128T120000Z-0000abcd";

function tasksFor(extra: Partial<TaskDeps>) {
  const { clients } = mockAccount(convergedAccount());
  const desired = convergedDesired();
  return createTasks({ loadDesired: async () => desired, clients, record: async () => {}, ...extra });
}

async function observeAndPlan(tasks: ReturnType<typeof tasksFor>) {
  const at = { runId: RUN_ID, pass: "plan" as const };
  const sources = await tasks.observeSources(at);
  const observation: StagedObservationInput = {
    sources,
    network: await tasks.observeNetwork({ ...at, sources }),
    checklist: await tasks.observeChecklist({ ...at, sources }),
  };
  const step = (await tasks.plan({ input: { mode: "dry-run", runId: RUN_ID }, observation })) as PlanStep;
  return { observation, plan: step.plan };
}

describe("observation stages in the workflow", () => {
  it("passes small results inline, large ones through the run store, and plans the same from both", async () => {
    const inline = await observeAndPlan(tasksFor({ store: createMemoryRunStore(), observeRates: false }));
    const store = createMemoryRunStore();
    const stored = await observeAndPlan(tasksFor({ store, observeRates: false, inlineStageLimitBytes: 64 }));

    expect("region" in inline.observation.sources).toBe(true);
    expect(stored.observation).toEqual({
      sources: {
        stage: "sources",
        stored: { Bucket: "efs-reconciler-local", Key: `runs/${RUN_ID}/observed-for-plan/sources.json` },
      },
      network: {
        stage: "network",
        stored: { Bucket: "efs-reconciler-local", Key: `runs/${RUN_ID}/observed-for-plan/network.json` },
      },
      checklist: {
        stage: "checklist",
        stored: { Bucket: "efs-reconciler-local", Key: `runs/${RUN_ID}/observed-for-plan/checklist.json` },
      },
    });
    expect(await store.get((stored.observation.sources as { stored: StoredRef }).stored)).toEqual(
      inline.observation.sources,
    );
    expect(stored.plan).toEqual(inline.plan);
    expect(Object.keys((inline.observation.sources as ObservedSources).fileSystems)).toEqual(["ml-data"]);
  });

  it("keeps every result inline without a run store, whatever its size", async () => {
    const { observation } = await observeAndPlan(
      tasksFor({ observeRates: false, inlineStageLimitBytes: 64 }),
    );
    expect(Object.values(observation).every((r) => !("stored" in r))).toBe(true);
  });

  it("refuses a stored result without a run store, naming the stage", async () => {
    const tasks = tasksFor({ observeRates: false });
    const sources = { stage: "sources", stored: { Bucket: "b", Key: "k" } };
    await expect(tasks.observeNetwork({ runId: RUN_ID, pass: "plan", sources })).rejects.toThrow(
      RunStoreRequiredError,
    );
    await expect(tasks.observeNetwork({ runId: RUN_ID, pass: "plan", sources })).rejects.toThrow(
      "the sources stage's observation is stored by reference",
    );
  });
});
