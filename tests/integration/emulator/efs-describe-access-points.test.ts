import { DescribeAccessPointsCommand, paginateDescribeAccessPoints } from "@aws-sdk/client-efs";
import { beforeEach, describe, expect, it } from "vitest";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { seedAccessPoint, seedFileSystem } from "../../support/seed";

describe("emulator: EFS DescribeAccessPoints listing and pagination", () => {
  const clients = emulatorClients();
  let expectedAll: string[];
  let expectedFirstFs: string[];
  let firstFs: string;

  beforeEach(async () => {
    await resetEmulator();
    const a = await seedFileSystem(clients);
    const b = await seedFileSystem(clients);
    firstFs = a.fileSystemId;
    expectedAll = [];
    expectedFirstFs = [];
    for (let i = 0; i < 5; i++) {
      const ap = await seedAccessPoint(clients, {
        fileSystemId: i % 2 === 0 ? a.fileSystemId : b.fileSystemId,
        rootDirectory: { Path: `/app${i}` },
        posixUser: { Uid: 1000 + i, Gid: 1000 },
        tags: { Name: `ap-${i}` },
      });
      expectedAll.push(ap.accessPointId);
      if (i % 2 === 0) expectedFirstFs.push(ap.accessPointId);
    }
  });

  it("lists every access point of the account when no FileSystemId is given", async () => {
    const out = await clients.efs.send(new DescribeAccessPointsCommand({}));
    expect(out.AccessPoints?.map((ap) => ap.AccessPointId)).toEqual(expectedAll);
    expect(out.NextToken).toBeUndefined();
    expect(out.AccessPoints?.[1]).toMatchObject({
      RootDirectory: { Path: "/app1" },
      PosixUser: { Uid: 1001, Gid: 1000 },
      Tags: [{ Key: "Name", Value: "ap-1" }],
      LifeCycleState: "available",
    });
  });

  it("pages with MaxResults and NextToken, with and without FileSystemId", async () => {
    const first = await clients.efs.send(new DescribeAccessPointsCommand({ MaxResults: 2 }));
    expect(first.AccessPoints).toHaveLength(2);
    expect(first.NextToken).toBeTruthy();

    const seen: string[] = [];
    for await (const page of paginateDescribeAccessPoints({ client: clients.efs, pageSize: 2 }, {})) {
      expect((page.AccessPoints ?? []).length).toBeLessThanOrEqual(2);
      seen.push(...(page.AccessPoints ?? []).map((ap) => ap.AccessPointId ?? ""));
    }
    expect(seen).toEqual(expectedAll);

    const ofFs: string[] = [];
    for await (const page of paginateDescribeAccessPoints(
      { client: clients.efs, pageSize: 1 },
      { FileSystemId: firstFs },
    )) {
      ofFs.push(...(page.AccessPoints ?? []).map((ap) => ap.AccessPointId ?? ""));
    }
    expect(ofFs).toEqual(expectedFirstFs);
  });
});
