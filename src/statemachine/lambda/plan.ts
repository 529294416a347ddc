/** Lambda entry of the workflow's Plan state (bundled on its own: dist/lambda/plan/). */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import { clientConfig, createObserveClients } from "../../aws/clients";
import { createDynamoLease } from "../../lock/dynamodb-lease";
import { observe } from "../../observe/observe";
import { planChanges } from "../../plan/index";
import { compiledManifestsLoader, lambdaHandler, logLine, manifestDirFromEnv } from "../handlers";
import { runStoreFromEnv } from "../s3-run-store";
import { createPlanTask } from "../tasks";

export const handler = lambdaHandler((env) => {
  const config = clientConfig();
  const lease = env.RUNS_TABLE
    ? createDynamoLease({
        dynamo: new DynamoDBClient(config),
        sfn: new SFNClient(config),
        tableName: env.RUNS_TABLE,
      })
    : undefined;
  const store = runStoreFromEnv(env, () => new S3Client(config));
  return createPlanTask(
    {
      loadDesired: compiledManifestsLoader(manifestDirFromEnv(env)),
      clients: createObserveClients(),
      log: (message) => logLine(message),
      ...(lease ? { lease } : {}),
      ...(store ? { store } : {}),
    },
    { observe, planChanges },
  );
});
