import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { DescribeAccessPointsCommand, DescribeFileSystemsCommand } from "@aws-sdk/client-efs";
import { GetFunctionConfigurationCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import { configureEmulator, emulatorClients, emulatorEndpoint, resetEmulator } from "../../support/emulator";
import { seedAccessPoint, seedFileSystem, seedFunction, seedNetwork } from "../../support/seed";

describe("emulator reset", () => {
  const clients = emulatorClients();

  beforeEach(async () => {
    await resetEmulator();
  });

  it("wipes resources of every service, including state the corrections keep", async () => {
    const network = await seedNetwork(clients, { azs: ["us-east-1a"] });
    const fs = await seedFileSystem(clients, { creationToken: "same-token" });
    const ap = await seedAccessPoint(clients, { fileSystemId: fs.fileSystemId, clientToken: "ap-token" });
    await seedFunction(clients, {
      functionName: "fn",
      vpc: { subnetIds: network.subnetIds, securityGroupIds: [network.lambdaSecurityGroupId] },
      fileSystem: { accessPointArn: ap.accessPointArn, localMountPath: "/mnt/data" },
      loggingConfig: { LogFormat: "JSON" },
    });

    await resetEmulator();

    expect((await clients.efs.send(new DescribeFileSystemsCommand({}))).FileSystems).toEqual([]);
    expect((await clients.efs.send(new DescribeAccessPointsCommand({}))).AccessPoints).toEqual([]);
    expect((await clients.lambda.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
    const vpcs = await clients.ec2.send(new DescribeVpcsCommand({}));
    expect(vpcs.Vpcs?.map((v) => v.VpcId)).not.toContain(network.vpcId);

    // Tokens and names are free again; the recreated function starts from defaults.
    const again = await seedFileSystem(clients, { creationToken: "same-token" });
    const apAgain = await seedAccessPoint(clients, {
      fileSystemId: again.fileSystemId,
      clientToken: "ap-token",
    });
    expect(apAgain.accessPointId).not.toBe(ap.accessPointId);
    await seedFunction(clients, { functionName: "fn" });
    const config = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "fn" }));
    expect(config.FileSystemConfigs).toBeUndefined();
    expect(config.LoggingConfig).toEqual({ LogFormat: "Text", LogGroup: "/aws/lambda/fn" });
  });

  it("moto's own /moto-api/reset also restores the test knobs", async () => {
    await configureEmulator({ mountTargetCreatingDescribes: 4 });
    const reset = await fetch(`${emulatorEndpoint()}/moto-api/reset`, { method: "POST" });
    expect(reset.ok).toBe(true);
    const config = await fetch(`${emulatorEndpoint()}/efs-reconciler/config`).then((r) => r.json());
    expect(config).toEqual({ mountTargetCreatingDescribes: 0 });
  });
});
