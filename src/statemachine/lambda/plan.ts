/**
 * Lambda entry of the workflow's Plan state (bundled on its own: dist/lambda/plan/): it only diffs
 * the manifests against the observation's stages, so it holds no AWS client but the run bucket's.
 */
import { planChanges } from "../../plan/index";
import { lambdaHandler } from "../handlers";
import { planTaskDepsFromEnv } from "../observe-deps";
import { createPlanTask } from "../tasks";

export const handler = lambdaHandler((env) => createPlanTask(planTaskDepsFromEnv(env), { planChanges }));
