import { GetFunctionConfigurationCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { type SeededNetwork, seedFunction, seedNetwork } from "../../support/seed";

describe("emulator: Lambda VpcConfig.VpcId", () => {
  const clients = emulatorClients();
  let network: SeededNetwork;

  beforeEach(async () => {
    await resetEmulator();
    network = await seedNetwork(clients, { azs: ["us-east-1a", "us-east-1b"] });
  });

  it("reports the subnets' VPC on create and after moving the function to another VPC", async () => {
    await seedFunction(clients, {
      functionName: "in-vpc",
      vpc: { subnetIds: network.subnetIds, securityGroupIds: [network.lambdaSecurityGroupId] },
    });
    const created = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "in-vpc" }),
    );
    expect(created.VpcConfig).toMatchObject({
      VpcId: network.vpcId,
      SubnetIds: network.subnetIds,
      SecurityGroupIds: [network.lambdaSecurityGroupId],
    });

    const other = await seedNetwork(clients, { azs: ["us-east-1c"], cidr: "10.1.0.0/16", name: "other" });
    const updated = await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "in-vpc",
        VpcConfig: { SubnetIds: other.subnetIds, SecurityGroupIds: [other.lambdaSecurityGroupId] },
      }),
    );
    expect(updated.VpcConfig?.VpcId).toBe(other.vpcId);
    expect(other.vpcId).not.toBe(network.vpcId);
  });

  it("rejects unknown subnets and security groups with InvalidParameterValueException", async () => {
    await expect(
      seedFunction(clients, {
        functionName: "ghost-subnet",
        vpc: { subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: [network.lambdaSecurityGroupId] },
      }),
    ).rejects.toMatchObject({ name: "InvalidParameterValueException" });
    await expect(
      seedFunction(clients, {
        functionName: "ghost-group",
        vpc: { subnetIds: network.subnetIds, securityGroupIds: ["sg-0123456789abcdef0"] },
      }),
    ).rejects.toMatchObject({ name: "InvalidParameterValueException" });
  });
});
