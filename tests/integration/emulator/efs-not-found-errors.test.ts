import {
  CreateAccessPointCommand,
  DeleteAccessPointCommand,
  DescribeAccessPointsCommand,
} from "@aws-sdk/client-efs";
import { beforeEach, describe, expect, it } from "vitest";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { seedAccessPoint, seedFileSystem } from "../../support/seed";

describe("emulator: EFS not-found errors for access points", () => {
  const clients = emulatorClients();

  beforeEach(async () => {
    await resetEmulator();
  });

  it("CreateAccessPoint on an unknown file system answers FileSystemNotFound (404) and creates nothing", async () => {
    await expect(
      clients.efs.send(
        new CreateAccessPointCommand({ FileSystemId: "fs-0123456789abcdef0", ClientToken: "t" }),
      ),
    ).rejects.toMatchObject({ name: "FileSystemNotFound", $metadata: { httpStatusCode: 404 } });
    const all = await clients.efs.send(new DescribeAccessPointsCommand({}));
    expect(all.AccessPoints).toEqual([]);
  });

  it("DeleteAccessPoint of an unknown id answers AccessPointNotFound (404); a known one is deleted once", async () => {
    await expect(
      clients.efs.send(new DeleteAccessPointCommand({ AccessPointId: "fsap-0123456789abcdef0" })),
    ).rejects.toMatchObject({ name: "AccessPointNotFound", $metadata: { httpStatusCode: 404 } });

    const { fileSystemId } = await seedFileSystem(clients);
    const { accessPointId } = await seedAccessPoint(clients, { fileSystemId });
    await clients.efs.send(new DeleteAccessPointCommand({ AccessPointId: accessPointId }));
    const after = await clients.efs.send(new DescribeAccessPointsCommand({ FileSystemId: fileSystemId }));
    expect(after.AccessPoints).toEqual([]);
    await expect(
      clients.efs.send(new DeleteAccessPointCommand({ AccessPointId: accessPointId })),
    ).rejects.toMatchObject({ name: "AccessPointNotFound" });
  });

  it("DescribeAccessPoints of an unknown file system answers FileSystemNotFound", async () => {
    await expect(
      clients.efs.send(new DescribeAccessPointsCommand({ FileSystemId: "fs-0123456789abcdef0" })),
    ).rejects.toMatchObject({ name: "FileSystemNotFound" });
  });
});
