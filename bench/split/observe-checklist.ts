/**
 * Design option "observation split into functions" (bench only, not deployed): the checklist's
 * reads — the execution roles' policies and the file system's resource policy (IAM, EFS), its alarms
 * (CloudWatch) and their tags (Resource Groups Tagging) — given what the first function read.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EFSClient } from "@aws-sdk/client-efs";
import { IAMClient } from "@aws-sdk/client-iam";
import { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { clientConfig } from "../../src/aws/clients";
import { AwsReader } from "../../src/observe/aws-reader";
import { createLimiter } from "../../src/observe/limiter";
import { readAlarms } from "../../src/observe/read-alarms";
import { readIam } from "../../src/observe/read-iam-policies";
import { lambdaHandler } from "../../src/statemachine/handlers";
import { SPLIT_CONCURRENCY, type SplitChecklistEvent } from "./events";

export const handler = lambdaHandler(() => {
  const common = clientConfig();
  const clients = {
    iam: new IAMClient(common),
    efs: new EFSClient(common),
    cloudwatch: new CloudWatchClient(common),
    tagging: new ResourceGroupsTaggingAPIClient(common),
  };
  return async (event: SplitChecklistEvent) => {
    const reader = new AwsReader(await clients.efs.config.region());
    const limit = createLimiter(SPLIT_CONCURRENCY);
    const [iam, alarms] = await Promise.all([
      readIam(reader, clients, event.roleArns, event.fileSystemIds, limit),
      readAlarms(reader, clients, event.fileSystemIds, limit),
    ]);
    return { iam, alarms };
  };
});
