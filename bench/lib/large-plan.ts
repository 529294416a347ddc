/**
 * A plan larger than Step Functions' 256 KiB payload limit, run end to end: every file system of
 * the largest fleet loses its lifecycle policy, and the real definition applies the resulting plan
 * on the local engine. The plan goes by reference (stored plan, RunStoredActions Distributed Map);
 * the bench reports the plan's size and the largest input or output of any state of the run.
 */
import type { AwsClients } from "../../src/aws/clients";
import type { DesiredState } from "../../src/desired-state/types";
import { groupPhases } from "../../src/statemachine/phases";
import type { Fleet } from "./fleet";
import type { LargePlanResult } from "./results";
import { round } from "./stats";
import { driftLifecycle, runLocalWorkflow } from "./workflow-runs";

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value ?? null));

export async function measureLargePlan(options: {
  desired: DesiredState;
  clients: AwsClients;
  seedClients: AwsClients;
  fleet: Fleet;
}): Promise<LargePlanResult> {
  const { desired, clients, seedClients, fleet } = options;
  await driftLifecycle(seedClients, fleet.apps);
  const run = await runLocalWorkflow(desired, clients, "apply", 100_000);
  const planRecord = run.records.find((r) => r.kind === "plan");
  const plan = planRecord?.kind === "plan" ? planRecord.plan : undefined;
  if (!plan) throw new Error("the large-plan run recorded no plan");
  let maxBytes = 0;
  let maxState = "";
  for (const e of run.events) {
    if (!("state" in e)) continue;
    const size = bytes(e.type === "StateExited" ? e.state.output : e.state.input);
    if (size > maxBytes) {
      maxBytes = size;
      maxState = `${e.state.name} (${e.type === "StateExited" ? "output" : "input"})`;
    }
  }
  const report = run.result.report;
  return {
    fileSystems: desired.fileSystems.length,
    actions: plan.actions.length,
    planBytes: bytes(plan),
    inlineStepBytes: bytes({ plan, phases: groupPhases(plan.actions) }),
    maxStatePayloadBytes: maxBytes,
    maxStatePayloadState: maxState,
    status: run.result.status,
    ...(run.result.error ? { error: `${run.result.error}: ${run.result.cause ?? ""}`.slice(0, 500) } : {}),
    stateTransitions: run.result.stateTransitions,
    seconds: round(run.seconds, 2),
    remainingDrift: "remaining" in report ? report.remaining.length : -1,
  };
}
