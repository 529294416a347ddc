import { DescribeBackupPolicyCommand, PutBackupPolicyCommand } from "@aws-sdk/client-efs";
import { beforeEach, describe, expect, it } from "vitest";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { seedFileSystem } from "../../support/seed";

describe("emulator: EFS PutBackupPolicy / DescribeBackupPolicy", () => {
  const clients = emulatorClients();

  beforeEach(async () => {
    await resetEmulator();
  });

  it("reports DISABLED by default and ENABLED for a file system created with Backup", async () => {
    const plain = await seedFileSystem(clients);
    const backedUp = await seedFileSystem(clients, { backup: true });
    const plainPolicy = await clients.efs.send(
      new DescribeBackupPolicyCommand({ FileSystemId: plain.fileSystemId }),
    );
    expect(plainPolicy.BackupPolicy).toEqual({ Status: "DISABLED" });
    const backedUpPolicy = await clients.efs.send(
      new DescribeBackupPolicyCommand({ FileSystemId: backedUp.fileSystemId }),
    );
    expect(backedUpPolicy.BackupPolicy).toEqual({ Status: "ENABLED" });
  });

  it("enables and disables backups", async () => {
    const { fileSystemId } = await seedFileSystem(clients);
    const enabled = await clients.efs.send(
      new PutBackupPolicyCommand({ FileSystemId: fileSystemId, BackupPolicy: { Status: "ENABLED" } }),
    );
    expect(enabled.BackupPolicy).toEqual({ Status: "ENABLED" });
    expect(
      (await clients.efs.send(new DescribeBackupPolicyCommand({ FileSystemId: fileSystemId }))).BackupPolicy,
    ).toEqual({
      Status: "ENABLED",
    });

    await clients.efs.send(
      new PutBackupPolicyCommand({ FileSystemId: fileSystemId, BackupPolicy: { Status: "DISABLED" } }),
    );
    expect(
      (await clients.efs.send(new DescribeBackupPolicyCommand({ FileSystemId: fileSystemId }))).BackupPolicy,
    ).toEqual({
      Status: "DISABLED",
    });
  });

  it("answers FileSystemNotFound for an unknown file system", async () => {
    await expect(
      clients.efs.send(new DescribeBackupPolicyCommand({ FileSystemId: "fs-0123456789abcdef0" })),
    ).rejects.toMatchObject({ name: "FileSystemNotFound" });
    await expect(
      clients.efs.send(
        new PutBackupPolicyCommand({
          FileSystemId: "fs-0123456789abcdef0",
          BackupPolicy: { Status: "ENABLED" },
        }),
      ),
    ).rejects.toMatchObject({ name: "FileSystemNotFound" });
  });
});
