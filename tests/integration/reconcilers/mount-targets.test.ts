/**
 * Mount-target reconcilers over the wire: CreateMountTarget (including a mount target that stays
 * `creating` for a while) and AddMountTargetSecurityGroup, each from a real plan.
 */
import { CreateSecurityGroupCommand } from "@aws-sdk/client-ec2";
import {
  CreateMountTargetCommand,
  DeleteMountTargetCommand,
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
  ModifyMountTargetSecurityGroupsCommand,
} from "@aws-sdk/client-efs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkPending, reconcile } from "../../../src/reconcilers/index";
import type { PendingResource } from "../../../src/reconcilers/types";
import { configureEmulator, emulatorClients, resetEmulator } from "../../support/emulator";
import { onlyAction, planFor, removeDir, seedBaselineIn, tempDir } from "../../support/scenarios";
import { expectRerunSkipped } from "./helpers";

const clients = emulatorClients();
let dir: string;

beforeEach(async () => {
  await resetEmulator();
  dir = await tempDir("efs-reconciler-mt-");
});

afterEach(async () => {
  await removeDir(dir);
});

async function mountTargets(fileSystemId: string) {
  const out = await clients.efs.send(new DescribeMountTargetsCommand({ FileSystemId: fileSystemId }));
  return out.MountTargets ?? [];
}

async function groupsOf(mountTargetId: string): Promise<string[]> {
  const out = await clients.efs.send(
    new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: mountTargetId }),
  );
  return out.SecurityGroups ?? [];
}

/** The baseline without its us-east-1b mount target, and the plan that restores it. */
async function missingMountTarget() {
  const { b, desired } = await seedBaselineIn(clients, dir);
  await clients.efs.send(
    new DeleteMountTargetCommand({ MountTargetId: b.mountTargets[1]?.mountTargetId as string }),
  );
  const action = onlyAction(await planFor(desired, clients), "CreateMountTarget");
  return { b, desired, action };
}

/** A mount target someone else makes in us-east-1b, in a security group of their own. */
async function mountTargetMadeByHand(b: Awaited<ReturnType<typeof missingMountTarget>>["b"]) {
  const other = await clients.ec2.send(
    new CreateSecurityGroupCommand({ GroupName: "made-by-hand", Description: "x", VpcId: b.network.vpcId }),
  );
  const theirs = await clients.efs.send(
    new CreateMountTargetCommand({
      FileSystemId: b.fileSystemId,
      SubnetId: b.subnetByAz["us-east-1b"],
      SecurityGroups: [other.GroupId as string],
    }),
  );
  return { other, theirs };
}

