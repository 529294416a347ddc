/**
 * The reconcilers and the planner converge without the workflow engine: on the fully drifted demo,
 * observe → plan → every action phase by phase (waiting for pending resources between phases) →
 * observe → plan finds nothing left, and a second pass sends no mutating call.
 */
import { DescribeAccessPointsCommand, DescribeMountTargetsCommand } from "@aws-sdk/client-efs";
import { GetFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AwsClients, CallRecorder } from "../../../src/aws/clients";
import type { Plan } from "../../../src/plan/types";
import { checkPending, reconcile } from "../../../src/reconcilers/index";
import type { PendingResource, ReconcileOutcome } from "../../../src/reconcilers/types";
import { configureEmulator, emulatorClients, resetEmulator } from "../../support/emulator";
import {
  accountSnapshot,
  loadDesired,
  MANAGED_BY_TAG,
  MANAGED_BY_VALUE,
  NAME_TAG,
  planFor,
  removeDir,
  seedDemoScenario,
  tempDir,
} from "../../support/scenarios";

let dir: string;

beforeEach(async () => {
  await resetEmulator();
  dir = await tempDir("efs-reconciler-converge-");
});

afterEach(async () => {
  await removeDir(dir);
});

/** What one pass did: outcomes in the order they ran, and how many pending checks it needed. */
interface Pass {
  outcomes: ReconcileOutcome[];
  pendingChecks: number;
}

/** Runs every action of `plan` sequentially in phase order; between phases waits until nothing is pending. */
async function runPhases(plan: Plan, clients: AwsClients): Promise<Pass> {
  const outcomes: ReconcileOutcome[] = [];
  let pendingChecks = 0;
  for (const phase of [1, 2, 3] as const) {
    let waiting: PendingResource[] = [];
    for (const action of plan.actions.filter((a) => a.phase === phase)) {
      const outcome = await reconcile(action, clients);
      outcomes.push(outcome);
      waiting.push(...outcome.pending);
    }
    while (waiting.length > 0) {
      pendingChecks += 1;
      if (pendingChecks > 20) throw new Error(`still pending after 20 checks: ${JSON.stringify(waiting)}`);
      const check = await checkPending(waiting, clients);
      expect(check.failed).toEqual([]);
      waiting = check.pending;
    }
  }
  return { outcomes, pendingChecks };
}

describe("converge without the workflow engine", () => {
  it("fixes every auto drift of the demo in one pass; a second pass sends no mutating call", async () => {
    const ids = await seedDemoScenario(emulatorClients(), dir);
    const desired = await loadDesired(dir);
    // New mount targets stay `creating` for a few looks, as in AWS: phase 2 has to wait for them.
    await configureEmulator({ mountTargetCreatingDescribes: 2 });

    const recorder = new CallRecorder();
    const clients = emulatorClients(recorder);
    const plan = await planFor(desired, clients);
    expect(new Set(plan.actions.map((a) => a.phase))).toEqual(new Set([1, 2, 3]));
    expect(plan.drift.filter((d) => d.remediation === "manual")).toEqual([]);

    const pass = await runPhases(plan, clients);

    expect(pass.outcomes.map((o) => o.actionId)).toEqual(plan.actions.map((a) => a.id));
    expect(pass.outcomes.filter((o) => o.status !== "succeeded")).toEqual([]);
    expect(pass.pendingChecks).toBeGreaterThan(0);
    expect(recorder.calls.filter((c) => c.mutating && !c.ok)).toEqual([]);

    const after = await planFor(desired, clients);
    expect(after.drift.filter((d) => d.remediation === "auto")).toEqual([]);
    expect(after.actions).toEqual([]);
    expect(after.drift).toEqual([]);

    // The resulting account: three mount targets, one managed access point (uid 1000) that both
    // functions mount, the root access point gone, the search API's timeout raised.
    const mts = await clients.efs.send(new DescribeMountTargetsCommand({ FileSystemId: ids.fileSystemId }));
    expect((mts.MountTargets ?? []).map((mt) => mt.AvailabilityZoneName).sort()).toEqual([
      "us-east-1a",
      "us-east-1b",
      "us-east-1c",
    ]);
    const aps = await clients.efs.send(new DescribeAccessPointsCommand({ FileSystemId: ids.fileSystemId }));
    expect(aps.AccessPoints).toHaveLength(1);
    const [ap] = aps.AccessPoints ?? [];
    expect(ap?.AccessPointId).not.toBe(ids.rootAccessPointId);
    expect(ap?.PosixUser).toMatchObject({ Uid: 1000, Gid: 1000 });
    expect(ap?.Tags).toEqual(
      expect.arrayContaining([
        { Key: NAME_TAG, Value: "lambda" },
        { Key: MANAGED_BY_TAG, Value: MANAGED_BY_VALUE },
      ]),
    );
    for (const [name, timeout] of [
      ["suplementia-search", 30],
      ["suplementia-embeddings", 60],
    ] as const) {
      const fn = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      expect(fn.FileSystemConfigs).toEqual([{ Arn: ap?.AccessPointArn, LocalMountPath: "/mnt/efs" }]);
      expect(fn.Timeout).toBe(timeout);
    }

    // Second pass: observe, plan, run whatever it asks for — nothing, and nothing written.
    const second = new CallRecorder();
    const again = emulatorClients(second);
    const before = await accountSnapshot(again);
    const secondCallsFrom = second.count();
    const plan2 = await planFor(desired, again);
    const pass2 = await runPhases(plan2, again);
    expect(plan2.actions).toEqual([]);
    expect(pass2.outcomes).toEqual([]);
    expect(second.count()).toBeGreaterThan(secondCallsFrom);
    expect(second.mutating()).toEqual([]);
    expect(await accountSnapshot(again)).toBe(before);
  });
});
