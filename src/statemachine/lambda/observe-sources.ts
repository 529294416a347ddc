/**
 * Lambda entry of the workflow's ObserveSources states (bundled on its own:
 * dist/lambda/observe-sources/): observation's EFS and Lambda reads.
 */
import { EFSClient } from "@aws-sdk/client-efs";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { regionResolver } from "../../aws/clients";
import { observeSourcesAlone } from "../../observe/observe-sources";
import { lambdaHandler } from "../handlers";
import { stageTaskDepsFromEnv } from "../observe-deps";
import { createObserveSourcesTask } from "../tasks";

export const handler = lambdaHandler((env) =>
  createObserveSourcesTask(
    stageTaskDepsFromEnv(env, (config) => {
      const efs = new EFSClient(config);
      return { efs, lambda: new LambdaClient(config), region: regionResolver(efs, config.region) };
    }),
    { sources: observeSourcesAlone },
  ),
);
