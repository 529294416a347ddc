import { DescribeMountTargetsCommand } from "@aws-sdk/client-efs";
import { beforeEach, describe, expect, it } from "vitest";
import { configureEmulator, emulatorClients, resetEmulator } from "../../support/emulator";
import { type SeededNetwork, seedFileSystem, seedMountTargets, seedNetwork } from "../../support/seed";

describe("emulator: mount-target lifecycle knob (mountTargetCreatingDescribes)", () => {
  const clients = emulatorClients();
  let network: SeededNetwork;
  let fileSystemId: string;

  const states = async (): Promise<string[]> => {
    const out = await clients.efs.send(new DescribeMountTargetsCommand({ FileSystemId: fileSystemId }));
    return (out.MountTargets ?? []).map((mt) => mt.LifeCycleState ?? "");
  };

  beforeEach(async () => {
    await resetEmulator();
    network = await seedNetwork(clients, { azs: ["us-east-1a", "us-east-1b"] });
    ({ fileSystemId } = await seedFileSystem(clients));
  });

  it("by default makes new mount targets available at once", async () => {
    await seedMountTargets(clients, { fileSystemId, subnetIds: network.subnetIds });
    expect(await states()).toEqual(["available", "available"]);
  });

  it("reports creating for the first N describes of each new mount target, then available", async () => {
    await configureEmulator({ mountTargetCreatingDescribes: 2 });
    const [first] = await seedMountTargets(clients, {
      fileSystemId,
      subnetIds: [network.subnetIds[0] as string],
    });
    if (!first) throw new Error("no mount target");

    expect(await states()).toEqual(["creating"]);
    // Describing by id counts as an appearance too.
    const byId = await clients.efs.send(
      new DescribeMountTargetsCommand({ MountTargetId: first.mountTargetId }),
    );
    expect(byId.MountTargets?.[0]?.LifeCycleState).toBe("creating");
    expect(await states()).toEqual(["available"]);

    // A mount target created later has its own count.
    await seedMountTargets(clients, { fileSystemId, subnetIds: [network.subnetIds[1] as string] });
    expect(await states()).toEqual(["available", "creating"]);
    expect(await states()).toEqual(["available", "creating"]);
    expect(await states()).toEqual(["available", "available"]);
  });

  it("is restored to 0 by a reset", async () => {
    await configureEmulator({ mountTargetCreatingDescribes: 5 });
    await resetEmulator();
    network = await seedNetwork(clients, { azs: ["us-east-1a"] });
    ({ fileSystemId } = await seedFileSystem(clients));
    await seedMountTargets(clients, { fileSystemId, subnetIds: network.subnetIds });
    expect(await states()).toEqual(["available"]);
  });

  it("rejects invalid values", async () => {
    await expect(configureEmulator({ mountTargetCreatingDescribes: -1 })).rejects.toThrow(
      /non-negative integer/,
    );
  });
});
