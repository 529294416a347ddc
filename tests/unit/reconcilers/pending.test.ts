import {
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
  MountTargetNotFound,
} from "@aws-sdk/client-efs";
import {
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { RetryableReconcileError } from "../../../src/reconcilers/errors";
import { checkPending } from "../../../src/reconcilers/pending";
import type { PendingResource } from "../../../src/reconcilers/types";
import { awsError, testClients } from "./fixtures";

const efs = mockClient(EFSClient);
const lambda = mockClient(LambdaClient);
const clients = testClients();

const mt: PendingResource = { type: "mountTarget", fileSystemId: "fs-1", mountTargetId: "fsmt-1" };
const fnRes: PendingResource = { type: "function", functionName: "api" };

function mountTargetIn(state: string): void {
  efs.on(DescribeMountTargetsCommand, { MountTargetId: "fsmt-1" }).resolves({
    MountTargets: [
      {
        MountTargetId: "fsmt-1",
        FileSystemId: "fs-1",
        SubnetId: "subnet-a",
        LifeCycleState: state as "available",
        OwnerId: "1",
      },
    ],
  });
}

function functionIn(config: Partial<FunctionConfiguration>): void {
  lambda
    .on(GetFunctionConfigurationCommand, { FunctionName: "api" })
    .resolves({ FunctionName: "api", ...config });
}

beforeEach(() => {
  efs.reset();
  lambda.reset();
});

describe("checkPending: mount targets", () => {
  it("available is done", async () => {
    mountTargetIn("available");
    expect(await checkPending([mt], clients)).toEqual({ ready: true, pending: [], failed: [] });
  });

  it("available without the groups the wait names fails, naming the mount target and what it has", async () => {
    mountTargetIn("available");
    efs.on(DescribeMountTargetSecurityGroupsCommand, { MountTargetId: "fsmt-1" }).resolves({
      SecurityGroups: ["sg-theirs"],
    });
    const theirs: PendingResource = { ...mt, securityGroupIds: ["sg-mt"] };
    expect(await checkPending([theirs], clients)).toEqual({
      ready: true,
      pending: [],
      failed: [
        "mount target fsmt-1 of fs-1 became available without security group sg-mt (its creator gave it sg-theirs): nothing is repointed to it in this run; the next run adds the group",
      ],
    });
  });

  it("available with the groups the wait names is done; without groups to check none are read", async () => {
    mountTargetIn("available");
    efs.on(DescribeMountTargetSecurityGroupsCommand, { MountTargetId: "fsmt-1" }).resolves({
      SecurityGroups: ["sg-theirs", "sg-mt"],
    });
    const theirs: PendingResource = { ...mt, securityGroupIds: ["sg-mt"] };
    expect(await checkPending([theirs], clients)).toEqual({ ready: true, pending: [], failed: [] });
    efs.resetHistory();
    expect(await checkPending([mt], clients)).toEqual({ ready: true, pending: [], failed: [] });
    expect(efs).not.toHaveReceivedCommand(DescribeMountTargetSecurityGroupsCommand);
  });

  it("creating is still pending", async () => {
    mountTargetIn("creating");
    expect(await checkPending([mt], clients)).toEqual({ ready: false, pending: [mt], failed: [] });
  });

  it.each(["error", "deleted", "deleting"])("%s is failed", async (state) => {
    mountTargetIn(state);
    const out = await checkPending([mt], clients);
    expect(out.pending).toEqual([]);
    expect(out.failed).toEqual([expect.stringContaining(`fsmt-1 of fs-1 is ${state}`)]);
  });

  it("a vanished mount target is failed", async () => {
    efs
      .on(DescribeMountTargetsCommand)
      .rejects(new MountTargetNotFound({ $metadata: {}, message: "gone", ErrorCode: "MountTargetNotFound" }));
    expect((await checkPending([mt], clients)).failed).toEqual([expect.stringContaining("no longer exists")]);
  });
});

describe("checkPending: functions", () => {
  it("Successful and Active is done", async () => {
    functionIn({ LastUpdateStatus: "Successful", State: "Active" });
    expect(await checkPending([fnRes], clients)).toEqual({ ready: true, pending: [], failed: [] });
  });

  it.each<Partial<FunctionConfiguration>>([
    { LastUpdateStatus: "InProgress", State: "Active" },
    { LastUpdateStatus: "Successful", State: "Pending" },
  ])("%o is still pending", async (config) => {
    functionIn(config);
    expect(await checkPending([fnRes], clients)).toEqual({ ready: false, pending: [fnRes], failed: [] });
  });

  it("a failed update is failed, with the reason", async () => {
    functionIn({
      LastUpdateStatus: "Failed",
      LastUpdateStatusReasonCode: "SubnetOutOfIPAddresses",
      LastUpdateStatusReason: "no free IPs in subnet-a",
      State: "Active",
    });
    expect((await checkPending([fnRes], clients)).failed).toEqual([
      "update of function api failed: SubnetOutOfIPAddresses no free IPs in subnet-a",
    ]);
  });

  it("a missing function is failed", async () => {
    lambda
      .on(GetFunctionConfigurationCommand)
      .rejects(new ResourceNotFoundException({ $metadata: {}, message: "x" }));
    expect((await checkPending([fnRes], clients)).failed).toEqual([
      expect.stringContaining("no longer exists"),
    ]);
  });
});

describe("checkPending", () => {
  it("reports each resource on its own and is ready only when nothing is pending", async () => {
    mountTargetIn("available");
    functionIn({ LastUpdateStatus: "InProgress", State: "Active" });
    expect(await checkPending([mt, fnRes], clients)).toEqual({ ready: false, pending: [fnRes], failed: [] });
  });

  it("nothing pending is ready without any call", async () => {
    expect(await checkPending([], clients)).toEqual({ ready: true, pending: [], failed: [] });
    expect(efs).not.toHaveReceivedAnyCommand();
    expect(lambda).not.toHaveReceivedAnyCommand();
  });

  it("a throttled read is retryable", async () => {
    lambda.on(GetFunctionConfigurationCommand).rejects(awsError("TooManyRequestsException", 429));
    await expect(checkPending([fnRes], clients)).rejects.toThrow(RetryableReconcileError);
  });
});
