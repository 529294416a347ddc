/**
 * Security groups of mount targets, read through their network interfaces: one batched
 * DescribeNetworkInterfaces for all of them, DescribeMountTargetSecurityGroups only for a mount
 * target whose interface is unknown or not returned.
 */
import { DescribeNetworkInterfacesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeMountTargetSecurityGroupsCommand,
  type EFSClient,
  type MountTargetDescription,
} from "@aws-sdk/client-efs";
import { chunk } from "../aws/chunk";
import { type AwsReader, distinct, EC2_FILTER_VALUES_PER_CALL } from "./aws-reader";
import type { Limiter } from "./limiter";

/** Mount target id → its security group ids (sorted); a mount target that no longer exists is absent. */
export async function readMountTargetGroups(
  reader: AwsReader,
  clients: { ec2: EC2Client; efs: EFSClient },
  mountTargets: readonly MountTargetDescription[],
  limit: Limiter,
): Promise<Map<string, string[]>> {
  const eniIds = distinct(mountTargets.map((mt) => mt.NetworkInterfaceId));
  const groupsByEni = new Map<string, string[]>();
  await Promise.all(
    chunk(eniIds, EC2_FILTER_VALUES_PER_CALL).map(async (ids) => {
      const pages = await reader.pages(
        "ec2",
        "DescribeNetworkInterfaces",
        (NextToken) =>
          clients.ec2.send(
            new DescribeNetworkInterfacesCommand({
              Filters: [{ Name: "network-interface-id", Values: ids }],
              MaxResults: 1000,
              ...(NextToken ? { NextToken } : {}),
            }),
          ),
        (page) => page.NextToken,
      );
      for (const eni of pages.flatMap((p) => p.NetworkInterfaces ?? [])) {
        if (eni.NetworkInterfaceId) {
          groupsByEni.set(eni.NetworkInterfaceId, distinct((eni.Groups ?? []).map((g) => g.GroupId)));
        }
      }
    }),
  );

  const out = new Map<string, string[]>();
  await Promise.all(
    mountTargets.map(async (mt) => {
      if (!mt.MountTargetId) return;
      const viaEni = mt.NetworkInterfaceId ? groupsByEni.get(mt.NetworkInterfaceId) : undefined;
      if (viaEni) {
        out.set(mt.MountTargetId, viaEni);
        return;
      }
      const id = mt.MountTargetId;
      const result = await limit(() =>
        reader.tryCall(
          "efs",
          "DescribeMountTargetSecurityGroups",
          () => clients.efs.send(new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: id })),
          ["MountTargetNotFound", "IncorrectMountTargetState"],
        ),
      );
      if (result.ok) out.set(id, distinct(result.value.SecurityGroups ?? []));
      // A mount target still being created has no groups to report yet.
      else if (result.errorName === "IncorrectMountTargetState") out.set(id, []);
    }),
  );
  return out;
}
