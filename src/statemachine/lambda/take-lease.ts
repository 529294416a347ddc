/** Lambda entry of the workflow's TakeLease state (bundled on its own: dist/lambda/take-lease/). */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SFNClient } from "@aws-sdk/client-sfn";
import { clientConfig } from "../../aws/clients";
import { createDynamoLease } from "../../lock/dynamodb-lease";
import { lambdaHandler, logLine } from "../handlers";
import { createTakeLeaseTask } from "../tasks";

export const handler = lambdaHandler((env) => {
  const config = clientConfig();
  const lease = env.RUNS_TABLE
    ? createDynamoLease({
        dynamo: new DynamoDBClient(config),
        sfn: new SFNClient(config),
        tableName: env.RUNS_TABLE,
      })
    : undefined;
  return createTakeLeaseTask({ log: (message) => logLine(message), ...(lease ? { lease } : {}) });
});
