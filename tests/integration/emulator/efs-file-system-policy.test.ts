import { DescribeFileSystemPolicyCommand, PutFileSystemPolicyCommand } from "@aws-sdk/client-efs";
import { beforeEach, describe, expect, it } from "vitest";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { seedFileSystem } from "../../support/seed";

describe("emulator: EFS DescribeFileSystemPolicy", () => {
  const clients = emulatorClients();

  beforeEach(async () => {
    await resetEmulator();
  });

  it("answers FileSystemNotFound for an unknown file system", async () => {
    await expect(
      clients.efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: "fs-0123456789abcdef0" })),
    ).rejects.toMatchObject({ name: "FileSystemNotFound", $metadata: { httpStatusCode: 404 } });
  });

  it("answers PolicyNotFound without a policy, and the policy once put", async () => {
    const { fileSystemId, fileSystemArn } = await seedFileSystem(clients);
    await expect(
      clients.efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: fileSystemId })),
    ).rejects.toMatchObject({
      name: "PolicyNotFound",
    });
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::123456789012:role/app" },
          Action: "elasticfilesystem:ClientMount",
          Resource: fileSystemArn,
        },
      ],
    });
    await clients.efs.send(new PutFileSystemPolicyCommand({ FileSystemId: fileSystemId, Policy: policy }));
    const out = await clients.efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: fileSystemId }));
    expect(JSON.parse(out.Policy ?? "")).toEqual(JSON.parse(policy));
  });
});
