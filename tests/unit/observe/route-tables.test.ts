/**
 * Route tables are read in batches that keep each DescribeRouteTables call within EC2's 200 filter
 * values per call.
 */
import {
  DescribeRouteTablesCommand,
  type DescribeRouteTablesCommandInput,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { AwsReader } from "../../../src/observe/aws-reader";
import { readRouteTables } from "../../../src/observe/read-route-tables";

const ec2 = mockClient(EC2Client);
const ids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, "0")}`);

beforeEach(() => {
  ec2.reset();
  ec2.on(DescribeRouteTablesCommand).callsFake((input: DescribeRouteTablesCommandInput) => {
    const values = (input.Filters ?? []).reduce((n, f) => n + (f.Values?.length ?? 0), 0);
    if (values > 200) {
      throw Object.assign(
        new Error("The maximum number of filter values specified on a single call is 200"),
        {
          name: "FilterLimitExceeded",
        },
      );
    }
    return { RouteTables: [] };
  });
});

describe("readRouteTables", () => {
  it("keeps every call within 200 filter values, asking for every VPC once", async () => {
    const reader = new AwsReader("us-east-1");
    await readRouteTables(reader, new EC2Client({ region: "us-east-1" }), ids("vpc", 401));

    const calls = ec2.commandCalls(DescribeRouteTablesCommand).map((c) => c.args[0].input.Filters ?? []);
    const counts = calls.map((filters) => filters.reduce((n, f) => n + (f.Values?.length ?? 0), 0));
    expect(counts.sort()).toEqual([1, 200, 200]);
    const asked = calls.flatMap((fs) => fs.filter((f) => f.Name === "vpc-id").flatMap((f) => f.Values ?? []));
    expect(asked.sort()).toEqual(ids("vpc", 401));
  });
});
