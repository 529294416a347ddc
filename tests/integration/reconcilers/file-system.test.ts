/**
 * File-system reconcilers over the wire: PutLifecycleConfiguration, UpdateThroughputMode and
 * PutBackupPolicy, each from a real plan.
 */
import {
  DescribeBackupPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeLifecycleConfigurationCommand,
  PutBackupPolicyCommand,
  PutLifecycleConfigurationCommand,
  UpdateFileSystemCommand,
} from "@aws-sdk/client-efs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reconcile } from "../../../src/reconcilers/index";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { onlyAction, planFor, removeDir, seedBaselineIn, tempDir } from "../../support/scenarios";
import { expectRerunSkipped } from "./helpers";

const clients = emulatorClients();
let dir: string;

beforeEach(async () => {
  await resetEmulator();
  dir = await tempDir("efs-reconciler-fs-");
});

afterEach(async () => {
  await removeDir(dir);
});

describe("PutLifecycleConfiguration", () => {
  it("puts both transitions as one policy list; a rerun is skipped", async () => {
    const { b, desired } = await seedBaselineIn(clients, dir);
    await clients.efs.send(
      new PutLifecycleConfigurationCommand({
        FileSystemId: b.fileSystemId,
        LifecyclePolicies: [{ TransitionToIA: "AFTER_7_DAYS" }],
      }),
    );
    const action = onlyAction(await planFor(desired, clients), "PutLifecycleConfiguration");

    expect(await reconcile(action, clients)).toMatchObject({ actionId: action.id, status: "succeeded" });

    const live = await clients.efs.send(
      new DescribeLifecycleConfigurationCommand({ FileSystemId: b.fileSystemId }),
    );
    expect(live.LifecyclePolicies).toEqual([
      { TransitionToIA: "AFTER_30_DAYS" },
      { TransitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
    ]);
    await expectRerunSkipped(action, clients);
    expect((await planFor(desired, clients)).drift).toEqual([]);
  });
});

describe("UpdateThroughputMode", () => {
  it("sets the manifest's throughput mode; a rerun is skipped", async () => {
    const { b, desired } = await seedBaselineIn(clients, dir);
    await clients.efs.send(
      new UpdateFileSystemCommand({ FileSystemId: b.fileSystemId, ThroughputMode: "elastic" }),
    );
    const action = onlyAction(await planFor(desired, clients), "UpdateThroughputMode");

    expect(await reconcile(action, clients)).toMatchObject({ actionId: action.id, status: "succeeded" });

    const live = await clients.efs.send(new DescribeFileSystemsCommand({ FileSystemId: b.fileSystemId }));
    expect(live.FileSystems?.[0]?.ThroughputMode).toBe("bursting");
    await expectRerunSkipped(action, clients);
    expect((await planFor(desired, clients)).drift).toEqual([]);
  });
});

describe("PutBackupPolicy", () => {
  it("turns automatic backups on as the manifest says; a rerun is skipped", async () => {
    const { b, desired } = await seedBaselineIn(clients, dir);
    await clients.efs.send(
      new PutBackupPolicyCommand({ FileSystemId: b.fileSystemId, BackupPolicy: { Status: "DISABLED" } }),
    );
    const action = onlyAction(await planFor(desired, clients), "PutBackupPolicy");

    expect(await reconcile(action, clients)).toMatchObject({ actionId: action.id, status: "succeeded" });

    const live = await clients.efs.send(new DescribeBackupPolicyCommand({ FileSystemId: b.fileSystemId }));
    expect(live.BackupPolicy?.Status).toBe("ENABLED");
    await expectRerunSkipped(action, clients);
    expect((await planFor(desired, clients)).drift).toEqual([]);
  });
});
