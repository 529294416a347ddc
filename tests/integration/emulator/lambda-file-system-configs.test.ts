import {
  CreateFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  ListFunctionsCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import { ensureEmulatorLambdaRole } from "../../../src/emulator/iam-role";
import { emulatorClients, emulatorEndpoint, resetEmulator } from "../../support/emulator";
import {
  type SeededNetwork,
  seedAccessPoint,
  seedFileSystem,
  seedFunction,
  seedNetwork,
  tinyLambdaZip,
} from "../../support/seed";

describe("emulator: Lambda FileSystemConfigs", () => {
  const clients = emulatorClients();
  let network: SeededNetwork;
  let accessPointArn: string;
  let vpc: { subnetIds: string[]; securityGroupIds: string[] };

  beforeEach(async () => {
    await resetEmulator();
    network = await seedNetwork(clients, { azs: ["us-east-1a"] });
    vpc = { subnetIds: network.subnetIds, securityGroupIds: [network.lambdaSecurityGroupId] };
    const fs = await seedFileSystem(clients);
    ({ accessPointArn } = await seedAccessPoint(clients, { fileSystemId: fs.fileSystemId }));
  });

  it("stores the config on CreateFunction and returns it from Get, GetConfiguration and List", async () => {
    const mount = { Arn: accessPointArn, LocalMountPath: "/mnt/data" };
    await seedFunction(clients, {
      functionName: "with-efs",
      vpc,
      fileSystem: { accessPointArn, localMountPath: "/mnt/data" },
    });

    const config = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "with-efs" }),
    );
    expect(config.FileSystemConfigs).toEqual([mount]);
    const fn = await clients.lambda.send(new GetFunctionCommand({ FunctionName: "with-efs" }));
    expect(fn.Configuration?.FileSystemConfigs).toEqual([mount]);
    const list = await clients.lambda.send(new ListFunctionsCommand({}));
    expect(list.Functions?.find((f) => f.FunctionName === "with-efs")?.FileSystemConfigs).toEqual([mount]);
  });

  it("adds, replaces and removes the config through UpdateFunctionConfiguration", async () => {
    await seedFunction(clients, { functionName: "later-efs", vpc });
    const before = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "later-efs" }),
    );
    expect(before.FileSystemConfigs).toBeUndefined();

    const added = await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "later-efs",
        FileSystemConfigs: [{ Arn: accessPointArn, LocalMountPath: "/mnt/a" }],
      }),
    );
    expect(added.FileSystemConfigs).toEqual([{ Arn: accessPointArn, LocalMountPath: "/mnt/a" }]);

    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "later-efs",
        FileSystemConfigs: [{ Arn: accessPointArn, LocalMountPath: "/mnt/b" }],
      }),
    );
    const replaced = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "later-efs" }),
    );
    expect(replaced.FileSystemConfigs).toEqual([{ Arn: accessPointArn, LocalMountPath: "/mnt/b" }]);

    // An update that does not mention the config keeps it.
    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "later-efs", Timeout: 30 }),
    );
    const kept = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "later-efs" }),
    );
    expect(kept.FileSystemConfigs).toEqual([{ Arn: accessPointArn, LocalMountPath: "/mnt/b" }]);

    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "later-efs", FileSystemConfigs: [] }),
    );
    const removed = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "later-efs" }),
    );
    expect(removed.FileSystemConfigs).toBeUndefined();
  });

  it("rejects a file system on a function without VPC subnets", async () => {
    const role = await ensureEmulatorLambdaRole(emulatorEndpoint());
    await expect(
      clients.lambda.send(
        new CreateFunctionCommand({
          FunctionName: "no-vpc",
          Role: role,
          Runtime: "nodejs22.x",
          Handler: "index.handler",
          Code: { ZipFile: tinyLambdaZip() },
          FileSystemConfigs: [{ Arn: accessPointArn, LocalMountPath: "/mnt/data" }],
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterValueException" });
    await expect(
      clients.lambda.send(new GetFunctionCommand({ FunctionName: "no-vpc" })),
    ).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });

    await seedFunction(clients, { functionName: "plain" });
    await expect(
      clients.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "plain",
          FileSystemConfigs: [{ Arn: accessPointArn, LocalMountPath: "/mnt/data" }],
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterValueException" });
  });

  it("refuses to detach the VPC while a file system is configured, and changes nothing", async () => {
    await seedFunction(clients, {
      functionName: "attached",
      vpc,
      timeout: 5,
      fileSystem: { accessPointArn, localMountPath: "/mnt/x" },
    });
    await expect(
      clients.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "attached",
          Timeout: 60,
          VpcConfig: { SubnetIds: [], SecurityGroupIds: [] },
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterValueException" });
    const after = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "attached" }),
    );
    expect(after.Timeout).toBe(5);
    expect(after.VpcConfig?.SubnetIds).toEqual(vpc.subnetIds);
  });

  it.each([
    ["/data", "outside /mnt"],
    ["/mnt/", "no directory name"],
    ["/mnt/a/b", "nested directory"],
    ["/mnt/spa ce", "space"],
  ])("rejects LocalMountPath %s (%s) with ValidationException", async (path) => {
    await seedFunction(clients, { functionName: "bad-path", vpc });
    await expect(
      clients.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "bad-path",
          FileSystemConfigs: [{ Arn: accessPointArn, LocalMountPath: path }],
        }),
      ),
    ).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("accepts at most one file system config", async () => {
    await seedFunction(clients, { functionName: "two", vpc });
    await expect(
      clients.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "two",
          FileSystemConfigs: [
            { Arn: accessPointArn, LocalMountPath: "/mnt/a" },
            { Arn: accessPointArn, LocalMountPath: "/mnt/b" },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: "ValidationException" });
    const after = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "two" }));
    expect(after.FileSystemConfigs).toBeUndefined();
  });

  it("rejects an Arn that is not an EFS access point ARN", async () => {
    await seedFunction(clients, { functionName: "bad-arn", vpc });
    await expect(
      clients.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "bad-arn",
          FileSystemConfigs: [
            {
              Arn: "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-1234",
              LocalMountPath: "/mnt/a",
            },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: "ValidationException" });
  });
});
