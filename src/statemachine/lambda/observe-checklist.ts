/**
 * Lambda entry of the workflow's ObserveChecklist states (bundled on its own:
 * dist/lambda/observe-checklist/): the checklist's IAM, CloudWatch and tagging reads.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { IAMClient } from "@aws-sdk/client-iam";
import { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { observeChecklistAlone } from "../../observe/observe-checklist";
import { lambdaHandler } from "../handlers";
import { stageTaskDepsFromEnv } from "../observe-deps";
import { createObserveChecklistTask } from "../tasks";

export const handler = lambdaHandler((env) =>
  createObserveChecklistTask(
    stageTaskDepsFromEnv(env, (config) => ({
      iam: new IAMClient(config),
      cloudwatch: new CloudWatchClient(config),
      tagging: new ResourceGroupsTaggingAPIClient(config),
    })),
    { checklist: observeChecklistAlone },
  ),
);
