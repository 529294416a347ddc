/**
 * Subnets: one batched DescribeSubnets by `subnet-id` filter (an unknown id is simply not
 * returned), and one by `vpc-id` filter for the VPCs whose AZ coverage a manifest widens.
 */
import { DescribeSubnetsCommand, type EC2Client, type Subnet } from "@aws-sdk/client-ec2";
import { chunk } from "../aws/chunk";
import { type AwsReader, distinct, EC2_FILTER_VALUES_PER_CALL } from "./aws-reader";
import type { ObservedSubnet } from "./types";

async function describeSubnets(
  reader: AwsReader,
  ec2: EC2Client,
  filterName: "subnet-id" | "vpc-id",
  values: readonly string[],
): Promise<ObservedSubnet[]> {
  const batches = await Promise.all(
    chunk(distinct(values), EC2_FILTER_VALUES_PER_CALL).map(async (ids) => {
      const pages = await reader.pages(
        "ec2",
        "DescribeSubnets",
        (NextToken) =>
          ec2.send(
            new DescribeSubnetsCommand({
              Filters: [{ Name: filterName, Values: ids }],
              MaxResults: 1000,
              ...(NextToken ? { NextToken } : {}),
            }),
          ),
        (page) => page.NextToken,
      );
      return pages.flatMap((p) => p.Subnets ?? []);
    }),
  );
  return batches
    .flat()
    .map(toObservedSubnet)
    .filter((s): s is ObservedSubnet => s !== undefined)
    .sort(compareSubnets);
}

function toObservedSubnet(s: Subnet): ObservedSubnet | undefined {
  if (!s.SubnetId) return undefined;
  return { subnetId: s.SubnetId, vpcId: s.VpcId ?? "", availabilityZone: s.AvailabilityZone ?? "" };
}

function compareSubnets(a: ObservedSubnet, b: ObservedSubnet): number {
  if (a.availabilityZone !== b.availabilityZone) return a.availabilityZone < b.availabilityZone ? -1 : 1;
  return a.subnetId < b.subnetId ? -1 : a.subnetId > b.subnetId ? 1 : 0;
}

/** The subnets that exist among `subnetIds`, by id. */
export async function readSubnetsById(
  reader: AwsReader,
  ec2: EC2Client,
  subnetIds: readonly string[],
): Promise<Record<string, ObservedSubnet>> {
  const out: Record<string, ObservedSubnet> = {};
  for (const s of await describeSubnets(reader, ec2, "subnet-id", subnetIds)) out[s.subnetId] = s;
  return out;
}

/** Every subnet of each VPC, sorted by AZ then id, by VPC id. */
export async function readSubnetsOfVpcs(
  reader: AwsReader,
  ec2: EC2Client,
  vpcIds: readonly string[],
): Promise<Record<string, ObservedSubnet[]>> {
  const out: Record<string, ObservedSubnet[]> = {};
  for (const vpcId of distinct(vpcIds)) out[vpcId] = [];
  for (const s of await describeSubnets(reader, ec2, "vpc-id", vpcIds)) out[s.vpcId]?.push(s);
  return out;
}
