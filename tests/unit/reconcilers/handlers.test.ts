import { DescribeSecurityGroupRulesCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeAccessPointsCommand,
  DescribeBackupPolicyCommand,
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from "@aws-sdk/client-efs";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { reconcile } from "../../../src/reconcilers/index";
import { handler as pendingHandler } from "../../../src/statemachine/lambda/check-pending";
import { handler as accessPointsHandler } from "../../../src/statemachine/lambda/execute-access-point-action";
import { handler as fileSystemHandler } from "../../../src/statemachine/lambda/execute-file-system-action";
import { handler as functionsHandler } from "../../../src/statemachine/lambda/execute-function-action";
import { handler as mountTargetsHandler } from "../../../src/statemachine/lambda/execute-mount-target-action";
import { handler as securityGroupsHandler } from "../../../src/statemachine/lambda/execute-security-group-action";
import { emptyRun } from "../../../src/statemachine/run-state";
import { action, testClients } from "./fixtures";

const ec2 = mockClient(EC2Client);
const efs = mockClient(EFSClient);
const lambda = mockClient(LambdaClient);

/** What the Lambda runtime passes as context; middy reads getRemainingTimeInMillis. */
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: "efs-reconciler-reconcile",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:eu-west-3:111122223333:function:efs-reconciler-reconcile",
  memoryLimitInMB: "256",
  awsRequestId: "req-1",
  logGroupName: "/aws/lambda/efs-reconciler-reconcile",
  logStreamName: "stream",
  getRemainingTimeInMillis: () => 60_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};

const backup = action(
  { type: "PutBackupPolicy", params: { fileSystemId: "fs-1", status: "ENABLED" } },
  "fs-1",
);

beforeAll(() => {
  process.env.AWS_REGION = "eu-west-3";
});

beforeEach(() => {
  ec2.reset();
  efs.reset();
  lambda.reset();
});

describe("Lambda handlers of the reconciler families (src/statemachine/lambda)", () => {
  it("mount targets", async () => {
    efs.on(DescribeMountTargetSecurityGroupsCommand).resolves({ SecurityGroups: ["sg-mt"] });
    const event = action({
      type: "AddMountTargetSecurityGroup",
      params: { fileSystemId: "fs-1", mountTargetId: "fsmt-1", securityGroupId: "sg-mt" },
    });
    expect(await mountTargetsHandler({ action: event }, context)).toMatchObject({
      actionId: event.id,
      status: "skipped",
    });
  });

  it("security groups", async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        {
          SecurityGroupRuleId: "sgr-1",
          GroupId: "sg-mt",
          IsEgress: false,
          IpProtocol: "tcp",
          FromPort: 2049,
          ToPort: 2049,
          ReferencedGroupInfo: { GroupId: "sg-fn" },
        },
      ],
    });
    const event = action({
      type: "AuthorizeIngress",
      params: { groupId: "sg-mt", sourceGroupId: "sg-fn", port: 2049 },
    });
    expect(await securityGroupsHandler({ action: event }, context)).toMatchObject({ status: "skipped" });
  });

  it("access points", async () => {
    efs.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] });
    const event = action({
      type: "DeleteAccessPoint",
      params: {
        accessPointId: "fsap-1",
        accessPointArn: "arn:ap",
        fileSystemId: "fs-1",
        manifestFunctions: [],
      },
    });
    expect(await accessPointsHandler({ action: event }, context)).toMatchObject({ status: "skipped" });
  });

  it("file system", async () => {
    efs.on(DescribeBackupPolicyCommand).resolves({ BackupPolicy: { Status: "ENABLED" } });
    expect(await fileSystemHandler({ action: backup }, context)).toMatchObject({
      actionId: backup.id,
      status: "skipped",
    });
  });

  it("functions", async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves({ FunctionName: "api", Timeout: 60 });
    const event = action({
      type: "UpdateFunctionConfiguration",
      params: { functionName: "api", timeout: 30 },
    });
    expect(await functionsHandler({ action: event }, context)).toMatchObject({ status: "skipped" });
  });

  it("pending", async () => {
    efs.on(DescribeMountTargetsCommand).resolves({
      MountTargets: [
        {
          MountTargetId: "fsmt-1",
          FileSystemId: "fs-1",
          SubnetId: "s",
          LifeCycleState: "creating",
          OwnerId: "1",
        },
      ],
    });
    const resource = { type: "mountTarget" as const, fileSystemId: "fs-1", mountTargetId: "fsmt-1" };
    const run = { ...emptyRun(), pending: [{ actionId: "a1", resource }] };
    // A poll: the mount target is still creating, so it stays pending and the poll is counted.
    expect(await pendingHandler({ run }, context)).toEqual({ ...run, polls: 1 });
  });

  it("a family's function applies its action and reports what it changed", async () => {
    efs.on(DescribeBackupPolicyCommand).resolves({ BackupPolicy: { Status: "DISABLED" } });
    expect(await fileSystemHandler({ action: backup }, context)).toMatchObject({
      actionId: backup.id,
      status: "succeeded",
      error: null,
    });
  });

  it("a family handler refuses another family's action with the error name the workflow catches", async () => {
    await expect(mountTargetsHandler({ action: backup }, context)).rejects.toMatchObject({
      name: "TerminalReconcileError",
      message: expect.stringContaining("does not handle PutBackupPolicy"),
    });
    expect(efs).not.toHaveReceivedAnyCommand();
  });
});

describe("reconcile", () => {
  it("dispatches each action type to its family", async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves({ FunctionName: "api", Timeout: 60 });
    efs.on(DescribeBackupPolicyCommand).resolves({ BackupPolicy: { Status: "ENABLED" } });
    const clients = testClients();
    const fnOut = await reconcile(
      action({ type: "UpdateFunctionConfiguration", params: { functionName: "api", timeout: 30 } }),
      clients,
    );
    expect(fnOut.status).toBe("skipped");
    expect(lambda).toHaveReceivedCommand(GetFunctionConfigurationCommand);
    expect((await reconcile(backup, clients)).status).toBe("skipped");
    expect(efs).toHaveReceivedCommand(DescribeBackupPolicyCommand);
  });

  it("refuses an unknown action type", async () => {
    const bogus = { ...backup, type: "DeleteFileSystem" } as unknown as typeof backup;
    await expect(reconcile(bogus, testClients())).rejects.toThrow(/unknown action type DeleteFileSystem/);
  });
});
