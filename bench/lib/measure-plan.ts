/**
 * One measured planning pass, as `efs-reconciler plan` does it: load the manifests, observe the
 * account (read-only), diff and plan. Observation, diff and plan are timed together: wall time
 * (`planSeconds`, which includes the emulator's own time to answer) and the CPU time of this
 * process (`cpuSeconds`: efs-reconciler's own work, the SDK's included). Loading the manifests is
 * timed on its own.
 */
import type { AwsClients } from "../../src/aws/clients";
import { loadDesiredState } from "../../src/desired-state/index";
import type { DesiredState } from "../../src/desired-state/types";
import { type ObserveOptions, observe } from "../../src/observe/observe";
import type { ObservedState } from "../../src/observe/types";
import { planChanges } from "../../src/plan/index";
import type { Plan } from "../../src/plan/types";
import type { CallStats, CallSummary } from "./call-stats";

export async function loadManifests(dir: string): Promise<{ desired: DesiredState; seconds: number }> {
  const started = performance.now();
  const result = await loadDesiredState(dir);
  if (!result.ok) {
    throw new Error(`bench manifests in ${dir} are invalid: ${JSON.stringify(result.errors.slice(0, 3))}`);
  }
  return { desired: result.state, seconds: (performance.now() - started) / 1000 };
}

export interface PlanMeasurement {
  planSeconds: number;
  cpuSeconds: number;
  observeSeconds: number;
  diffSeconds: number;
  calls: CallSummary;
  plan: Plan;
  observed: ObservedState;
}

/** Observes and plans once; `stats` must be the one the clients report to. */
export async function measurePlan(
  desired: DesiredState,
  clients: AwsClients,
  stats: CallStats,
  options: ObserveOptions = {},
): Promise<PlanMeasurement> {
  stats.reset();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const observed = await observe(desired, clients, options);
  const observedAt = performance.now();
  const plan = planChanges(desired, observed, { mode: "dry-run", runId: "bench" });
  const ended = performance.now();
  const used = process.cpuUsage(cpu);
  return {
    planSeconds: (ended - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    observeSeconds: (observedAt - started) / 1000,
    diffSeconds: (ended - observedAt) / 1000,
    calls: stats.summary(),
    plan,
    observed,
  };
}
