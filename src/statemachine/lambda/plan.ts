/** Lambda entry of the workflow's Plan state (bundled on its own: dist/lambda/plan/). */
import { observe } from "../../observe/observe";
import { planChanges } from "../../plan/index";
import { lambdaHandler } from "../handlers";
import { observeTaskDepsFromEnv } from "../observe-deps";
import { createPlanTask } from "../tasks";

export const handler = lambdaHandler((env) =>
  createPlanTask(observeTaskDepsFromEnv(env), { observe, planChanges }),
);
