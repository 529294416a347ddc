/**
 * Design option "observation split into functions" (bench only, not deployed): the EC2 reads —
 * the named security groups and their rules, the mount targets' security groups, the subnets and
 * their route tables — given what the first function read.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { EFSClient } from "@aws-sdk/client-efs";
import { clientConfig } from "../../src/aws/clients";
import { AwsReader } from "../../src/observe/aws-reader";
import { createLimiter } from "../../src/observe/limiter";
import { readMountTargetGroups } from "../../src/observe/read-mount-target-groups";
import { readRouteTables } from "../../src/observe/read-route-tables";
import { readSecurityGroups } from "../../src/observe/read-security-groups";
import { readSubnetsById } from "../../src/observe/read-subnets";
import { lambdaHandler } from "../../src/statemachine/handlers";
import { SPLIT_CONCURRENCY, type SplitNetworkEvent } from "./events";

export const handler = lambdaHandler(() => {
  const common = clientConfig();
  const ec2 = new EC2Client(common);
  const efs = new EFSClient(common);
  return async (event: SplitNetworkEvent) => {
    const reader = new AwsReader(await ec2.config.region());
    const [groups, mountTargetGroups, subnets, routeTables] = await Promise.all([
      readSecurityGroups(reader, ec2, event.groupIds),
      readMountTargetGroups(reader, { ec2, efs }, event.mountTargets, createLimiter(SPLIT_CONCURRENCY)),
      readSubnetsById(reader, ec2, event.subnetIds),
      readRouteTables(reader, ec2, event.subnetIds, event.vpcIds),
    ]);
    return { groups, mountTargetGroups: Object.fromEntries(mountTargetGroups), subnets, routeTables };
  };
});
