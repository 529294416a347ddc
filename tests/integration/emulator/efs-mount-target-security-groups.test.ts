import { DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import {
  DescribeMountTargetSecurityGroupsCommand,
  ModifyMountTargetSecurityGroupsCommand,
} from "@aws-sdk/client-efs";
import { beforeEach, describe, expect, it } from "vitest";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { type SeededNetwork, seedFileSystem, seedMountTargets, seedNetwork } from "../../support/seed";

describe("emulator: EFS mount-target security groups and their network interfaces", () => {
  const clients = emulatorClients();
  let network: SeededNetwork;
  let fileSystemId: string;

  const eniGroups = async (eniId: string): Promise<string[]> => {
    const out = await clients.ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }),
    );
    return (out.NetworkInterfaces?.[0]?.Groups ?? []).map((g) => g.GroupId ?? "").sort();
  };

  beforeEach(async () => {
    await resetEmulator();
    network = await seedNetwork(clients, { azs: ["us-east-1a"] });
    ({ fileSystemId } = await seedFileSystem(clients));
  });

  it("puts the mount target's groups on its network interface, and ModifyMountTargetSecurityGroups updates both", async () => {
    const [mt] = await seedMountTargets(clients, {
      fileSystemId,
      subnetIds: network.subnetIds,
      securityGroupIds: [network.efsSecurityGroupId],
    });
    if (!mt) throw new Error("no mount target");
    expect(await eniGroups(mt.networkInterfaceId)).toEqual([network.efsSecurityGroupId]);

    const both = [network.efsSecurityGroupId, network.lambdaSecurityGroupId];
    await clients.efs.send(
      new ModifyMountTargetSecurityGroupsCommand({ MountTargetId: mt.mountTargetId, SecurityGroups: both }),
    );
    const described = await clients.efs.send(
      new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: mt.mountTargetId }),
    );
    expect([...(described.SecurityGroups ?? [])].sort()).toEqual([...both].sort());
    expect(await eniGroups(mt.networkInterfaceId)).toEqual([...both].sort());
  });

  it("gives a mount target created without groups the VPC's default group", async () => {
    const [mt] = await seedMountTargets(clients, { fileSystemId, subnetIds: network.subnetIds });
    if (!mt) throw new Error("no mount target");
    const described = await clients.efs.send(
      new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: mt.mountTargetId }),
    );
    expect(described.SecurityGroups).toEqual([network.defaultSecurityGroupId]);
    expect(await eniGroups(mt.networkInterfaceId)).toEqual([network.defaultSecurityGroupId]);
  });

  it("rejects unknown groups and more than five groups, leaving the groups unchanged", async () => {
    const [mt] = await seedMountTargets(clients, {
      fileSystemId,
      subnetIds: network.subnetIds,
      securityGroupIds: [network.efsSecurityGroupId],
    });
    if (!mt) throw new Error("no mount target");
    await expect(
      clients.efs.send(
        new ModifyMountTargetSecurityGroupsCommand({
          MountTargetId: mt.mountTargetId,
          SecurityGroups: ["sg-0123456789abcdef0"],
        }),
      ),
    ).rejects.toMatchObject({ name: "SecurityGroupNotFound" });
    await expect(
      clients.efs.send(
        new ModifyMountTargetSecurityGroupsCommand({
          MountTargetId: mt.mountTargetId,
          SecurityGroups: Array.from({ length: 6 }, () => network.efsSecurityGroupId),
        }),
      ),
    ).rejects.toMatchObject({ name: "SecurityGroupLimitExceeded" });
    const described = await clients.efs.send(
      new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: mt.mountTargetId }),
    );
    expect(described.SecurityGroups).toEqual([network.efsSecurityGroupId]);
    expect(await eniGroups(mt.networkInterfaceId)).toEqual([network.efsSecurityGroupId]);
  });
});
