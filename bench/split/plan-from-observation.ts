/**
 * Design option "observation split into functions" (bench only, not deployed): the last function,
 * which only diffs — the manifests against the observed state the other three read.
 */
import type { ObservedState } from "../../src/observe/types";
import { planChanges } from "../../src/plan/index";
import { compiledManifestsLoader, lambdaHandler, manifestDirFromEnv } from "../../src/statemachine/handlers";

export const handler = lambdaHandler((env) => {
  const load = compiledManifestsLoader(manifestDirFromEnv(env));
  return async (event: { observed: ObservedState; runId: string }) => {
    const plan = planChanges(await load(), event.observed, { mode: "dry-run", runId: event.runId });
    return { drift: plan.summary.drift, actions: plan.summary.actions };
  };
});
