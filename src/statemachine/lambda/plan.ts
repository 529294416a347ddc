/** Lambda entry of the workflow's Plan state (bundled on its own: dist/lambda/plan/). */
import { clientConfig, createObserveClients } from "../../aws/clients";
import { createS3Objects } from "../../aws/s3-objects";
import { observe } from "../../observe/observe";
import { planChanges } from "../../plan/index";
import { compiledManifestsLoader, lambdaHandler, logLine, manifestDirFromEnv } from "../handlers";
import { runStoreFromEnv } from "../s3-run-store";
import { createPlanTask } from "../tasks";

export const handler = lambdaHandler((env) => {
  const config = clientConfig();
  const store = runStoreFromEnv(env, () => createS3Objects(config));
  return createPlanTask(
    {
      loadDesired: compiledManifestsLoader(manifestDirFromEnv(env)),
      clients: createObserveClients(),
      log: (message) => logLine(message),
      ...(store ? { store } : {}),
    },
    { observe, planChanges },
  );
});