describe("CreateMountTarget", () => {
  it("creates the mount target in the planned subnet with the manifest's group; a rerun is skipped", async () => {
    const { b, desired, action } = await missingMountTarget();

    const outcome = await reconcile(action, clients);

    expect(outcome).toMatchObject({ actionId: action.id, status: "succeeded", pending: [] });
    const inB = (await mountTargets(b.fileSystemId)).filter((mt) => mt.AvailabilityZoneName === "us-east-1b");
    expect(inB).toHaveLength(1);
    expect(inB[0]).toMatchObject({ SubnetId: b.subnetByAz["us-east-1b"], LifeCycleState: "available" });
    expect(await groupsOf(inB[0]?.MountTargetId as string)).toEqual([b.mountTargetSg]);

    await expectRerunSkipped(action, clients);
    expect(await mountTargets(b.fileSystemId)).toHaveLength(2);
    expect((await planFor(desired, clients)).drift).toEqual([]);
  });

  it("a mount target someone else made in the AZ meanwhile gets the manifest's group next to its own", async () => {
    const { b, desired, action } = await missingMountTarget();
    const { other, theirs } = await mountTargetMadeByHand(b);

    const outcome = await reconcile(action, clients);

    expect(outcome).toMatchObject({ actionId: action.id, status: "succeeded", pending: [] });
    expect(outcome.message).toContain(`added security group ${b.mountTargetSg}`);
    expect(await mountTargets(b.fileSystemId)).toHaveLength(2);
    expect(await groupsOf(theirs.MountTargetId as string)).toEqual([other.GroupId, b.mountTargetSg]);
    await expectRerunSkipped(action, clients);
    expect((await planFor(desired, clients)).drift).toEqual([]);
  });

  it("reports a mount target that is still creating as pending until checkPending finds it available", async () => {
    const { b, action } = await missingMountTarget();
    await configureEmulator({ mountTargetCreatingDescribes: 2 });

    const outcome = await reconcile(action, clients);

    expect(outcome.status).toBe("succeeded");
    const [pending] = outcome.pending;
    expect(outcome.pending).toHaveLength(1);
    expect(pending).toMatchObject({ type: "mountTarget", fileSystemId: b.fileSystemId });
    const mountTargetId = (pending as Extract<PendingResource, { type: "mountTarget" }>).mountTargetId;

    // Run again while it is still creating: nothing new is made, and it is still waited for.
    const again = await reconcile(action, clients);
    expect(again).toMatchObject({ status: "succeeded", pending: [{ type: "mountTarget", mountTargetId }] });
    expect((await mountTargets(b.fileSystemId)).map((mt) => mt.MountTargetId)).toContain(mountTargetId);

    const readiness: boolean[] = [];
    let waiting: PendingResource[] = outcome.pending;
    for (let check = 0; check < 10 && waiting.length > 0; check++) {
      const result = await checkPending(waiting, clients);
      expect(result.failed).toEqual([]);
      readiness.push(result.ready);
      waiting = result.pending;
    }
    expect(readiness.at(-1)).toBe(true);
    expect(readiness.slice(0, -1).every((ready) => !ready)).toBe(true);
    const created = (await mountTargets(b.fileSystemId)).find((mt) => mt.MountTargetId === mountTargetId);
    expect(created).toMatchObject({ LifeCycleState: "available", AvailabilityZoneName: "us-east-1b" });

    const settled = await expectRerunSkipped(action, clients);
    expect(settled.pending).toEqual([]);
    expect(await mountTargets(b.fileSystemId)).toHaveLength(2);
  });

  it("a plan made while a mount target is still being created waits for it in phase 1 and makes no second one", async () => {
    const { b, desired, action } = await missingMountTarget();
    await configureEmulator({ mountTargetCreatingDescribes: 3 });
    const created = await reconcile(action, clients);
    const [pending] = created.pending as Extract<PendingResource, { type: "mountTarget" }>[];
    expect(pending?.mountTargetId).toMatch(/^fsmt-/);

    // The next run plans while it is still `creating`.
    const plan = await planFor(desired, clients);
    expect(plan.drift.map((d) => [d.code, d.remediation, d.actual])).toEqual([
      ["MT_MISSING_IN_AZ", "auto", `${pending?.mountTargetId} (creating)`],
    ]);
    const wait = onlyAction(plan, "CreateMountTarget");
    expect(wait).toMatchObject({ phase: 1, params: { subnetId: b.subnetByAz["us-east-1b"] } });

    const outcome = await reconcile(wait, clients);
    expect(outcome).toMatchObject({
      status: "succeeded",
      pending: [
        { type: "mountTarget", mountTargetId: pending?.mountTargetId, securityGroupIds: [b.mountTargetSg] },
      ],
    });
    let waiting: PendingResource[] = outcome.pending;
    for (let check = 0; check < 10 && waiting.length > 0; check++) {
      const result = await checkPending(waiting, clients);
      expect(result.failed).toEqual([]);
      waiting = result.pending;
    }
    expect(waiting).toEqual([]);
    expect(await mountTargets(b.fileSystemId)).toHaveLength(2);
    expect((await planFor(desired, clients)).drift).toEqual([]);
  });

  it("a mount target someone else is creating with other groups fails the wait, so nothing is repointed to it", async () => {
    const { b, desired } = await missingMountTarget();
    await configureEmulator({ mountTargetCreatingDescribes: 3 });
    const { other, theirs } = await mountTargetMadeByHand(b);

    const wait = onlyAction(await planFor(desired, clients), "CreateMountTarget");
    const outcome = await reconcile(wait, clients);
    expect(outcome.pending).toEqual([
      {
        type: "mountTarget",
        fileSystemId: b.fileSystemId,
        mountTargetId: theirs.MountTargetId,
        securityGroupIds: [b.mountTargetSg],
      },
    ]);
    let failed: string[] = [];
    let waiting: PendingResource[] = outcome.pending;
    for (let check = 0; check < 10 && waiting.length > 0; check++) {
      const result = await checkPending(waiting, clients);
      failed = result.failed;
      waiting = result.pending;
    }
    expect(failed).toEqual([
      `mount target ${theirs.MountTargetId} of ${b.fileSystemId} became available without security group ${b.mountTargetSg} (its creator gave it ${other.GroupId}): nothing is repointed to it in this run; the next run adds the group`,
    ]);
    // The next run adds the group to it.
    const next = onlyAction(await planFor(desired, clients), "AddMountTargetSecurityGroup");
    expect((await reconcile(next, clients)).status).toBe("succeeded");
    expect(await groupsOf(theirs.MountTargetId as string)).toEqual([other.GroupId, b.mountTargetSg]);
  });
});

describe("AddMountTargetSecurityGroup", () => {
  it("adds the manifest's group next to the groups already there; a rerun is skipped", async () => {
    const { b, desired } = await seedBaselineIn(clients, dir);
    const mountTargetId = b.mountTargets[0]?.mountTargetId as string;
    await clients.efs.send(
      new ModifyMountTargetSecurityGroupsCommand({
        MountTargetId: mountTargetId,
        SecurityGroups: [b.network.defaultSecurityGroupId],
      }),
    );
    const action = onlyAction(await planFor(desired, clients), "AddMountTargetSecurityGroup");

    const outcome = await reconcile(action, clients);

    expect(outcome).toMatchObject({ actionId: action.id, status: "succeeded" });
    expect((await groupsOf(mountTargetId)).sort()).toEqual(
      [b.network.defaultSecurityGroupId, b.mountTargetSg].sort(),
    );
    await expectRerunSkipped(action, clients);
    expect((await planFor(desired, clients)).drift).toEqual([]);
  });
});
