/**
 * One recording of a run, as data: from the stored status document and the run, the run's
 * events and the next status document. Recording the same run again (its outcome after its
 * plan, or a retry) starts from the same baseline, so it yields the same events. Pure.
 */
import { computeObjectStatus } from "./compute-status";
import { deriveRunLifecycle, type RunInput } from "./derive-events";
import type { DriftEvent, ManifestRef, StatusDocument } from "./types";

/** Runs kept in the status document's history (the report's timeline). */
export const HISTORY_LIMIT = 200;

export interface NextRecord {
  events: DriftEvent[];
  status: StatusDocument;
}

export function nextRecord(
  stored: StatusDocument | undefined,
  input: RunInput & { objects: readonly ManifestRef[] },
  now: string,
): NextRecord {
  const { plan, report } = input;
  const sameRun = stored?.lastRun.runId === plan.runId;
  const baseline = (sameRun ? stored?.baseline : stored?.openDrift) ?? [];
  const startedAt = sameRun && stored ? stored.lastRun.startedAt : now;
  const executionArn = input.executionArn ?? (sameRun ? stored?.lastRun.executionArn : undefined);

  const lifecycle = deriveRunLifecycle(
    baseline,
    {
      plan,
      ...(report ? { report } : {}),
      ...(executionArn ? { executionArn } : {}),
      ...(input.verified === false ? { verified: false as const } : {}),
    },
    { startedAt, now },
  );
  // A late re-recording of the plan must not undo the run's outcome (verified, or stopped early).
  if (stored && sameRun && stored.lastRun.stage !== "planned" && !report) {
    return { events: lifecycle.events, status: stored };
  }
  const objects = computeObjectStatus(input.objects, lifecycle.open, stored?.objects ?? [], {
    runId: plan.runId,
    manifestRevision: plan.manifestRevision,
    at: now,
  });
  const history = (stored?.history ?? []).filter((h) => h.runId !== plan.runId);
  history.push(lifecycle.summary);

  const status: StatusDocument = {
    formatVersion: "1",
    version: (stored?.version ?? 0) + 1,
    lastRun: {
      runId: plan.runId,
      mode: plan.mode,
      manifestRevision: plan.manifestRevision,
      startedAt,
      recordedAt: now,
      stage: report ? (input.verified === false ? "stopped" : "verified") : "planned",
      ...(executionArn ? { executionArn } : {}),
    },
    objects,
    openDrift: lifecycle.open,
    baseline: [...baseline],
    history: history.slice(-HISTORY_LIMIT),
  };
  return { events: lifecycle.events, status };
}
