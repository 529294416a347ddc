import {
  AccessPointAlreadyExists,
  type AccessPointDescription,
  AccessPointLimitExceeded,
  AccessPointNotFound,
  CreateAccessPointCommand,
  type CreateAccessPointCommandInput,
  DeleteAccessPointCommand,
  type DeleteAccessPointCommandInput,
  DescribeAccessPointsCommand,
  type DescribeAccessPointsCommandInput,
  EFSClient,
  IncorrectFileSystemLifeCycleState,
  TagResourceCommand,
  type TagResourceCommandInput,
  UntagResourceCommand,
  type UntagResourceCommandInput,
} from "@aws-sdk/client-efs";
import { type FunctionConfiguration, LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { AccessPointDefinition } from "../../../src/plan/types";
import { accessPointClientToken, accessPointSpecHash } from "../../../src/reconcilers/access-point-identity";
import {
  reconcileCreateAccessPoint,
  reconcileDeleteAccessPoint,
  reconcileTagAccessPoint,
} from "../../../src/reconcilers/access-points";
import { RetryableReconcileError, TerminalReconcileError } from "../../../src/reconcilers/errors";
import { action, awsError, testClients } from "./fixtures";

const efs = mockClient(EFSClient);
const lambda = mockClient(LambdaClient);
const clients = testClients();

const definition: AccessPointDefinition = {
  fileSystemId: "fs-1",
  name: "models",
  posixUser: { uid: 1000, gid: 1000, secondaryGids: [] },
  rootDirectory: { path: "/models", creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "0755" } },
};
const specHash = accessPointSpecHash(definition);
const clientToken = accessPointClientToken(definition);

/** The account's access points (EFS) and functions (Lambda). */
let accessPoints: (AccessPointDescription & { token?: string })[];
let functions: FunctionConfiguration[];
let nextAp: number;

