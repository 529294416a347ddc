/**
 * The workflow's observation stages read inside AWS's rate limits: DEFAULT_OBSERVE_RATES unless the
 * deployment (or a local run against an emulator) says otherwise.
 */
import { describe, expect, it } from "vitest";
import type { AwsClients } from "../../src/aws/clients";
import type { ObserveOptions } from "../../src/observe/observe";
import { DEFAULT_OBSERVE_RATES } from "../../src/observe/observe";
import type { TaskDeps } from "../../src/statemachine/tasks";
import { createTasks, DEFAULT_TASK_CORE } from "../../src/statemachine/workflow-tasks";
import { EMPTY_OBSERVATION } from "./fake-world";

type Rates = ObserveOptions["ratePerSecond"];

/** The rates each stage's task observed under, in one pass of the three stages. */
async function ratesOfOneObservation(extra: Partial<TaskDeps>): Promise<Record<string, Rates>> {
  const seen: Record<string, Rates> = {};
  const tasks = createTasks(
    {
      loadDesired: async () => ({ fileSystems: [], accessPoints: [], functions: [], revision: "sha256:x" }),
      clients: {} as AwsClients,
      record: async () => {},
      ...extra,
    },
    {
      ...DEFAULT_TASK_CORE,
      observe: {
        sources: async (_desired, _clients, options) => {
          seen.sources = options.ratePerSecond;
          return EMPTY_OBSERVATION.sources;
        },
        network: async (_desired, _sources, _clients, options) => {
          seen.network = options.ratePerSecond;
          return EMPTY_OBSERVATION.network;
        },
        checklist: async (_desired, _sources, _clients, options) => {
          seen.checklist = options.ratePerSecond;
          return EMPTY_OBSERVATION.checklist;
        },
      },
    },
  );
  const at = { runId: "20261128T120000Z-0000abcd", pass: "plan" as const };
  const sources = await tasks.observeSources(at);
  await tasks.observeNetwork({ ...at, sources });
  await tasks.observeChecklist({ ...at, sources });
  return seen;
}

describe("observation rate limits in the workflow", () => {
  it("observes under the default per-service rates, in every stage", async () => {
    expect(await ratesOfOneObservation({})).toEqual({
      sources: DEFAULT_OBSERVE_RATES,
      network: DEFAULT_OBSERVE_RATES,
      checklist: DEFAULT_OBSERVE_RATES,
    });
    expect(DEFAULT_OBSERVE_RATES.efs).toBeLessThanOrEqual(10);
    expect(DEFAULT_OBSERVE_RATES.lambda).toBeLessThan(15);
  });

  it("takes the deployment's rates, or none", async () => {
    expect(await ratesOfOneObservation({ observeRates: { efs: 3 } })).toEqual({
      sources: { efs: 3 },
      network: { efs: 3 },
      checklist: { efs: 3 },
    });
    expect(await ratesOfOneObservation({ observeRates: false })).toEqual({
      sources: false,
      network: false,
      checklist: false,
    });
  });
});
