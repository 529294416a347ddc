import { type AccessPointDescription, DescribeAccessPointsCommand, EFSClient } from "@aws-sdk/client-efs";
import {
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateFunctionConfigurationCommand,
  type UpdateFunctionConfigurationCommandInput,
} from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { AccessPointDefinition } from "../../../src/plan/types";
import { RetryableReconcileError, TerminalReconcileError } from "../../../src/reconcilers/errors";
import {
  reconcileUpdateFunctionConfiguration,
  reconcileUpdateFunctionFileSystem,
} from "../../../src/reconcilers/functions";
import { action, awsError, testClients } from "./fixtures";

const efs = mockClient(EFSClient);
const lambda = mockClient(LambdaClient);
const clients = testClients();

const AP_ARN = "arn:aws:elasticfilesystem:us-east-1:111122223333:access-point/fsap-1";
const NEW_ARN = "arn:aws:elasticfilesystem:us-east-1:111122223333:access-point/fsap-new";

/** The function as Lambda holds it; an update leaves it InProgress until `settle()`. */
let fn: FunctionConfiguration;
let accessPoints: AccessPointDescription[];

function settle(): void {
  fn = { ...fn, LastUpdateStatus: "Successful" };
}

beforeEach(() => {
  efs.reset();
  lambda.reset();
  fn = {
    FunctionName: "api",
    Timeout: 10,
    State: "Active",
    LastUpdateStatus: "Successful",
    VpcConfig: { SubnetIds: ["subnet-a", "subnet-b"], SecurityGroupIds: ["sg-fn"], VpcId: "vpc-1" },
    FileSystemConfigs: [],
  };
  // The access point `mountExisting` names exists (the reconciler re-reads it before repointing).
  accessPoints = [
    { AccessPointId: "fsap-1", AccessPointArn: AP_ARN, FileSystemId: "fs-1", LifeCycleState: "available" },
  ];
  lambda.on(GetFunctionConfigurationCommand).callsFake(() => fn);
  lambda
    .on(UpdateFunctionConfigurationCommand)
    .callsFake((input: UpdateFunctionConfigurationCommandInput) => {
      fn = {
        ...fn,
        ...(input.Timeout !== undefined ? { Timeout: input.Timeout } : {}),
        ...(input.VpcConfig ? { VpcConfig: { ...input.VpcConfig, VpcId: "vpc-1" } } : {}),
        ...(input.FileSystemConfigs ? { FileSystemConfigs: input.FileSystemConfigs } : {}),
        LastUpdateStatus: "InProgress",
      };
      return fn;
    });
  efs.on(DescribeAccessPointsCommand).callsFake(() => ({ AccessPoints: accessPoints }));
});

