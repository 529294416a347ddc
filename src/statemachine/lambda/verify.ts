/** Lambda entry of the workflow's Verify state (bundled on its own: dist/lambda/verify/). */
import { observe } from "../../observe/observe";
import { planChanges } from "../../plan/index";
import { lambdaHandler } from "../handlers";
import { observeTaskDepsFromEnv } from "../observe-deps";
import { createVerifyTask } from "../tasks";

export const handler = lambdaHandler((env) =>
  createVerifyTask(observeTaskDepsFromEnv(env), { observe, planChanges }),
);
