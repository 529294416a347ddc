/** Lambda entry of the workflow's SettlePhase, PollPending and GiveUpWaiting states (bundled on its own: dist/lambda/check-pending/). */
import { EFSClient } from "@aws-sdk/client-efs";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { clientConfig } from "../../aws/clients";
import { createS3Objects } from "../../aws/s3-objects";
import { checkPending } from "../../reconcilers/pending";
import { lambdaHandler, logLine } from "../handlers";
import { runStoreFromEnv } from "../s3-run-store";
import { createCheckPendingTask } from "../tasks";

export const handler = lambdaHandler((env) => {
  const config = clientConfig();
  const store = runStoreFromEnv(env, () => createS3Objects(config));
  return createCheckPendingTask(
    {
      clients: { efs: new EFSClient(config), lambda: new LambdaClient(config) },
      log: (message) => logLine(message),
      ...(store ? { store } : {}),
    },
    checkPending,
  );
});
