import {
  CreateMountTargetCommand,
  type CreateMountTargetCommandInput,
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
  IncorrectFileSystemLifeCycleState,
  IncorrectMountTargetState,
  ModifyMountTargetSecurityGroupsCommand,
  MountTargetConflict,
  type MountTargetDescription,
  MountTargetNotFound,
} from "@aws-sdk/client-efs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { RetryableReconcileError, TerminalReconcileError } from "../../../src/reconcilers/errors";
import {
  reconcileAddMountTargetSecurityGroup,
  reconcileCreateMountTarget,
} from "../../../src/reconcilers/mount-targets";
import { action, awsError, testClients } from "./fixtures";

const efs = mockClient(EFSClient);
const clients = testClients();

const create = action(
  {
    type: "CreateMountTarget",
    params: {
      fileSystemId: "fs-1",
      availabilityZone: "us-east-1b",
      subnetId: "subnet-b",
      securityGroupIds: ["sg-mt"],
    },
  },
  "fs-1/us-east-1b",
);

/** The file system's mount targets as AWS holds them; CreateMountTarget adds one in `creating`. */
let mountTargets: MountTargetDescription[];
/** Each mount target's security groups (absent: the manifest's, sg-mt). */
let groupsOf: Map<string, string[]>;
let nextId: number;

function makeMountTarget(az: string, state: string): MountTargetDescription {
  nextId += 1;
  return {
    MountTargetId: `fsmt-${nextId}`,
    FileSystemId: "fs-1",
    SubnetId: `subnet-${az.slice(-1)}`,
    AvailabilityZoneName: az,
    LifeCycleState: state as MountTargetDescription["LifeCycleState"],
    OwnerId: "111122223333",
  };
}

function createdMountTarget(input: CreateMountTargetCommandInput): MountTargetDescription {
  const mt = { ...makeMountTarget("us-east-1b", "creating"), SubnetId: input.SubnetId };
  mountTargets.push(mt);
  groupsOf.set(mt.MountTargetId ?? "", input.SecurityGroups ?? []);
  return mt;
}

beforeEach(() => {
  efs.reset();
  nextId = 0;
  mountTargets = [makeMountTarget("us-east-1a", "available")];
  nextId = 100;
  efs.on(DescribeMountTargetsCommand).callsFake(() => ({ MountTargets: [...mountTargets] }));
  efs.on(CreateMountTargetCommand).callsFake(createdMountTarget);
  groupsOf = new Map();
  efs.on(DescribeMountTargetSecurityGroupsCommand).callsFake((input: { MountTargetId?: string }) => ({
    SecurityGroups: [...(groupsOf.get(input.MountTargetId ?? "") ?? ["sg-mt"])],
  }));
  efs
    .on(ModifyMountTargetSecurityGroupsCommand)
    .callsFake((input: { MountTargetId?: string; SecurityGroups?: string[] }) => {
      groupsOf.set(input.MountTargetId ?? "", input.SecurityGroups ?? []);
      return {};
    });
});

