import {
  type BackupPolicy,
  DescribeBackupPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeLifecycleConfigurationCommand,
  EFSClient,
  type FileSystemDescription,
  IncorrectFileSystemLifeCycleState,
  type LifecyclePolicy,
  PolicyNotFound,
  PutBackupPolicyCommand,
  type PutBackupPolicyCommandInput,
  PutLifecycleConfigurationCommand,
  type PutLifecycleConfigurationCommandInput,
  TooManyRequests,
  UpdateFileSystemCommand,
  type UpdateFileSystemCommandInput,
} from "@aws-sdk/client-efs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { RetryableReconcileError, TerminalReconcileError } from "../../../src/reconcilers/errors";
import {
  reconcilePutBackupPolicy,
  reconcilePutLifecycleConfiguration,
  reconcileUpdateThroughputMode,
} from "../../../src/reconcilers/file-system";
import { action, awsError, testClients } from "./fixtures";

const efs = mockClient(EFSClient);
const clients = testClients();

let lifecycle: LifecyclePolicy[];
let fileSystem: FileSystemDescription;
let backup: BackupPolicy | undefined;

beforeEach(() => {
  efs.reset();
  lifecycle = [];
  backup = undefined;
  fileSystem = {
    FileSystemId: "fs-1",
    OwnerId: "111122223333",
    CreationToken: "t",
    CreationTime: new Date(0),
    LifeCycleState: "available",
    NumberOfMountTargets: 1,
    SizeInBytes: { Value: 0 },
    PerformanceMode: "generalPurpose",
    ThroughputMode: "bursting",
    Tags: [],
  };
  efs.on(DescribeLifecycleConfigurationCommand).callsFake(() => ({ LifecyclePolicies: lifecycle }));
  efs.on(PutLifecycleConfigurationCommand).callsFake((input: PutLifecycleConfigurationCommandInput) => {
    lifecycle = input.LifecyclePolicies ?? [];
    return { LifecyclePolicies: lifecycle };
  });
  efs.on(DescribeFileSystemsCommand).callsFake(() => ({ FileSystems: [fileSystem] }));
  efs.on(UpdateFileSystemCommand).callsFake((input: UpdateFileSystemCommandInput) => {
    fileSystem = {
      ...fileSystem,
      ThroughputMode: input.ThroughputMode,
      ProvisionedThroughputInMibps: input.ProvisionedThroughputInMibps,
    };
    return fileSystem;
  });
  efs.on(DescribeBackupPolicyCommand).callsFake(() => {
    if (!backup) throw new PolicyNotFound({ $metadata: {}, message: "none", ErrorCode: "PolicyNotFound" });
    return { BackupPolicy: backup };
  });
  efs.on(PutBackupPolicyCommand).callsFake((input: PutBackupPolicyCommandInput) => {
    backup = input.BackupPolicy;
    return { BackupPolicy: backup };
  });
});

