/**
 * Route tables: which table routes each subnet. Two batched, paginated DescribeRouteTables reads,
 * sent concurrently: the tables explicitly associated with the subnets (`association.subnet-id`),
 * and the main tables of their VPCs (`vpc-id` + `association.main`), which route every subnet
 * without an explicit association.
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

/** `values` in batches, each call's filters (`filters(batch)` plus `fixedValues` more values) within the cap. */
async function describeRouteTables(
  reader: AwsReader,
  ec2: EC2Client,
  filters: (values: string[]) => Filter[],
  values: readonly string[],
  fixedValues = 0,
): Promise<RouteTable[]> {
  const batches = await Promise.all(
    chunk(distinct(values), EC2_FILTER_VALUES_PER_CALL - fixedValues).map(async (ids) => {
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

/**
 * The route tables explicitly associated with `subnetIds` and the main route tables of `vpcIds`,
 * keyed by route-table id.
 */
export async function readRouteTables(
  reader: AwsReader,
  ec2: EC2Client,
  subnetIds: readonly string[],
  vpcIds: readonly string[],
): Promise<Record<string, ObservedRouteTable>> {
  const [associated, main] = await Promise.all([
    subnetIds.length > 0
      ? describeRouteTables(reader, ec2, (ids) => [{ Name: "association.subnet-id", Values: ids }], subnetIds)
      : [],
    vpcIds.length > 0
      ? describeRouteTables(
          reader,
          ec2,
          (ids) => [
            { Name: "vpc-id", Values: ids },
            { Name: "association.main", Values: ["true"] },
          ],
          vpcIds,
          1,
        )
      : [],
  ]);
  const out: Record<string, ObservedRouteTable> = {};
  for (const table of [...associated, ...main]) {
    const observed = toObservedRouteTable(table);
    if (observed) out[observed.routeTableId] = observed;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