describe("CreateMountTarget", () => {
  it("creates the mount target in the AZ's subnet with the manifest's security group", async () => {
    const out = await reconcileCreateMountTarget(create, clients);
    expect(efs.commandCalls(CreateMountTargetCommand).map((c) => c.args[0].input)).toEqual([
      { FileSystemId: "fs-1", SubnetId: "subnet-b", SecurityGroups: ["sg-mt"] },
    ]);
    expect(out).toEqual({
      actionId: create.id,
      status: "succeeded",
      message: expect.stringContaining("created mount target fsmt-101"),
      pending: [{ type: "mountTarget", fileSystemId: "fs-1", mountTargetId: "fsmt-101" }],
    });
  });

  it("run twice: the second run finds the new mount target, writes nothing and waits for it with its groups", async () => {
    await reconcileCreateMountTarget(create, clients);
    const second = await reconcileCreateMountTarget(create, clients);
    expect(second.status).toBe("succeeded");
    expect(second.message).toContain("waiting until it is available with security group sg-mt");
    expect(second.pending).toEqual([
      { type: "mountTarget", fileSystemId: "fs-1", mountTargetId: "fsmt-101", securityGroupIds: ["sg-mt"] },
    ]);
    expect(efs).toHaveReceivedCommandTimes(CreateMountTargetCommand, 1);
    expect(mountTargets.filter((m) => m.AvailabilityZoneName === "us-east-1b")).toHaveLength(1);

    const mt = mountTargets.find((m) => m.MountTargetId === "fsmt-101");
    if (mt) mt.LifeCycleState = "available";
    const third = await reconcileCreateMountTarget(create, clients);
    expect(third).toMatchObject({ status: "skipped", pending: [] });
  });

  it("an available mount target already in the AZ is success without a write", async () => {
    mountTargets.push(makeMountTarget("us-east-1b", "available"));
    const out = await reconcileCreateMountTarget(create, clients);
    expect(out).toMatchObject({ status: "skipped", pending: [] });
    expect(out.message).toContain("fsmt-101");
    expect(efs).not.toHaveReceivedCommand(CreateMountTargetCommand);
  });

  it("an available mount target someone else made in the AZ gets the manifest's group it lacks, keeping its own", async () => {
    const theirs = makeMountTarget("us-east-1b", "available");
    mountTargets.push(theirs);
    groupsOf.set(theirs.MountTargetId ?? "", ["sg-other"]);
    const out = await reconcileCreateMountTarget(create, clients);
    expect(out).toMatchObject({ status: "succeeded", pending: [] });
    expect(out.message).toContain(`mount target ${theirs.MountTargetId}`);
    expect(out.message).toContain("added security group sg-mt");
    expect(groupsOf.get(theirs.MountTargetId ?? "")).toEqual(["sg-other", "sg-mt"]);
    expect(efs).not.toHaveReceivedCommand(CreateMountTargetCommand);
    // Run again: nothing left to add.
    expect((await reconcileCreateMountTarget(create, clients)).status).toBe("skipped");
    expect(efs).toHaveReceivedCommandTimes(ModifyMountTargetSecurityGroupsCommand, 1);
  });

  it("reads every page of mount targets before deciding", async () => {
    efs
      .on(DescribeMountTargetsCommand)
      .resolvesOnce({ MountTargets: [makeMountTarget("us-east-1a", "available")], NextMarker: "m2" })
      .resolvesOnce({ MountTargets: [makeMountTarget("us-east-1b", "available")] });
    const out = await reconcileCreateMountTarget(create, clients);
    expect(out.status).toBe("skipped");
    expect(efs).toHaveReceivedNthCommandWith(DescribeMountTargetsCommand, 2, { Marker: "m2" });
    expect(efs).not.toHaveReceivedCommand(CreateMountTargetCommand);
  });

  it("MountTargetConflict (created meanwhile) re-reads and counts as done", async () => {
    efs.on(CreateMountTargetCommand).callsFake((input: CreateMountTargetCommandInput) => {
      createdMountTarget(input);
      throw new MountTargetConflict({ $metadata: {}, message: "exists", ErrorCode: "MountTargetConflict" });
    });
    const out = await reconcileCreateMountTarget(create, clients);
    expect(out.status).toBe("succeeded");
    expect(out.pending).toEqual([
      { type: "mountTarget", fileSystemId: "fs-1", mountTargetId: "fsmt-101", securityGroupIds: ["sg-mt"] },
    ]);
  });

  it("MountTargetConflict with no mount target in the AZ (another VPC) is terminal", async () => {
    efs
      .on(CreateMountTargetCommand)
      .rejects(
        new MountTargetConflict({ $metadata: {}, message: "other VPC", ErrorCode: "MountTargetConflict" }),
      );
    await expect(reconcileCreateMountTarget(create, clients)).rejects.toThrow(TerminalReconcileError);
  });

  it("a file system not yet available is retryable", async () => {
    efs.on(CreateMountTargetCommand).rejects(
      new IncorrectFileSystemLifeCycleState({
        $metadata: {},
        message: "creating",
        ErrorCode: "IncorrectFileSystemLifeCycleState",
      }),
    );
    const run = reconcileCreateMountTarget(create, clients);
    await expect(run).rejects.toThrow(RetryableReconcileError);
    await expect(run).rejects.toHaveProperty("cause.name", "IncorrectFileSystemLifeCycleState");
  });

  it("a mount target in state error in the AZ is terminal (never deleted) and nothing is written", async () => {
    mountTargets.push(makeMountTarget("us-east-1b", "error"));
    await expect(reconcileCreateMountTarget(create, clients)).rejects.toThrow(/state error.*by hand/);
    expect(efs).not.toHaveReceivedCommand(CreateMountTargetCommand);
  });

  it("a mount target being deleted in the AZ is retryable", async () => {
    mountTargets.push(makeMountTarget("us-east-1b", "deleting"));
    await expect(reconcileCreateMountTarget(create, clients)).rejects.toThrow(RetryableReconcileError);
  });

  it("throttling is retryable, access denied terminal", async () => {
    efs.on(DescribeMountTargetsCommand).rejects(awsError("ThrottlingException"));
    await expect(reconcileCreateMountTarget(create, clients)).rejects.toThrow(RetryableReconcileError);
    efs.on(DescribeMountTargetsCommand).resolves({ MountTargets: [] });
    efs.on(CreateMountTargetCommand).rejects(awsError("AccessDeniedException", 403));
    await expect(reconcileCreateMountTarget(create, clients)).rejects.toThrow(TerminalReconcileError);
  });
});

