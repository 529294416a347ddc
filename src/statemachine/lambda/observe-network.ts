/**
 * Lambda entry of the workflow's ObserveNetwork states (bundled on its own:
 * dist/lambda/observe-network/): observation's EC2 reads.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { EFSClient } from "@aws-sdk/client-efs";
import { observeNetworkAlone } from "../../observe/observe-network";
import { lambdaHandler } from "../handlers";
import { stageTaskDepsFromEnv } from "../observe-deps";
import { createObserveNetworkTask } from "../tasks";

export const handler = lambdaHandler((env) =>
  createObserveNetworkTask(
    stageTaskDepsFromEnv(env, (config) => ({ ec2: new EC2Client(config), efs: new EFSClient(config) })),
    { network: observeNetworkAlone },
  ),
);
