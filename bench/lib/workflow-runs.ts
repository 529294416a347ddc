/**
 * Runs of the real workflow definition on the local engine against the bench's emulator: the
 * real task functions (observe, plan, reconcile, check), records kept in memory. Observation is
 * not rate limited here (the emulator has no limits; the rate limiter is measured on its own).
 */
import { PutLifecycleConfigurationCommand } from "@aws-sdk/client-efs";
import type { AwsClients } from "../../src/aws/clients";
import type { DesiredState } from "../../src/desired-state/types";
import type { ApplyReport, Plan } from "../../src/plan/types";
import { type EngineEvent, executeWorkflow, type WorkflowResult } from "../../src/statemachine/local-engine";
import type { RunRecord } from "../../src/statemachine/run-record";
import { createMemoryRunStore } from "../../src/statemachine/run-store";
import { createTasks } from "../../src/statemachine/workflow-tasks";
import type { WorkflowMode } from "../../src/statemachine/workflow-types";
import type { FleetApp } from "./fleet";

export interface WorkflowRun {
  result: WorkflowResult;
  records: RunRecord[];
  events: EngineEvent[];
  seconds: number;
}

export async function runLocalWorkflow(
  desired: DesiredState,
  clients: AwsClients,
  mode: WorkflowMode,
  maxChanges: number,
): Promise<WorkflowRun> {
  const records: RunRecord[] = [];
  const events: EngineEvent[] = [];
  // As runWorkflow does: one run store for the tasks and the engine (plans too large go there).
  const store = createMemoryRunStore();
  const tasks = createTasks({
    loadDesired: async () => desired,
    clients,
    store,
    observeRates: false,
    record: async (entry) => {
      records.push(entry);
    },
  });
  const started = performance.now();
  const result = await executeWorkflow(
    tasks,
    { mode, maxChanges },
    { fastWaits: true, store, onEngineEvent: (e) => events.push(e) },
  );
  return { result, records, events, seconds: (performance.now() - started) / 1000 };
}

/** Removes the lifecycle policy of each app: one FS_LIFECYCLE_POLICY drift (one action) per app. */
export async function driftLifecycle(clients: AwsClients, apps: readonly FleetApp[]): Promise<void> {
  await Promise.all(
    apps.map((app) =>
      clients.efs.send(
        new PutLifecycleConfigurationCommand({ FileSystemId: app.fileSystemId, LifecyclePolicies: [] }),
      ),
    ),
  );
}

export function actionsOf(report: ApplyReport | Plan): number {
  return report.actions.length;
}