describe("AddMountTargetSecurityGroup", () => {
  const add = action(
    {
      type: "AddMountTargetSecurityGroup",
      params: { fileSystemId: "fs-1", mountTargetId: "fsmt-1", securityGroupId: "sg-mt" },
    },
    "fsmt-1",
  );
  let groups: string[];

  beforeEach(() => {
    groups = ["sg-default"];
    efs.on(DescribeMountTargetSecurityGroupsCommand).callsFake(() => ({ SecurityGroups: [...groups] }));
    efs.on(ModifyMountTargetSecurityGroupsCommand).callsFake((input: { SecurityGroups?: string[] }) => {
      groups = [...(input.SecurityGroups ?? [])];
      return {};
    });
  });

  it("keeps the existing groups and adds the manifest's", async () => {
    const out = await reconcileAddMountTargetSecurityGroup(add, clients);
    expect(efs.commandCalls(ModifyMountTargetSecurityGroupsCommand).map((c) => c.args[0].input)).toEqual([
      { MountTargetId: "fsmt-1", SecurityGroups: ["sg-default", "sg-mt"] },
    ]);
    expect(out).toMatchObject({ status: "succeeded", pending: [] });
    expect(groups).toEqual(["sg-default", "sg-mt"]);
  });

  it("run twice: the second run sees the group and writes nothing", async () => {
    await reconcileAddMountTargetSecurityGroup(add, clients);
    const second = await reconcileAddMountTargetSecurityGroup(add, clients);
    expect(second.status).toBe("skipped");
    expect(efs).toHaveReceivedCommandTimes(ModifyMountTargetSecurityGroupsCommand, 1);
  });

  it("a group already present is success without a write", async () => {
    groups = ["sg-mt"];
    expect((await reconcileAddMountTargetSecurityGroup(add, clients)).status).toBe("skipped");
    expect(efs).not.toHaveReceivedCommand(ModifyMountTargetSecurityGroupsCommand);
  });

  it("refuses a sixth group with a clear message", async () => {
    groups = ["sg-1", "sg-2", "sg-3", "sg-4", "sg-5"];
    const run = reconcileAddMountTargetSecurityGroup(add, clients);
    await expect(run).rejects.toThrow(TerminalReconcileError);
    await expect(run).rejects.toThrow(/maximum is 5/);
    expect(efs).not.toHaveReceivedCommand(ModifyMountTargetSecurityGroupsCommand);
  });

  it("a mount target not yet available is retryable", async () => {
    efs.on(ModifyMountTargetSecurityGroupsCommand).rejects(
      new IncorrectMountTargetState({
        $metadata: {},
        message: "creating",
        ErrorCode: "IncorrectMountTargetState",
      }),
    );
    await expect(reconcileAddMountTargetSecurityGroup(add, clients)).rejects.toThrow(RetryableReconcileError);
  });

  it("a vanished mount target is terminal", async () => {
    efs
      .on(DescribeMountTargetSecurityGroupsCommand)
      .rejects(new MountTargetNotFound({ $metadata: {}, message: "gone", ErrorCode: "MountTargetNotFound" }));
    await expect(reconcileAddMountTargetSecurityGroup(add, clients)).rejects.toThrow(/no longer exists/);
  });
});
