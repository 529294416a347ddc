import { CreateAccessPointCommand, DescribeAccessPointsCommand } from "@aws-sdk/client-efs";
import { beforeEach, describe, expect, it } from "vitest";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { seedFileSystem } from "../../support/seed";

describe("emulator: EFS CreateAccessPoint ClientToken idempotency", () => {
  const clients = emulatorClients();
  let fileSystemId: string;
  const request = () => ({
    FileSystemId: fileSystemId,
    ClientToken: "app-token-1",
    PosixUser: { Uid: 1000, Gid: 1000 },
    RootDirectory: { Path: "/app", CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: "750" } },
    Tags: [{ Key: "Name", Value: "app" }],
  });

  beforeEach(async () => {
    await resetEmulator();
    ({ fileSystemId } = await seedFileSystem(clients));
  });

  it("returns the same access point for a repeated token with the same parameters", async () => {
    const first = await clients.efs.send(new CreateAccessPointCommand(request()));
    const second = await clients.efs.send(new CreateAccessPointCommand(request()));
    expect(second.AccessPointId).toBe(first.AccessPointId);
    expect(first.AccessPointId).toMatch(/^fsap-[0-9a-f]{17}$/);

    const all = await clients.efs.send(new DescribeAccessPointsCommand({ FileSystemId: fileSystemId }));
    expect(all.AccessPoints?.map((ap) => ap.AccessPointId)).toEqual([first.AccessPointId]);
  });

  it("answers AccessPointAlreadyExists (409, with the id) for the token with different parameters", async () => {
    const first = await clients.efs.send(new CreateAccessPointCommand(request()));
    await expect(
      clients.efs.send(new CreateAccessPointCommand({ ...request(), PosixUser: { Uid: 2000, Gid: 2000 } })),
    ).rejects.toMatchObject({
      name: "AccessPointAlreadyExists",
      AccessPointId: first.AccessPointId,
      $metadata: { httpStatusCode: 409 },
    });
    await expect(
      clients.efs.send(
        new CreateAccessPointCommand({ ...request(), Tags: [{ Key: "Name", Value: "other" }] }),
      ),
    ).rejects.toMatchObject({ name: "AccessPointAlreadyExists" });

    const all = await clients.efs.send(new DescribeAccessPointsCommand({ FileSystemId: fileSystemId }));
    expect(all.AccessPoints).toHaveLength(1);
  });

  it("creates distinct access points for distinct tokens", async () => {
    const a = await clients.efs.send(new CreateAccessPointCommand(request()));
    const b = await clients.efs.send(
      new CreateAccessPointCommand({ ...request(), ClientToken: "app-token-2" }),
    );
    expect(b.AccessPointId).not.toBe(a.AccessPointId);
  });
});
