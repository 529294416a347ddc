/**
 * Route tables: which table routes each subnet. One batched, paginated DescribeRouteTables read of
 * every table of the subnets' VPCs (`vpc-id`, 200 VPCs per call): the tables explicitly associated
 * with subnets, and the main tables, which route every subnet without an explicit association. A
 * route table and the subnets it is associated with are always in one VPC.
 */
import {
  DescribeRouteTablesCommand,
  type EC2Client,
  type Filter,
  type RouteTable,
} from "@aws-sdk/client-ec2";
import { chunk } from "../aws/chunk";
import { type AwsReader, distinct, EC2_FILTER_VALUES_PER_CALL } from "./aws-reader";
import type { ObservedRouteTable } from "./types";

/** `values` in batches, each call's filters within EC2's cap of filter values. */
async function describeRouteTables(
  reader: AwsReader,
  ec2: EC2Client,
  filters: (values: string[]) => Filter[],
  values: readonly string[],
): Promise<RouteTable[]> {
  const batches = await Promise.all(
    chunk(distinct(values), EC2_FILTER_VALUES_PER_CALL).map(async (ids) => {
      const pages = await reader.pages(
        "ec2",
        "DescribeRouteTables",
        (NextToken) =>
          ec2.send(
            new DescribeRouteTablesCommand({
              Filters: filters(ids),
              MaxResults: 100,
              ...(NextToken ? { NextToken } : {}),
            }),
          ),
        (page) => page.NextToken,
      );
      return pages.flatMap((p) => p.RouteTables ?? []);
    }),
  );
  return batches.flat();
}

/** The snapshot form of a route table (only its current associations count). */
export function toObservedRouteTable(table: RouteTable): ObservedRouteTable | undefined {
  if (!table.RouteTableId) return undefined;
  const current = (table.Associations ?? []).filter(
    (a) => a.AssociationState?.State === undefined || a.AssociationState.State === "associated",
  );
  return {
    routeTableId: table.RouteTableId,
    vpcId: table.VpcId ?? "",
    main: current.some((a) => a.Main === true),
    subnetIds: distinct(current.map((a) => a.SubnetId)),
    routes: (table.Routes ?? []).map((r) => ({
      ...(r.DestinationCidrBlock ? { destinationCidrBlock: r.DestinationCidrBlock } : {}),
      ...(r.DestinationIpv6CidrBlock ? { destinationIpv6CidrBlock: r.DestinationIpv6CidrBlock } : {}),
      ...(r.GatewayId ? { gatewayId: r.GatewayId } : {}),
      ...(r.NatGatewayId ? { natGatewayId: r.NatGatewayId } : {}),
      ...(r.TransitGatewayId ? { transitGatewayId: r.TransitGatewayId } : {}),
      ...(r.VpcPeeringConnectionId ? { vpcPeeringConnectionId: r.VpcPeeringConnectionId } : {}),
      ...(r.NetworkInterfaceId ? { networkInterfaceId: r.NetworkInterfaceId } : {}),
      ...(r.State ? { state: r.State } : {}),
    })),
  };
}

/** Every route table of `vpcIds` (associated with subnets or not, main or not), keyed by route-table id. */
export async function readRouteTables(
  reader: AwsReader,
  ec2: EC2Client,
  vpcIds: readonly string[],
): Promise<Record<string, ObservedRouteTable>> {
  const tables = await describeRouteTables(reader, ec2, (ids) => [{ Name: "vpc-id", Values: ids }], vpcIds);
  const out: Record<string, ObservedRouteTable> = {};
  for (const table of tables) {
    const observed = toObservedRouteTable(table);
    if (observed) out[observed.routeTableId] = observed;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
