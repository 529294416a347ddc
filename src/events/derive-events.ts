/**
 * The lifecycle of drift items across runs (see `DriftEventType`): from the drift open before a
 * run, the run's plan and, for an apply that got that far, its verified outcome, derive the
 * run's events and the drift open after it. Pure: the same inputs always give the same events.
 */
import { stableId } from "../plan/hash";
import type { ActionResult, ApplyReport, Drift, Plan } from "../plan/types";
import type { DriftEvent, DriftEventType, EventAction, OpenDrift, RunSummary } from "./types";

export interface RunInput {
  plan: Plan;
  /** The verified outcome of an apply run; absent when only the plan is known. */
  report?: ApplyReport;
  /**
   * false: the run stopped before its verifying observation, so `report.remaining` is the plan's
   * drift; drift whose actions all succeeded is then left to the next observation (no event).
   */
  verified?: false;
  executionArn?: string;
}

export interface RunClock {
  /** When the run was first recorded: new drift counts as detected then. */
  startedAt: string;
  /** This recording. */
  now: string;
}

export interface RunLifecycle {
  events: DriftEvent[];
  /** Open after the run: its last observation (the verified remaining drift, or the plan's). */
  open: OpenDrift[];
  summary: RunSummary;
}

export const STILL_PRESENT =
  "every action covering it succeeded, but the verifying observation still found the drift: check for a process that reverts the change";

/** The stable id of an event: a retried or repeated recording of a run yields the same ids. */
export function eventId(runId: string, type: DriftEventType, driftId: string): string {
  return stableId("drift-event", runId, type, driftId);
}

function secondsBetween(from: string, to: string): number {
  return Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
}

/** The run's actions that cover each drift id, with their results. */
function coveringActions(report: ApplyReport): Map<string, EventAction[]> {
  const results = new Map<string, ActionResult>(report.results.map((r) => [r.actionId, r]));
  const byDrift = new Map<string, EventAction[]>();
  for (const a of report.actions) {
    const result = results.get(a.id);
    const view: EventAction = {
      id: a.id,
      type: a.type,
      phase: a.phase,
      resource: a.resource,
      description: a.description,
      status: result?.status ?? "skipped",
      error: result?.error ?? null,
    };
    for (const driftId of a.driftIds) {
      const list = byDrift.get(driftId);
      if (list) list.push(view);
      else byDrift.set(driftId, [view]);
    }
  }
  return byDrift;
}

/** Why an attempted remediation did not fix the drift, or undefined when it was not attempted. */
function failureOf(actions: EventAction[]): string | undefined {
  const failed = actions.find((a) => a.status === "failed");
  if (failed) return `${failed.type} ${failed.resource.id} failed: ${failed.error ?? "no error message"}`;
  const attempted = actions.length > 0 && actions.every((a) => a.status === "succeeded");
  return attempted ? STILL_PRESENT : undefined;
}

export function deriveRunLifecycle(
  baseline: readonly OpenDrift[],
  input: RunInput,
  clock: RunClock,
): RunLifecycle {
  const { plan, report, executionArn } = input;
  const before = new Map(baseline.map((o) => [o.drift.id, o]));
  const events: DriftEvent[] = [];
  const emit = (
    type: DriftEventType,
    drift: Drift,
    extra: Partial<Pick<DriftEvent, "actions" | "error" | "timeToRemediateSeconds">> = {},
  ): void => {
    const open = before.get(drift.id);
    events.push({
      eventId: eventId(plan.runId, type, drift.id),
      type,
      time: clock.now,
      runId: plan.runId,
      mode: plan.mode,
      manifestRevision: plan.manifestRevision,
      drift,
      detectedAt: open?.detectedAt ?? clock.startedAt,
      detectedRunId: open?.detectedRunId ?? plan.runId,
      ...extra,
      ...(executionArn ? { executionArn } : {}),
    });
  };

  // What the run observed first: new drift, or drift still open from an earlier run.
  const planned = new Set(plan.drift.map((d) => d.id));
  // Open drift this run observed again, whatever event it got (the summary's `persisting`).
  let seenAgain = 0;
  for (const d of plan.drift) {
    if (!before.has(d.id)) {
      emit("DriftDetected", d);
      continue;
    }
    seenAgain++;
    // Seen again: it persists when no one will fix it in this run (manual, or a dry run); auto
    // drift an apply is about to fix gets its DriftRemediated / RemediationFailed below instead.
    if (d.remediation === "manual" || plan.mode === "dry-run") emit("DriftPersists", d);
  }

  // Open drift the plan no longer found went away before any action of this run.
  const remaining = report?.remaining ?? plan.drift;
  const remainingIds = new Set(remaining.map((d) => d.id));
  for (const o of baseline) {
    if (planned.has(o.drift.id)) continue;
    if (remainingIds.has(o.drift.id)) {
      seenAgain++;
      emit("DriftPersists", o.drift);
    } else emit("DriftResolved", o.drift);
  }

  // What the apply did, as the verifying observation saw it.
  const failures = new Map<string, string>();
  if (report) {
    const applied = plan.mode === "apply";
    const covering = applied ? coveringActions(report) : new Map<string, EventAction[]>();
    for (const d of plan.drift) {
      const actions = covering.get(d.id) ?? [];
      if (!remainingIds.has(d.id)) {
        if (actions.some((a) => a.status === "succeeded")) {
          emit("DriftRemediated", d, {
            actions,
            timeToRemediateSeconds: secondsBetween(
              before.get(d.id)?.detectedAt ?? clock.startedAt,
              clock.now,
            ),
          });
        } else {
          emit("DriftResolved", d);
        }
        continue;
      }
      const error = failureOf(actions);
      // Not observed again: whether its successful actions fixed it is for the next run to see.
      if (error === STILL_PRESENT && input.verified === false) continue;
      if (error !== undefined) {
        failures.set(d.id, error);
        emit("RemediationFailed", d, { actions, error });
      } else if (applied && d.remediation === "auto" && before.has(d.id)) {
        // Open auto drift an apply saw again but did not attempt (refused, or skipped after an
        // earlier failure): it persists, and the ledger says so.
        emit("DriftPersists", d);
      }
    }
    // Drift the plan did not see: it appeared during the run, or was hidden by other drift.
    for (const d of remaining) {
      if (!planned.has(d.id) && !before.has(d.id)) emit("DriftDetected", d);
    }
  }

  const open: OpenDrift[] = remaining.map((d) => {
    const was = before.get(d.id);
    const error = failures.get(d.id);
    const lastFailure = error !== undefined ? { runId: plan.runId, at: clock.now, error } : was?.lastFailure;
    return {
      drift: d,
      detectedAt: was?.detectedAt ?? clock.startedAt,
      detectedRunId: was?.detectedRunId ?? plan.runId,
      lastSeenAt: clock.now,
      lastSeenRunId: plan.runId,
      ...(lastFailure ? { lastFailure } : {}),
    };
  });

  const count = (type: DriftEventType): number => events.filter((e) => e.type === type).length;
  const summary: RunSummary = {
    runId: plan.runId,
    mode: plan.mode,
    startedAt: clock.startedAt,
    recordedAt: clock.now,
    detected: count("DriftDetected"),
    persisting: seenAgain,
    remediated: count("DriftRemediated"),
    failed: count("RemediationFailed"),
    resolved: count("DriftResolved"),
    open: open.length,
  };
  return { events, open, summary };
}
