/**
 * Function reconcilers over the wire: UpdateFunctionConfiguration (timeout raised, VPC config
 * enforced) and UpdateFunctionFileSystem (to an existing access point by ARN, and to the one a
 * CreateAccessPoint action of the same plan makes), each from a real plan.
 */
import { DeleteAccessPointCommand } from "@aws-sdk/client-efs";
import {
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkPending, reconcile } from "../../../src/reconcilers/index";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { actionsOf, onlyAction, planFor, removeDir, seedBaselineIn, tempDir } from "../../support/scenarios";
import { expectRefused, expectRerunSkipped } from "./helpers";

const clients = emulatorClients();
let dir: string;

beforeEach(async () => {
  await resetEmulator();
  dir = await tempDir("efs-reconciler-fn-");
});

afterEach(async () => {
  await removeDir(dir);
});

async function fn(functionName: string): Promise<FunctionConfiguration> {
  return clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
}

const update = (FunctionName: string, change: object) =>
  clients.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName, ...change }));

describe("UpdateFunctionConfiguration", () => {
  it("raises a timeout below the minimum to the minimum and waits for the update; a rerun is skipped", async () => {
    const { b, desired } = await seedBaselineIn(clients, dir);
    const name = b.functions.api.functionName;
    await update(name, { Timeout: 3 });
    const action = onlyAction(await planFor(desired, clients), "UpdateFunctionConfiguration");

    const outcome = await reconcile(action, clients);

    expect(outcome).toMatchObject({
      actionId: action.id,
      status: "succeeded",
      pending: [{ type: "function", functionName: name }],
    });
    expect(await checkPending(outcome.pending, clients)).toEqual({ ready: true, pending: [], failed: [] });
    const live = await fn(name);
    expect(live.Timeout).toBe(30);
    expect(live.FileSystemConfigs).toEqual([{ Arn: b.accessPointArn, LocalMountPath: "/mnt/efs" }]);
    await expectRerunSkipped(action, clients);
    expect((await planFor(desired, clients)).drift).toEqual([]);
  });

  it("puts a function back on the manifest's subnets and keeps its mount; a rerun is skipped", async () => {
    const { b, desired } = await seedBaselineIn(clients, dir);
    const name = b.functions.worker.functionName;
    const [a, bb, c] = ["us-east-1a", "us-east-1b", "us-east-1c"].map((az) => b.subnetByAz[az] as string);
    await update(name, { VpcConfig: { SubnetIds: [a, c], SecurityGroupIds: [b.functionSg] } });
    const action = onlyAction(await planFor(desired, clients), "UpdateFunctionConfiguration");
    expect(action.params.vpcConfig).toBeDefined();

    expect(await reconcile(action, clients)).toMatchObject({ actionId: action.id, status: "succeeded" });

    const live = await fn(name);
    expect([...(live.VpcConfig?.SubnetIds ?? [])].sort()).toEqual([a, bb].sort());
    expect(live.VpcConfig?.SecurityGroupIds).toEqual([b.functionSg]);
    expect(live.VpcConfig?.VpcId).toBe(b.network.vpcId);
    expect(live.FileSystemConfigs).toEqual([{ Arn: b.accessPointArn, LocalMountPath: "/mnt/efs" }]);
    await expectRerunSkipped(action, clients);
    expect((await planFor(desired, clients)).drift).toEqual([]);
  });

  it("attaches a function that left its VPC to the manifest's subnets (then the mount follows)", async () => {
    const { b, desired } = await seedBaselineIn(clients, dir);
    const name = b.functions.worker.functionName;
    await update(name, { VpcConfig: { SubnetIds: [], SecurityGroupIds: [] }, FileSystemConfigs: [] });
    const plan = await planFor(desired, clients);
    const attach = onlyAction(plan, "UpdateFunctionConfiguration");
    const mount = onlyAction(plan, "UpdateFunctionFileSystem");

    // Phase order matters: mounting before the function is in a VPC is refused.
    await expectRefused(mount, clients, "TerminalReconcileError", /not in a VPC/);
    expect((await reconcile(attach, clients)).status).toBe("succeeded");
    expect((await reconcile(mount, clients)).status).toBe("succeeded");

    const live = await fn(name);
    expect(live.VpcConfig?.SubnetIds?.length).toBe(2);
    expect(live.FileSystemConfigs).toEqual([{ Arn: b.accessPointArn, LocalMountPath: "/mnt/efs" }]);
    await expectRerunSkipped(attach, clients);
    await expectRerunSkipped(mount, clients);
    expect((await planFor(desired, clients)).drift).toEqual([]);
  });
});

describe("UpdateFunctionFileSystem", () => {
  it("mounts the live access point (target by ARN) at the manifest's path; a rerun is skipped", async () => {
    const { b, desired } = await seedBaselineIn(clients, dir);
    const name = b.functions.api.functionName;
    await update(name, { FileSystemConfigs: [{ Arn: b.accessPointArn, LocalMountPath: "/mnt/data" }] });
    const action = onlyAction(await planFor(desired, clients), "UpdateFunctionFileSystem");
    expect(action.params.target).toEqual({ accessPointArn: b.accessPointArn });

    const outcome = await reconcile(action, clients);

    expect(outcome).toMatchObject({ actionId: action.id, status: "succeeded" });
    expect((await checkPending(outcome.pending, clients)).ready).toBe(true);
    expect((await fn(name)).FileSystemConfigs).toEqual([
      { Arn: b.accessPointArn, LocalMountPath: "/mnt/efs" },
    ]);
    await expectRerunSkipped(action, clients);
    expect((await planFor(desired, clients)).drift).toEqual([]);
  });

  it("mounts the access point a CreateAccessPoint of the same plan makes (target by {create, specHash})", async () => {
    const { b, desired } = await seedBaselineIn(clients, dir);
    await clients.efs.send(new DeleteAccessPointCommand({ AccessPointId: b.accessPointId }));
    const plan = await planFor(desired, clients);
    const create = onlyAction(plan, "CreateAccessPoint");
    const repoints = actionsOf(plan, "UpdateFunctionFileSystem");
    expect(repoints).toHaveLength(2);
    const [first] = repoints;
    if (!first) throw new Error("no repoint");
    expect(first.params.target).toEqual({
      create: create.params.definition,
      specHash: create.params.specHash,
    });

    // Before the access point exists the repoint waits (retryable) and changes nothing.
    await expectRefused(first, clients, "RetryableReconcileError", /not created yet/);

    expect((await reconcile(create, clients)).status).toBe("succeeded");
    for (const repoint of repoints) {
      expect(await reconcile(repoint, clients)).toMatchObject({ actionId: repoint.id, status: "succeeded" });
    }

    const after = await planFor(desired, clients);
    expect(after.drift).toEqual([]);
    expect(after.actions).toEqual([]);
    const newArn = (await fn(b.functions.api.functionName)).FileSystemConfigs?.[0]?.Arn;
    expect(newArn).toMatch(/:access-point\/fsap-/);
    expect(newArn).not.toBe(b.accessPointArn);
    expect((await fn(b.functions.worker.functionName)).FileSystemConfigs).toEqual([
      { Arn: newArn, LocalMountPath: "/mnt/efs" },
    ]);
    for (const repoint of repoints) await expectRerunSkipped(repoint, clients);
  });
});
