/**
 * The workflow's tasks observe inside AWS's rate limits: DEFAULT_OBSERVE_RATES unless the
 * deployment (or a local run against an emulator) says otherwise.
 */
import { describe, expect, it } from "vitest";
import type { AwsClients } from "../../src/aws/clients";
import type { ObserveOptions } from "../../src/observe/observe";
import { DEFAULT_OBSERVE_RATES } from "../../src/observe/observe";
import type { ObservedState } from "../../src/observe/types";
import type { TaskDeps } from "../../src/statemachine/tasks";
import { createTasks, DEFAULT_TASK_CORE } from "../../src/statemachine/workflow-tasks";

const OBSERVED: ObservedState = {
  region: "us-east-1",
  fileSystems: {},
  functions: {},
  mountedBy: {},
  subnets: {},
  vpcSubnets: {},
  securityGroups: {},
};

async function ratesOfOnePlan(extra: Partial<TaskDeps>): Promise<ObserveOptions["ratePerSecond"]> {
  let seen: ObserveOptions["ratePerSecond"] | "not called" = "not called";
  const tasks = createTasks(
    {
      loadDesired: async () => ({ fileSystems: [], accessPoints: [], functions: [], revision: "sha256:x" }),
      clients: {} as AwsClients,
      record: async () => {},
      ...extra,
    },
    {
      ...DEFAULT_TASK_CORE,
      observe: async (_desired, _clients, options) => {
        seen = options?.ratePerSecond;
        return OBSERVED;
      },
    },
  );
  await tasks.plan({ input: { mode: "dry-run" } });
  if (seen === "not called") throw new Error("the Plan task did not observe");
  return seen;
}

describe("observation rate limits in the workflow", () => {
  it("observes under the default per-service rates", async () => {
    expect(await ratesOfOnePlan({})).toEqual(DEFAULT_OBSERVE_RATES);
    expect(DEFAULT_OBSERVE_RATES.efs).toBeLessThanOrEqual(10);
    expect(DEFAULT_OBSERVE_RATES.lambda).toBeLessThan(15);
  });

  it("takes the deployment's rates, or none", async () => {
    expect(await ratesOfOnePlan({ observeRates: { efs: 3 } })).toEqual({ efs: 3 });
    expect(await ratesOfOnePlan({ observeRates: false })).toBe(false);
  });
});