describe("UpdateFunctionConfiguration", () => {
  const raise = action(
    { type: "UpdateFunctionConfiguration", params: { functionName: "api", timeout: 30 } },
    "api",
  );
  const vpc = action({
    type: "UpdateFunctionConfiguration",
    params: {
      functionName: "api",
      vpcConfig: { subnetIds: ["subnet-a", "subnet-c"], securityGroupIds: ["sg-fn"] },
    },
  });

  it("raises the timeout and leaves the function pending", async () => {
    const out = await reconcileUpdateFunctionConfiguration(raise, clients);
    expect(lambda.commandCalls(UpdateFunctionConfigurationCommand).map((c) => c.args[0].input)).toEqual([
      { FunctionName: "api", Timeout: 30 },
    ]);
    expect(out).toMatchObject({ status: "succeeded", pending: [{ type: "function", functionName: "api" }] });
  });

  it("never lowers a timeout that is already higher", async () => {
    fn.Timeout = 45;
    expect((await reconcileUpdateFunctionConfiguration(raise, clients)).status).toBe("skipped");
    expect(lambda).not.toHaveReceivedCommand(UpdateFunctionConfigurationCommand);
  });

  it("sends only the VPC config when only it differs", async () => {
    const both = action({
      type: "UpdateFunctionConfiguration",
      params: {
        functionName: "api",
        timeout: 5,
        vpcConfig: { subnetIds: ["subnet-c"], securityGroupIds: ["sg-fn"] },
      },
    });
    await reconcileUpdateFunctionConfiguration(both, clients);
    expect(lambda.commandCalls(UpdateFunctionConfigurationCommand).map((c) => c.args[0].input)).toEqual([
      { FunctionName: "api", VpcConfig: { SubnetIds: ["subnet-c"], SecurityGroupIds: ["sg-fn"] } },
    ]);
  });

  it("a VPC config equal up to order is success without a write", async () => {
    const same = action({
      type: "UpdateFunctionConfiguration",
      params: {
        functionName: "api",
        vpcConfig: { subnetIds: ["subnet-b", "subnet-a"], securityGroupIds: ["sg-fn"] },
      },
    });
    expect((await reconcileUpdateFunctionConfiguration(same, clients)).status).toBe("skipped");
    expect(lambda).not.toHaveReceivedCommand(UpdateFunctionConfigurationCommand);
  });

  it("run twice: the second run sees the change (still settling: pending) and writes nothing", async () => {
    await reconcileUpdateFunctionConfiguration(vpc, clients);
    const second = await reconcileUpdateFunctionConfiguration(vpc, clients);
    expect(second).toMatchObject({ status: "skipped", pending: [{ type: "function", functionName: "api" }] });
    settle();
    expect(await reconcileUpdateFunctionConfiguration(vpc, clients)).toMatchObject({
      status: "skipped",
      pending: [],
    });
    expect(lambda).toHaveReceivedCommandTimes(UpdateFunctionConfigurationCommand, 1);
  });

  it("an update already in progress is retryable", async () => {
    fn.LastUpdateStatus = "InProgress";
    await expect(reconcileUpdateFunctionConfiguration(raise, clients)).rejects.toThrow(
      RetryableReconcileError,
    );
    expect(lambda).not.toHaveReceivedCommand(UpdateFunctionConfigurationCommand);
  });

  it("ResourceConflictException is retryable", async () => {
    lambda
      .on(UpdateFunctionConfigurationCommand)
      .rejects(new ResourceConflictException({ $metadata: {}, message: "busy" }));
    await expect(reconcileUpdateFunctionConfiguration(raise, clients)).rejects.toThrow(
      RetryableReconcileError,
    );
  });

  it("a missing function is terminal", async () => {
    lambda
      .on(GetFunctionConfigurationCommand)
      .rejects(new ResourceNotFoundException({ $metadata: {}, message: "no such function" }));
    const run = reconcileUpdateFunctionConfiguration(raise, clients);
    await expect(run).rejects.toThrow(TerminalReconcileError);
    await expect(run).rejects.toThrow(/no longer exists/);
  });

  it("throttling is retryable, access denied terminal", async () => {
    lambda.on(GetFunctionConfigurationCommand).rejectsOnce(awsError("TooManyRequestsException", 429));
    await expect(reconcileUpdateFunctionConfiguration(raise, clients)).rejects.toThrow(
      RetryableReconcileError,
    );
    lambda.on(UpdateFunctionConfigurationCommand).rejects(awsError("AccessDeniedException", 403));
    await expect(reconcileUpdateFunctionConfiguration(raise, clients)).rejects.toThrow(
      TerminalReconcileError,
    );
  });
});

