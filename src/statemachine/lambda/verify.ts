/** Lambda entry of the workflow's Verify state (bundled on its own: dist/lambda/verify/). */
import { clientConfig, createObserveClients } from "../../aws/clients";
import { createS3Objects } from "../../aws/s3-objects";
import { observe } from "../../observe/observe";
import { planChanges } from "../../plan/index";
import { compiledManifestsLoader, lambdaHandler, logLine, manifestDirFromEnv } from "../handlers";
import { runStoreFromEnv } from "../s3-run-store";
import { createVerifyTask } from "../tasks";

export const handler = lambdaHandler((env) => {
  const store = runStoreFromEnv(env, () => createS3Objects(clientConfig()));
  return createVerifyTask(
    {
      loadDesired: compiledManifestsLoader(manifestDirFromEnv(env)),
      clients: createObserveClients(),
      log: (message) => logLine(message),
      ...(store ? { store } : {}),
    },
    { observe, planChanges },
  );
});