describe("PutLifecycleConfiguration", () => {
  const put = action(
    {
      type: "PutLifecycleConfiguration",
      params: {
        fileSystemId: "fs-1",
        transitionToIA: "AFTER_30_DAYS",
        transitionToPrimaryStorageClass: "AFTER_1_ACCESS",
      },
    },
    "fs-1",
  );

  it("puts both transitions as one list", async () => {
    const out = await reconcilePutLifecycleConfiguration(put, clients);
    expect(efs.commandCalls(PutLifecycleConfigurationCommand).map((c) => c.args[0].input)).toEqual([
      {
        FileSystemId: "fs-1",
        LifecyclePolicies: [
          { TransitionToIA: "AFTER_30_DAYS" },
          { TransitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
        ],
      },
    ]);
    expect(out.status).toBe("succeeded");
  });

  it("keeps the live archive transition (not managed by manifests)", async () => {
    lifecycle = [{ TransitionToIA: "AFTER_7_DAYS" }, { TransitionToArchive: "AFTER_90_DAYS" }];
    await reconcilePutLifecycleConfiguration(put, clients);
    expect(lifecycle).toEqual([
      { TransitionToIA: "AFTER_30_DAYS" },
      { TransitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
      { TransitionToArchive: "AFTER_90_DAYS" },
    ]);
  });

  it("omits a NONE transition", async () => {
    lifecycle = [{ TransitionToIA: "AFTER_30_DAYS" }, { TransitionToPrimaryStorageClass: "AFTER_1_ACCESS" }];
    const none = action({
      type: "PutLifecycleConfiguration",
      params: {
        fileSystemId: "fs-1",
        transitionToIA: "AFTER_30_DAYS",
        transitionToPrimaryStorageClass: "NONE",
      },
    });
    await reconcilePutLifecycleConfiguration(none, clients);
    expect(lifecycle).toEqual([{ TransitionToIA: "AFTER_30_DAYS" }]);
  });

  it("an equal configuration (in any order) is success without a write", async () => {
    lifecycle = [{ TransitionToPrimaryStorageClass: "AFTER_1_ACCESS" }, { TransitionToIA: "AFTER_30_DAYS" }];
    expect((await reconcilePutLifecycleConfiguration(put, clients)).status).toBe("skipped");
    expect(efs).not.toHaveReceivedCommand(PutLifecycleConfigurationCommand);
  });

  it("absent transitions equal NONE", async () => {
    const allNone = action({
      type: "PutLifecycleConfiguration",
      params: { fileSystemId: "fs-1", transitionToIA: "NONE", transitionToPrimaryStorageClass: "NONE" },
    });
    expect((await reconcilePutLifecycleConfiguration(allNone, clients)).status).toBe("skipped");
  });

  it("run twice: the second run writes nothing", async () => {
    await reconcilePutLifecycleConfiguration(put, clients);
    expect((await reconcilePutLifecycleConfiguration(put, clients)).status).toBe("skipped");
    expect(efs).toHaveReceivedCommandTimes(PutLifecycleConfigurationCommand, 1);
  });

  it("a file system in transition is retryable", async () => {
    efs.on(PutLifecycleConfigurationCommand).rejects(
      new IncorrectFileSystemLifeCycleState({
        $metadata: {},
        message: "updating",
        ErrorCode: "IncorrectFileSystemLifeCycleState",
      }),
    );
    await expect(reconcilePutLifecycleConfiguration(put, clients)).rejects.toThrow(RetryableReconcileError);
  });
});

describe("UpdateThroughputMode", () => {
  const elastic = action(
    { type: "UpdateThroughputMode", params: { fileSystemId: "fs-1", throughputMode: "elastic" } },
    "fs-1",
  );
  const provisioned = action({
    type: "UpdateThroughputMode",
    params: { fileSystemId: "fs-1", throughputMode: "provisioned", provisionedThroughputInMibps: 128 },
  });

  it("changes the mode", async () => {
    const out = await reconcileUpdateThroughputMode(elastic, clients);
    expect(efs.commandCalls(UpdateFileSystemCommand).map((c) => c.args[0].input)).toEqual([
      { FileSystemId: "fs-1", ThroughputMode: "elastic" },
    ]);
    expect(out.status).toBe("succeeded");
  });

  it("sends the provisioned MiB/s with the provisioned mode, and a MiB/s change alone", async () => {
    await reconcileUpdateThroughputMode(provisioned, clients);
    expect(efs).toHaveReceivedCommandWith(UpdateFileSystemCommand, {
      FileSystemId: "fs-1",
      ThroughputMode: "provisioned",
      ProvisionedThroughputInMibps: 128,
    });
    fileSystem.ProvisionedThroughputInMibps = 64;
    expect((await reconcileUpdateThroughputMode(provisioned, clients)).status).toBe("succeeded");
    expect(fileSystem.ProvisionedThroughputInMibps).toBe(128);
  });

  it("run twice: the second run writes nothing", async () => {
    await reconcileUpdateThroughputMode(elastic, clients);
    expect((await reconcileUpdateThroughputMode(elastic, clients)).status).toBe("skipped");
    expect(efs).toHaveReceivedCommandTimes(UpdateFileSystemCommand, 1);
  });

  it("an equal mode is success without a write", async () => {
    fileSystem.ThroughputMode = "elastic";
    expect((await reconcileUpdateThroughputMode(elastic, clients)).status).toBe("skipped");
    expect(efs).not.toHaveReceivedCommand(UpdateFileSystemCommand);
  });

  it("EFS's throughput cooldown (TooManyRequests) is terminal and says it can change later", async () => {
    efs
      .on(UpdateFileSystemCommand)
      .rejects(new TooManyRequests({ $metadata: {}, message: "wait", ErrorCode: "TooManyRequests" }));
    const run = reconcileUpdateThroughputMode(elastic, clients);
    await expect(run).rejects.toThrow(TerminalReconcileError);
    await expect(run).rejects.toThrow(/can change again later/);
  });

  it("a file system in transition is retryable", async () => {
    efs.on(UpdateFileSystemCommand).rejects(
      new IncorrectFileSystemLifeCycleState({
        $metadata: {},
        message: "updating",
        ErrorCode: "IncorrectFileSystemLifeCycleState",
      }),
    );
    await expect(reconcileUpdateThroughputMode(elastic, clients)).rejects.toThrow(RetryableReconcileError);
  });

  it("throttling is retryable, access denied terminal", async () => {
    efs.on(DescribeFileSystemsCommand).rejectsOnce(awsError("ThrottlingException"));
    await expect(reconcileUpdateThroughputMode(elastic, clients)).rejects.toThrow(RetryableReconcileError);
    efs.on(UpdateFileSystemCommand).rejects(awsError("AccessDeniedException", 403));
    await expect(reconcileUpdateThroughputMode(elastic, clients)).rejects.toThrow(TerminalReconcileError);
  });
});

describe("PutBackupPolicy", () => {
  const enable = action(
    { type: "PutBackupPolicy", params: { fileSystemId: "fs-1", status: "ENABLED" } },
    "fs-1",
  );
  const disable = action(
    { type: "PutBackupPolicy", params: { fileSystemId: "fs-1", status: "DISABLED" } },
    "fs-1",
  );

  it("enables backups (no policy yet)", async () => {
    const out = await reconcilePutBackupPolicy(enable, clients);
    expect(efs.commandCalls(PutBackupPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { FileSystemId: "fs-1", BackupPolicy: { Status: "ENABLED" } },
    ]);
    expect(out.status).toBe("succeeded");
  });

  it("run twice: the second run writes nothing", async () => {
    await reconcilePutBackupPolicy(enable, clients);
    expect((await reconcilePutBackupPolicy(enable, clients)).status).toBe("skipped");
    expect(efs).toHaveReceivedCommandTimes(PutBackupPolicyCommand, 1);
  });

  it.each<[string, BackupPolicy | undefined, "enable" | "disable"]>([
    ["ENABLING counts as ENABLED", { Status: "ENABLING" }, "enable"],
    ["DISABLING counts as DISABLED", { Status: "DISABLING" }, "disable"],
    ["no policy counts as DISABLED", undefined, "disable"],
  ])("%s: success without a write", async (_label, live, which) => {
    backup = live;
    expect((await reconcilePutBackupPolicy(which === "enable" ? enable : disable, clients)).status).toBe(
      "skipped",
    );
    expect(efs).not.toHaveReceivedCommand(PutBackupPolicyCommand);
  });
});