describe("UpdateFunctionFileSystem", () => {
  const mountExisting = action(
    {
      type: "UpdateFunctionFileSystem",
      params: { functionName: "api", localMountPath: "/mnt/efs", target: { accessPointArn: AP_ARN } },
    },
    "api",
  );
  const definition: AccessPointDefinition = {
    fileSystemId: "fs-1",
    name: "models",
    posixUser: { uid: 1000, gid: 1000, secondaryGids: [] },
    rootDirectory: { path: "/models", creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "755" } },
  };
  const mountCreated = action({
    type: "UpdateFunctionFileSystem",
    params: {
      functionName: "api",
      localMountPath: "/mnt/efs",
      target: { create: definition, specHash: "h1" },
    },
  });
  const created: AccessPointDescription = {
    AccessPointId: "fsap-new",
    AccessPointArn: NEW_ARN,
    FileSystemId: "fs-1",
    LifeCycleState: "available",
    Tags: [
      { Key: "efs-reconciler.io/name", Value: "models" },
      { Key: "efs-reconciler.io/spec-hash", Value: "h1" },
    ],
  };

  it("mounts the given access point and leaves the function pending", async () => {
    fn.FileSystemConfigs = [{ Arn: "arn:old", LocalMountPath: "/mnt/efs" }];
    const out = await reconcileUpdateFunctionFileSystem(mountExisting, clients);
    expect(lambda.commandCalls(UpdateFunctionConfigurationCommand).map((c) => c.args[0].input)).toEqual([
      { FunctionName: "api", FileSystemConfigs: [{ Arn: AP_ARN, LocalMountPath: "/mnt/efs" }] },
    ]);
    expect(out).toMatchObject({ status: "succeeded", pending: [{ type: "function", functionName: "api" }] });
  });

  it("resolves an access point created earlier in the plan by its name and spec-hash tags", async () => {
    accessPoints = [
      {
        ...created,
        AccessPointId: "fsap-old",
        AccessPointArn: "arn:old",
        Tags: [{ Key: "efs-reconciler.io/name", Value: "models" }],
      },
      created,
    ];
    await reconcileUpdateFunctionFileSystem(mountCreated, clients);
    expect(efs).toHaveReceivedCommandWith(DescribeAccessPointsCommand, { FileSystemId: "fs-1" });
    expect(fn.FileSystemConfigs).toEqual([{ Arn: NEW_ARN, LocalMountPath: "/mnt/efs" }]);
  });

  it("an access point not created yet is retryable and nothing is written", async () => {
    const run = reconcileUpdateFunctionFileSystem(mountCreated, clients);
    await expect(run).rejects.toThrow(RetryableReconcileError);
    await expect(run).rejects.toThrow(/not created yet/);
    expect(lambda).not.toHaveReceivedCommand(UpdateFunctionConfigurationCommand);
  });

  it("an access point not yet available is retryable", async () => {
    accessPoints = [{ ...created, LifeCycleState: "creating" }];
    await expect(reconcileUpdateFunctionFileSystem(mountCreated, clients)).rejects.toThrow(/creating/);
    expect(lambda).not.toHaveReceivedCommand(UpdateFunctionConfigurationCommand);
  });

  it("run twice: the second run sees the mount and writes nothing", async () => {
    await reconcileUpdateFunctionFileSystem(mountExisting, clients);
    settle();
    expect(await reconcileUpdateFunctionFileSystem(mountExisting, clients)).toMatchObject({
      status: "skipped",
      pending: [],
    });
    expect(lambda).toHaveReceivedCommandTimes(UpdateFunctionConfigurationCommand, 1);
  });

  it("a mount at another path is changed", async () => {
    fn.FileSystemConfigs = [{ Arn: AP_ARN, LocalMountPath: "/mnt/other" }];
    expect((await reconcileUpdateFunctionFileSystem(mountExisting, clients)).status).toBe("succeeded");
  });

  it("an update in progress is retryable", async () => {
    fn.LastUpdateStatus = "InProgress";
    await expect(reconcileUpdateFunctionFileSystem(mountExisting, clients)).rejects.toThrow(
      RetryableReconcileError,
    );
  });

  it("ResourceConflictException is retryable", async () => {
    lambda
      .on(UpdateFunctionConfigurationCommand)
      .rejects(new ResourceConflictException({ $metadata: {}, message: "busy" }));
    await expect(reconcileUpdateFunctionFileSystem(mountExisting, clients)).rejects.toThrow(
      RetryableReconcileError,
    );
  });

  it("a function outside any VPC is terminal and nothing is written", async () => {
    fn.VpcConfig = { SubnetIds: [], SecurityGroupIds: [] };
    await expect(reconcileUpdateFunctionFileSystem(mountExisting, clients)).rejects.toThrow(/not in a VPC/);
    expect(lambda).not.toHaveReceivedCommand(UpdateFunctionConfigurationCommand);
  });
});
