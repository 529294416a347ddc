/**
 * Access-point reconcilers over the wire: CreateAccessPoint (identity tags, ClientToken
 * idempotency), TagAccessPoint (adoption) and DeleteAccessPoint (and its refusals: an access point
 * a function mounts, one the reconciler does not own; and the release of a replaced access point a
 * function outside the manifests started mounting), each from a real plan.
 */
import {
  type AccessPointDescription,
  CreateAccessPointCommand,
  DeleteAccessPointCommand,
  DescribeAccessPointsCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-efs";
import { UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reconcile } from "../../../src/reconcilers/index";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import {
  actionsOf,
  type Baseline,
  MANAGED_BY_TAG,
  MANAGED_BY_VALUE,
  NAME_TAG,
  onlyAction,
  planFor,
  removeDir,
  seedBaselineIn,
  tempDir,
} from "../../support/scenarios";
import { seedAccessPoint, seedFunction } from "../../support/seed";
import { expectRefused, expectRerunSkipped } from "./helpers";

const clients = emulatorClients();
let dir: string;

beforeEach(async () => {
  await resetEmulator();
  dir = await tempDir("efs-reconciler-ap-");
});

afterEach(async () => {
  await removeDir(dir);
});

async function accessPoints(fileSystemId: string): Promise<AccessPointDescription[]> {
  const out = await clients.efs.send(new DescribeAccessPointsCommand({ FileSystemId: fileSystemId }));
  return out.AccessPoints ?? [];
}

function tags(ap: AccessPointDescription | undefined): Record<string, string> {
  return Object.fromEntries((ap?.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
}

/** The baseline with its access point deleted: the plan creates it again (AP_MISSING). */
async function missingAccessPoint() {
  const { b, desired } = await seedBaselineIn(clients, dir);
  await clients.efs.send(new DeleteAccessPointCommand({ AccessPointId: b.accessPointId }));
  const plan = await planFor(desired, clients);
  return { b, desired, plan, action: onlyAction(plan, "CreateAccessPoint") };
}

/** The baseline with its managed access point running as root: the plan replaces it. */
function replacedManagedAccessPoint() {
  return seedBaselineIn(clients, dir, {
    posixUser: { Uid: 0, Gid: 0 },
    accessPointTags: {
      [NAME_TAG]: "lambda",
      [MANAGED_BY_TAG]: MANAGED_BY_VALUE,
      "efs-reconciler.io/spec-hash": "0123456789abcdef",
      Name: "lambda",
    },
  });
}

/** A function no manifest binds starts mounting the baseline's access point. */
async function mountFromOutside(b: Baseline): Promise<void> {
  await seedFunction(clients, {
    functionName: "someone-elses-function",
    vpc: { subnetIds: [b.subnetByAz["us-east-1a"] ?? ""], securityGroupIds: [b.functionSg] },
    fileSystem: { accessPointArn: b.accessPointArn, localMountPath: "/mnt/legacy" },
  });
}

describe("CreateAccessPoint", () => {
  it("creates the access point of the manifest with its identity tags; a rerun is skipped", async () => {
    const { b, action } = await missingAccessPoint();

    expect(await reconcile(action, clients)).toMatchObject({ actionId: action.id, status: "succeeded" });

    const [ap, ...others] = await accessPoints(b.fileSystemId);
    expect(others).toEqual([]);
    expect(ap).toMatchObject({
      FileSystemId: b.fileSystemId,
      PosixUser: { Uid: 1000, Gid: 1000 },
      RootDirectory: { Path: "/lambda", CreationInfo: { OwnerUid: 1000, OwnerGid: 1000 } },
    });
    expect(Number.parseInt(ap?.RootDirectory?.CreationInfo?.Permissions ?? "", 8)).toBe(0o755);
    expect(tags(ap)).toEqual({
      [NAME_TAG]: "lambda",
      [MANAGED_BY_TAG]: MANAGED_BY_VALUE,
      "efs-reconciler.io/spec-hash": action.params.specHash,
      Name: "lambda",
    });

    await expectRerunSkipped(action, clients);
    expect(await accessPoints(b.fileSystemId)).toHaveLength(1);
  });

  it("is idempotent through its ClientToken: concurrent runs and a re-sent request make one access point", async () => {
    const { b, desired, action } = await missingAccessPoint();

    // Both runs may find nothing yet and both send CreateAccessPoint with the same token.
    const outcomes = await Promise.all([reconcile(action, clients), reconcile(action, clients)]);

    expect(outcomes.map((o) => o.status)).toContain("succeeded");
    const created = await accessPoints(b.fileSystemId);
    expect(created).toHaveLength(1);
    // A client retrying the very request (same token, same parameters) gets the same access point back.
    const resent = await clients.efs.send(
      new CreateAccessPointCommand({
        ClientToken: action.params.clientToken,
        FileSystemId: b.fileSystemId,
        PosixUser: { Uid: 1000, Gid: 1000 },
        RootDirectory: {
          Path: "/lambda",
          CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: "0755" },
        },
        Tags: created[0]?.Tags,
      }),
    );
    expect(resent.AccessPointId).toBe(created[0]?.AccessPointId);
    expect(await accessPoints(b.fileSystemId)).toHaveLength(1);

    // A fresh plan of the same desired state derives the same token.
    await clients.efs.send(new DeleteAccessPointCommand({ AccessPointId: created[0]?.AccessPointId }));
    const replanned = onlyAction(await planFor(desired, clients), "CreateAccessPoint");
    expect(replanned.params.clientToken).toBe(action.params.clientToken);
  });

  it("an access point that holds the token but lost the identity tags fails the action, changing nothing", async () => {
    const { b, action } = await missingAccessPoint();
    await reconcile(action, clients);
    const [made] = await accessPoints(b.fileSystemId);
    // Released (a function outside the manifests mounts it), or untagged by hand.
    await clients.efs.send(
      new UntagResourceCommand({
        ResourceId: made?.AccessPointId,
        TagKeys: [NAME_TAG, MANAGED_BY_TAG, "efs-reconciler.io/spec-hash"],
      }),
    );

    await expectRefused(
      action,
      clients,
      "TerminalReconcileError",
      new RegExp(
        `access point ${made?.AccessPointId} on ${b.fileSystemId} holds the client token .* delete `,
      ),
    );
    expect(await accessPoints(b.fileSystemId)).toHaveLength(1);
  });
});

describe("TagAccessPoint", () => {
  it("adopts the untagged access point the bound functions mount; a rerun is skipped", async () => {
    const { b, desired } = await seedBaselineIn(clients, dir, { accessPointTags: { Name: "hand-made" } });
    const plan = await planFor(desired, clients);
    expect(plan.drift).toEqual([]);
    const action = onlyAction(plan, "TagAccessPoint");
    expect(action.params).toEqual({ accessPointId: b.accessPointId, name: "lambda" });

    expect(await reconcile(action, clients)).toMatchObject({ actionId: action.id, status: "succeeded" });

    const [ap] = await accessPoints(b.fileSystemId);
    expect(tags(ap)).toEqual({ Name: "hand-made", [NAME_TAG]: "lambda", [MANAGED_BY_TAG]: MANAGED_BY_VALUE });
    await expectRerunSkipped(action, clients);
    expect((await planFor(desired, clients)).actions).toEqual([]);
  });
});

describe("DeleteAccessPoint", () => {
  /** The baseline plus a managed access point no manifest wants (AP_ORPHANED). */
  async function orphan() {
    const { b, desired } = await seedBaselineIn(clients, dir);
    const old = await seedAccessPoint(clients, {
      fileSystemId: b.fileSystemId,
      posixUser: { Uid: 2000, Gid: 2000 },
      rootDirectory: { Path: "/old-cache" },
      tags: { [NAME_TAG]: "old-cache", [MANAGED_BY_TAG]: MANAGED_BY_VALUE },
    });
    const action = onlyAction(await planFor(desired, clients), "DeleteAccessPoint");
    expect(action.params.accessPointId).toBe(old.accessPointId);
    return { b, desired, old, action };
  }

  it("deletes a managed access point no function mounts; a rerun is skipped", async () => {
    const { b, desired, old, action } = await orphan();

    expect(await reconcile(action, clients)).toMatchObject({ actionId: action.id, status: "succeeded" });

    expect((await accessPoints(b.fileSystemId)).map((ap) => ap.AccessPointId)).toEqual([b.accessPointId]);
    const rerun = await expectRerunSkipped(action, clients);
    expect(rerun.message).toContain(old.accessPointId);
    expect((await planFor(desired, clients)).drift).toEqual([]);
  });

  it("refuses while a function mounts it (a function started mounting it after the plan)", async () => {
    const { b, old, action } = await orphan();
    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: b.functions.api.functionName,
        FileSystemConfigs: [{ Arn: old.accessPointArn, LocalMountPath: "/mnt/efs" }],
      }),
    );

    await expectRefused(action, clients, "RetryableReconcileError", /still mounted by baseline-api/);

    expect((await accessPoints(b.fileSystemId)).map((ap) => ap.AccessPointId)).toContain(old.accessPointId);
  });

  it("refuses to delete a replaced access point before the functions were repointed (phase 3 run early)", async () => {
    const { b, desired } = await seedBaselineIn(clients, dir, { posixUser: { Uid: 0, Gid: 0 } });
    const plan = await planFor(desired, clients);
    const [remove] = actionsOf(plan, "DeleteAccessPoint");
    expect(remove?.params.accessPointId).toBe(b.accessPointId);

    await expectRefused(
      remove as NonNullable<typeof remove>,
      clients,
      "RetryableReconcileError",
      /still mounted by baseline-api, baseline-worker/,
    );
  });

  it("keeps a replaced access point a function outside the manifests started mounting, and releases it", async () => {
    const { b, desired } = await replacedManagedAccessPoint();
    const plan = await planFor(desired, clients);
    for (const a of plan.actions.filter((x) => x.phase < 3)) await reconcile(a, clients);
    const remove = onlyAction(plan, "DeleteAccessPoint");
    expect(remove.params.accessPointId).toBe(b.accessPointId);
    expect(remove.params.manifestFunctions).toEqual(["baseline-api", "baseline-worker"]);
    // After the plan, a function no manifest binds starts mounting the old access point.
    await mountFromOutside(b);

    await expect(reconcile(remove, clients)).rejects.toMatchObject({
      name: "TerminalReconcileError",
      message: expect.stringContaining(
        `kept access point ${b.accessPointId} instead of deleting it: someone-elses-function still mounts it and no manifest binds it; released it from efs-reconciler management`,
      ),
    });

    const old = (await accessPoints(b.fileSystemId)).find((ap) => ap.AccessPointId === b.accessPointId);
    expect(tags(old)).toEqual({ Name: "lambda" });
    const named = (await accessPoints(b.fileSystemId)).filter((ap) => tags(ap)[NAME_TAG] === "lambda");
    expect(named.map((ap) => ap.PosixUser?.Uid)).toEqual([1000]);
    // Run again: nothing is written, and it reports the release again.
    await expectRefused(remove, clients, "TerminalReconcileError", /tags were already removed/);
    // The next plan does not own it any more: no drift about it, nothing to delete.
    const next = await planFor(desired, clients);
    expect(next.drift).toEqual([]);
    expect(next.actions).toEqual([]);
    expect((await accessPoints(b.fileSystemId)).map((ap) => ap.AccessPointId)).toContain(b.accessPointId);
  });

  it("plans the release of a replaced access point a function outside the manifests already mounts; the name ends on one", async () => {
    const { b, desired } = await replacedManagedAccessPoint();
    await mountFromOutside(b);
    const plan = await planFor(desired, clients);
    const release = onlyAction(plan, "DeleteAccessPoint");
    expect(release.description).toContain(
      "release replaced access point (someone-elses-function, outside the manifests",
    );
    for (const a of plan.actions.filter((x) => x.phase < 3)) await reconcile(a, clients);

    await expect(reconcile(release, clients)).rejects.toMatchObject({
      name: "TerminalReconcileError",
      message: expect.stringContaining(`kept access point ${b.accessPointId} instead of deleting it`),
    });
    const named = (await accessPoints(b.fileSystemId)).filter((ap) => tags(ap)[NAME_TAG] === "lambda");
    expect(named.map((ap) => ap.PosixUser?.Uid)).toEqual([1000]);
    expect((await accessPoints(b.fileSystemId)).map((ap) => ap.AccessPointId)).toContain(b.accessPointId);
    expect((await planFor(desired, clients)).drift).toEqual([]);
  });

  it("refuses to delete an access point that is not tagged managed-by efs-reconciler", async () => {
    const { b, old, action } = await orphan();
    await clients.efs.send(
      new UntagResourceCommand({ ResourceId: old.accessPointId, TagKeys: [MANAGED_BY_TAG] }),
    );

    await expectRefused(
      action,
      clients,
      "TerminalReconcileError",
      /not tagged efs-reconciler.io\/managed-by/,
    );

    expect((await accessPoints(b.fileSystemId)).map((ap) => ap.AccessPointId)).toContain(old.accessPointId);
  });
});
