/**
 * Lambda entry of the workflow's Verify state (bundled on its own: dist/lambda/verify/): it diffs
 * the manifests against the observation after the actions, so it holds no AWS client but the run
 * bucket's.
 */
import { planChanges } from "../../plan/index";
import { lambdaHandler } from "../handlers";
import { planTaskDepsFromEnv } from "../observe-deps";
import { createVerifyTask } from "../tasks";

export const handler = lambdaHandler((env) => createVerifyTask(planTaskDepsFromEnv(env), { planChanges }));
