import { DescribeFileSystemsCommand, UpdateFileSystemCommand } from "@aws-sdk/client-efs";
import { beforeEach, describe, expect, it } from "vitest";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { seedFileSystem } from "../../support/seed";

describe("emulator: EFS UpdateFileSystem", () => {
  const clients = emulatorClients();

  beforeEach(async () => {
    await resetEmulator();
  });

  it("changes the throughput mode and returns the updated description", async () => {
    const { fileSystemId } = await seedFileSystem(clients, { tags: { Name: "data" } });

    const provisioned = await clients.efs.send(
      new UpdateFileSystemCommand({
        FileSystemId: fileSystemId,
        ThroughputMode: "provisioned",
        ProvisionedThroughputInMibps: 64,
      }),
    );
    expect(provisioned).toMatchObject({
      FileSystemId: fileSystemId,
      ThroughputMode: "provisioned",
      ProvisionedThroughputInMibps: 64,
      Name: "data",
    });
    expect(provisioned.$metadata.httpStatusCode).toBe(202);

    const elastic = await clients.efs.send(
      new UpdateFileSystemCommand({ FileSystemId: fileSystemId, ThroughputMode: "elastic" }),
    );
    expect(elastic.ThroughputMode).toBe("elastic");
    expect(elastic.ProvisionedThroughputInMibps).toBeUndefined();

    const described = await clients.efs.send(new DescribeFileSystemsCommand({ FileSystemId: fileSystemId }));
    expect(described.FileSystems?.[0]?.ThroughputMode).toBe("elastic");
  });

  it("requires ProvisionedThroughputInMibps when switching to provisioned", async () => {
    const { fileSystemId } = await seedFileSystem(clients);
    await expect(
      clients.efs.send(
        new UpdateFileSystemCommand({ FileSystemId: fileSystemId, ThroughputMode: "provisioned" }),
      ),
    ).rejects.toMatchObject({ name: "BadRequest" });
    const described = await clients.efs.send(new DescribeFileSystemsCommand({ FileSystemId: fileSystemId }));
    expect(described.FileSystems?.[0]?.ThroughputMode).toBe("bursting");
  });

  it("answers FileSystemNotFound for an unknown file system", async () => {
    await expect(
      clients.efs.send(
        new UpdateFileSystemCommand({ FileSystemId: "fs-0123456789abcdef0", ThroughputMode: "elastic" }),
      ),
    ).rejects.toMatchObject({ name: "FileSystemNotFound", $metadata: { httpStatusCode: 404 } });
  });
});