function ap(id: string, tags: Record<string, string>, fileSystemId = "fs-1"): AccessPointDescription {
  return {
    AccessPointId: id,
    AccessPointArn: `arn:aws:elasticfilesystem:us-east-1:111122223333:access-point/${id}`,
    FileSystemId: fileSystemId,
    LifeCycleState: "available",
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

const managedTags = {
  "efs-reconciler.io/name": "models",
  "efs-reconciler.io/managed-by": "efs-reconciler",
  "efs-reconciler.io/spec-hash": specHash,
};

beforeEach(() => {
  efs.reset();
  lambda.reset();
  accessPoints = [ap("fsap-other", { "efs-reconciler.io/name": "datasets" })];
  functions = [];
  nextAp = 0;
  efs.on(DescribeAccessPointsCommand).callsFake((input: DescribeAccessPointsCommandInput) => {
    if (input.AccessPointId) {
      const found = accessPoints.filter((a) => a.AccessPointId === input.AccessPointId);
      if (found.length === 0) {
        throw new AccessPointNotFound({ $metadata: {}, message: "nope", ErrorCode: "AccessPointNotFound" });
      }
      return { AccessPoints: found };
    }
    return { AccessPoints: accessPoints.filter((a) => a.FileSystemId === input.FileSystemId) };
  });
  efs.on(CreateAccessPointCommand).callsFake((input: CreateAccessPointCommandInput) => {
    const same = accessPoints.find((a) => a.token === input.ClientToken);
    if (same) return same;
    nextAp += 1;
    const created = { ...ap(`fsap-new${nextAp}`, {}), Tags: input.Tags, token: input.ClientToken };
    accessPoints.push(created);
    return created;
  });
  efs.on(TagResourceCommand).callsFake((input: TagResourceCommandInput) => {
    const target = accessPoints.find((a) => a.AccessPointId === input.ResourceId);
    if (!target)
      throw new AccessPointNotFound({ $metadata: {}, message: "nope", ErrorCode: "AccessPointNotFound" });
    const keys = new Set((input.Tags ?? []).map((t) => t.Key));
    target.Tags = [...(target.Tags ?? []).filter((t) => !keys.has(t.Key)), ...(input.Tags ?? [])];
    return {};
  });
  efs.on(UntagResourceCommand).callsFake((input: UntagResourceCommandInput) => {
    const target = accessPoints.find((a) => a.AccessPointId === input.ResourceId);
    if (!target)
      throw new AccessPointNotFound({ $metadata: {}, message: "nope", ErrorCode: "AccessPointNotFound" });
    const keys = new Set(input.TagKeys ?? []);
    target.Tags = (target.Tags ?? []).filter((t) => !keys.has(t.Key ?? ""));
    return {};
  });
  efs.on(DeleteAccessPointCommand).callsFake((input: DeleteAccessPointCommandInput) => {
    if (!accessPoints.some((a) => a.AccessPointId === input.AccessPointId)) {
      throw new AccessPointNotFound({ $metadata: {}, message: "nope", ErrorCode: "AccessPointNotFound" });
    }
    accessPoints = accessPoints.filter((a) => a.AccessPointId !== input.AccessPointId);
    return {};
  });
  lambda.on(ListFunctionsCommand).callsFake(() => ({ Functions: functions }));
});

describe("CreateAccessPoint", () => {
  const create = action(
    { type: "CreateAccessPoint", params: { definition, specHash, clientToken } },
    "fs-1/models",
  );

  it("creates it with the client token, POSIX user, root directory and identity tags", async () => {
    const out = await reconcileCreateAccessPoint(create, clients);
    expect(efs.commandCalls(CreateAccessPointCommand).map((c) => c.args[0].input)).toEqual([
      {
        ClientToken: clientToken,
        FileSystemId: "fs-1",
        PosixUser: { Uid: 1000, Gid: 1000 },
        RootDirectory: {
          Path: "/models",
          CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: "0755" },
        },
        Tags: [
          { Key: "efs-reconciler.io/name", Value: "models" },
          { Key: "efs-reconciler.io/managed-by", Value: "efs-reconciler" },
          { Key: "efs-reconciler.io/spec-hash", Value: specHash },
          { Key: "Name", Value: "models" },
        ],
      },
    ]);
    expect(out).toMatchObject({ actionId: create.id, status: "succeeded", pending: [] });
    expect(out.message).toContain("fsap-new1");
  });

  it("passes secondary gids when there are some", async () => {
    const withGids = action({
      type: "CreateAccessPoint",
      params: {
        definition: { ...definition, posixUser: { uid: 1000, gid: 1000, secondaryGids: [5, 6] } },
        specHash: "h2",
        clientToken: "t2",
      },
    });
    await reconcileCreateAccessPoint(withGids, clients);
    expect(efs).toHaveReceivedCommandWith(CreateAccessPointCommand, {
      PosixUser: { Uid: 1000, Gid: 1000, SecondaryGids: [5, 6] },
    });
  });

  it("run twice: the second run finds it by its tags, one access point exists", async () => {
    await reconcileCreateAccessPoint(create, clients);
    const second = await reconcileCreateAccessPoint(create, clients);
    expect(second.status).toBe("skipped");
    expect(efs).toHaveReceivedCommandTimes(CreateAccessPointCommand, 1);
    expect(accessPoints.filter((a) => a.FileSystemId === "fs-1")).toHaveLength(2);
  });

  it("an access point tagged with the name and spec hash is success without a write", async () => {
    accessPoints.push(ap("fsap-mine", managedTags));
    const out = await reconcileCreateAccessPoint(create, clients);
    expect(out.status).toBe("skipped");
    expect(out.message).toContain("fsap-mine");
    expect(efs).not.toHaveReceivedCommand(CreateAccessPointCommand);
  });

  it("one with the name but an older spec hash does not count (a replacement is made)", async () => {
    accessPoints.push(ap("fsap-old", { ...managedTags, "efs-reconciler.io/spec-hash": "0000" }));
    expect((await reconcileCreateAccessPoint(create, clients)).status).toBe("succeeded");
  });

  it("finds it on a later page", async () => {
    efs
      .on(DescribeAccessPointsCommand)
      .resolvesOnce({ AccessPoints: [ap("fsap-a", {})], NextToken: "p2" })
      .resolvesOnce({ AccessPoints: [ap("fsap-mine", managedTags)] });
    expect((await reconcileCreateAccessPoint(create, clients)).status).toBe("skipped");
    expect(efs).toHaveReceivedNthCommandWith(DescribeAccessPointsCommand, 2, { NextToken: "p2" });
  });

  it("AccessPointAlreadyExists re-reads and counts as done", async () => {
    efs.on(CreateAccessPointCommand).callsFake(() => {
      accessPoints.push(ap("fsap-race", managedTags));
      throw new AccessPointAlreadyExists({
        $metadata: {},
        message: "exists",
        ErrorCode: "AccessPointAlreadyExists",
        AccessPointId: "fsap-race",
      });
    });
    const out = await reconcileCreateAccessPoint(create, clients);
    expect(out.status).toBe("skipped");
    expect(out.message).toContain("fsap-race");
  });

  it("an access point holding the client token without the identity tags fails the action, saying how to settle it", async () => {
    // Released earlier (a function outside the manifests mounted it) or untagged by hand: EFS names
    // it for the token, either as an error or as the answer, and the repoint could never find it.
    const released = ap("fsap-x", { Name: "models" });
    const answers: [string, () => never | typeof released][] = [
      [
        "AccessPointAlreadyExists",
        () => {
          throw new AccessPointAlreadyExists({
            $metadata: {},
            message: "exists",
            ErrorCode: "AccessPointAlreadyExists",
            AccessPointId: "fsap-x",
          });
        },
      ],
      ["the access point as the answer", () => released],
    ];
    for (const [how, answer] of answers) {
      accessPoints.push(released);
      efs.on(CreateAccessPointCommand).callsFake(answer);
      const failure = await reconcileCreateAccessPoint(create, clients).catch((err: unknown) => err);
      expect(failure, how).toBeInstanceOf(TerminalReconcileError);
      expect((failure as Error).message, how).toContain(
        "access point fsap-x on fs-1 holds the client token of models's spec but not efs-reconciler's tags",
      );
      expect((failure as Error).message, how).toContain(
        `delete fsap-x, or tag it efs-reconciler.io/name=models`,
      );
      expect(efs).not.toHaveReceivedCommand(TagResourceCommand);
      accessPoints = accessPoints.filter((a) => a.AccessPointId !== "fsap-x");
    }
  });

  it("the access point limit is terminal", async () => {
    efs.on(CreateAccessPointCommand).rejects(
      new AccessPointLimitExceeded({
        $metadata: {},
        message: "limit",
        ErrorCode: "AccessPointLimitExceeded",
      }),
    );
    const run = reconcileCreateAccessPoint(create, clients);
    await expect(run).rejects.toThrow(TerminalReconcileError);
    await expect(run).rejects.toThrow(/limit/);
  });

  it("a file system not yet available is retryable", async () => {
    efs.on(CreateAccessPointCommand).rejects(
      new IncorrectFileSystemLifeCycleState({
        $metadata: {},
        message: "creating",
        ErrorCode: "IncorrectFileSystemLifeCycleState",
      }),
    );
    await expect(reconcileCreateAccessPoint(create, clients)).rejects.toThrow(RetryableReconcileError);
  });

  it("throttling is retryable, access denied terminal", async () => {
    efs.on(DescribeAccessPointsCommand).rejectsOnce(awsError("ThrottlingException"));
    await expect(reconcileCreateAccessPoint(create, clients)).rejects.toThrow(RetryableReconcileError);
    efs.on(CreateAccessPointCommand).rejects(awsError("AccessDeniedException", 403));
    await expect(reconcileCreateAccessPoint(create, clients)).rejects.toThrow(TerminalReconcileError);
  });
});

describe("TagAccessPoint (adoption)", () => {
  const adopt = action(
    { type: "TagAccessPoint", params: { accessPointId: "fsap-legacy", name: "models" } },
    "fsap-legacy",
  );

  beforeEach(() => {
    accessPoints.push(ap("fsap-legacy", { Name: "legacy" }));
  });

  it("adds the name and managed-by tags", async () => {
    const out = await reconcileTagAccessPoint(adopt, clients);
    expect(efs.commandCalls(TagResourceCommand).map((c) => c.args[0].input)).toEqual([
      {
        ResourceId: "fsap-legacy",
        Tags: [
          { Key: "efs-reconciler.io/name", Value: "models" },
          { Key: "efs-reconciler.io/managed-by", Value: "efs-reconciler" },
        ],
      },
    ]);
    expect(out.status).toBe("succeeded");
  });

  it("run twice: the second run sees the tags and writes nothing", async () => {
    await reconcileTagAccessPoint(adopt, clients);
    expect((await reconcileTagAccessPoint(adopt, clients)).status).toBe("skipped");
    expect(efs).toHaveReceivedCommandTimes(TagResourceCommand, 1);
  });

  it("refuses an access point already named something else", async () => {
    accessPoints.push(ap("fsap-named", { "efs-reconciler.io/name": "datasets" }));
    const other = action({ type: "TagAccessPoint", params: { accessPointId: "fsap-named", name: "models" } });
    await expect(reconcileTagAccessPoint(other, clients)).rejects.toThrow(TerminalReconcileError);
    expect(efs).not.toHaveReceivedCommand(TagResourceCommand);
  });

  it("a vanished access point (already replaced) is skipped: re-running an old plan converges", async () => {
    const gone = action({ type: "TagAccessPoint", params: { accessPointId: "fsap-gone", name: "models" } });
    const outcome = await reconcileTagAccessPoint(gone, clients);
    expect(outcome.status).toBe("skipped");
    expect(outcome.message).toMatch(/no longer exists/);
  });
});

describe("DeleteAccessPoint", () => {
  const arn = "arn:aws:elasticfilesystem:us-east-1:111122223333:access-point/fsap-old";
  const del = action(
    {
      type: "DeleteAccessPoint",
      params: {
        accessPointId: "fsap-old",
        accessPointArn: arn,
        fileSystemId: "fs-1",
        manifestFunctions: ["api", "worker"],
      },
    },
    "fsap-old",
  );
  const tagsOfOld = () =>
    Object.fromEntries(
      (accessPoints.find((a) => a.AccessPointId === "fsap-old")?.Tags ?? []).map((t) => [t.Key, t.Value]),
    );

  beforeEach(() => {
    accessPoints.push(ap("fsap-old", { ...managedTags, Name: "models" }));
    functions = [
      {
        FunctionName: "other-fn",
        Version: "$LATEST",
        FileSystemConfigs: [
          {
            Arn: "arn:aws:elasticfilesystem:us-east-1:111122223333:access-point/fsap-x",
            LocalMountPath: "/mnt/x",
          },
        ],
      },
      { FunctionName: "plain-fn", Version: "$LATEST" },
    ];
  });

  it("deletes a managed access point no function mounts", async () => {
    const out = await reconcileDeleteAccessPoint(del, clients);
    expect(efs.commandCalls(DeleteAccessPointCommand).map((c) => c.args[0].input)).toEqual([
      { AccessPointId: "fsap-old" },
    ]);
    expect(out.status).toBe("succeeded");
    expect(accessPoints.some((a) => a.AccessPointId === "fsap-old")).toBe(false);
    expect(lambda).toHaveReceivedCommandWith(ListFunctionsCommand, { FunctionVersion: "ALL" });
  });

  it("run twice: the second run finds it gone and writes nothing", async () => {
    await reconcileDeleteAccessPoint(del, clients);
    expect((await reconcileDeleteAccessPoint(del, clients)).status).toBe("skipped");
    expect(efs).toHaveReceivedCommandTimes(DeleteAccessPointCommand, 1);
  });

  it("AccessPointNotFound on the write counts as done", async () => {
    efs
      .on(DeleteAccessPointCommand)
      .rejects(new AccessPointNotFound({ $metadata: {}, message: "gone", ErrorCode: "AccessPointNotFound" }));
    expect((await reconcileDeleteAccessPoint(del, clients)).status).toBe("skipped");
  });

  it("refuses an access point not tagged managed-by efs-reconciler", async () => {
    accessPoints = accessPoints.map((a) =>
      a.AccessPointId === "fsap-old"
        ? { ...a, Tags: [{ Key: "efs-reconciler.io/name", Value: "models" }] }
        : a,
    );
    const run = reconcileDeleteAccessPoint(del, clients);
    await expect(run).rejects.toThrow(TerminalReconcileError);
    await expect(run).rejects.toThrow(/refused to delete access point fsap-old: it is not tagged/);
    expect(efs).not.toHaveReceivedCommand(DeleteAccessPointCommand);
    expect(accessPoints.some((a) => a.AccessPointId === "fsap-old")).toBe(true);
  });

  it("refuses while a function mounts it (retryable, naming the functions), on any page", async () => {
    lambda
      .on(ListFunctionsCommand)
      .resolvesOnce({ Functions: functions, NextMarker: "m2" })
      .resolvesOnce({
        Functions: [
          {
            FunctionName: "api",
            Version: "$LATEST",
            FileSystemConfigs: [{ Arn: arn, LocalMountPath: "/mnt/efs" }],
          },
        ],
      });
    const run = reconcileDeleteAccessPoint(del, clients);
    await expect(run).rejects.toThrow(RetryableReconcileError);
    await expect(run).rejects.toThrow(/still mounted by api/);
    expect(efs).not.toHaveReceivedCommand(DeleteAccessPointCommand);
    expect(accessPoints.some((a) => a.AccessPointId === "fsap-old")).toBe(true);
  });

  it("refuses (terminal) while a published function version mounts it", async () => {
    functions.push({
      FunctionName: "api",
      Version: "3",
      FileSystemConfigs: [{ Arn: arn, LocalMountPath: "/mnt/efs" }],
    });
    await expect(reconcileDeleteAccessPoint(del, clients)).rejects.toThrow(
      /published function versions mount it \(api:3\)/,
    );
    expect(efs).not.toHaveReceivedCommand(DeleteAccessPointCommand);
  });

  describe("mounted by a function no manifest binds (it started mounting it after the plan)", () => {
    const mountedBy = (FunctionName: string, Version = "$LATEST"): FunctionConfiguration => ({
      FunctionName,
      Version,
      FileSystemConfigs: [{ Arn: arn, LocalMountPath: "/mnt/legacy" }],
    });

    it("keeps it and releases it: removes efs-reconciler's tags (Name stays), fails naming the function", async () => {
      functions.push(mountedBy("someone-else"));
      const run = reconcileDeleteAccessPoint(del, clients);
      await expect(run).rejects.toThrow(TerminalReconcileError);
      await expect(run).rejects.toThrow(
        "kept access point fsap-old instead of deleting it: someone-else still mounts it and no manifest binds it; " +
          "released it from efs-reconciler management (removed its tags efs-reconciler.io/name, " +
          "efs-reconciler.io/managed-by, efs-reconciler.io/spec-hash)",
      );
      expect(tagsOfOld()).toEqual({ Name: "models" });
      expect(accessPoints.some((a) => a.AccessPointId === "fsap-old")).toBe(true);
      expect(efs).not.toHaveReceivedCommand(DeleteAccessPointCommand);
      expect(efs.commandCalls(UntagResourceCommand).map((c) => c.args[0].input)).toEqual([
        {
          ResourceId: "fsap-old",
          TagKeys: ["efs-reconciler.io/name", "efs-reconciler.io/managed-by", "efs-reconciler.io/spec-hash"],
        },
      ]);
    });

    it("removes only the tags it still carries (an adopted access point has no spec hash)", async () => {
      accessPoints = accessPoints.map((a) =>
        a.AccessPointId === "fsap-old"
          ? {
              ...a,
              Tags: [
                { Key: "efs-reconciler.io/name", Value: "models" },
                { Key: "efs-reconciler.io/managed-by", Value: "efs-reconciler" },
                { Key: "team", Value: "b" },
              ],
            }
          : a,
      );
      functions.push(mountedBy("someone-else"));
      await expect(reconcileDeleteAccessPoint(del, clients)).rejects.toThrow(/released it/);
      expect(tagsOfOld()).toEqual({ team: "b" });
    });

    it("run again after the release: writes nothing and reports the same release", async () => {
      functions.push(mountedBy("someone-else"), mountedBy("another-team"));
      await expect(reconcileDeleteAccessPoint(del, clients)).rejects.toThrow(/released it/);
      const again = reconcileDeleteAccessPoint(del, clients);
      await expect(again).rejects.toThrow(TerminalReconcileError);
      await expect(again).rejects.toThrow(
        "someone-else, another-team still mount it and no manifest binds them; released it from efs-reconciler " +
          "management (its efs-reconciler tags were already removed)",
      );
      expect(efs).toHaveReceivedCommandTimes(UntagResourceCommand, 1);
      expect(efs).not.toHaveReceivedCommand(DeleteAccessPointCommand);
      expect(tagsOfOld()).toEqual({ Name: "models" });
    });

    it("releases it when a published version of another function mounts it, even beside a manifest function", async () => {
      functions.push(mountedBy("api"), mountedBy("someone-else", "7"));
      await expect(reconcileDeleteAccessPoint(del, clients)).rejects.toThrow(
        /someone-else:7 still mounts it and no manifest binds it; released it/,
      );
      expect(tagsOfOld()).toEqual({ Name: "models" });
      expect(efs).not.toHaveReceivedCommand(DeleteAccessPointCommand);
    });

    it("never untags an access point that carries the name tag but is not managed (someone else's)", async () => {
      accessPoints = accessPoints.map((a) =>
        a.AccessPointId === "fsap-old"
          ? { ...a, Tags: [{ Key: "efs-reconciler.io/name", Value: "models" }] }
          : a,
      );
      functions.push(mountedBy("someone-else"));
      await expect(reconcileDeleteAccessPoint(del, clients)).rejects.toThrow(/it is not tagged/);
      expect(tagsOfOld()).toEqual({ "efs-reconciler.io/name": "models" });
      expect(efs).not.toHaveReceivedCommand(UntagResourceCommand);
    });

    it("an access point with no tags left and no function outside the manifests on it is refused, not deleted", async () => {
      accessPoints = accessPoints.map((a) => (a.AccessPointId === "fsap-old" ? { ...a, Tags: [] } : a));
      await expect(reconcileDeleteAccessPoint(del, clients)).rejects.toThrow(/it is not tagged/);
      expect(efs).not.toHaveReceivedCommand(DeleteAccessPointCommand);
    });
  });

  it("refuses an access point of another file system", async () => {
    accessPoints = accessPoints.map((a) =>
      a.AccessPointId === "fsap-old" ? { ...a, FileSystemId: "fs-2" } : a,
    );
    await expect(reconcileDeleteAccessPoint(del, clients)).rejects.toThrow(TerminalReconcileError);
    expect(efs).not.toHaveReceivedCommand(DeleteAccessPointCommand);
  });

  it("access denied on ListFunctions is terminal and nothing is deleted", async () => {
    lambda.on(ListFunctionsCommand).rejects(awsError("AccessDeniedException", 403));
    await expect(reconcileDeleteAccessPoint(del, clients)).rejects.toThrow(TerminalReconcileError);
    expect(efs).not.toHaveReceivedCommand(DeleteAccessPointCommand);
  });
});
