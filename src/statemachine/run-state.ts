/**
 * Bookkeeping of a run's progress through the phases (`$.run` in the definition): adding a
 * phase's results, folding in a pending-resource check, giving up on resources that never became
 * ready. Pure; the check itself is the caller's.
 */
import type { Action, ActionResult } from "../plan/types";
import type { PendingCheck } from "../reconcilers/pending";
import type { PendingResource } from "../reconcilers/types";
import { describeActionError } from "./action-error";
import { holdsLaterPhases } from "./phases";
import type { ActionRunResult, PendingEntry, RunState } from "./workflow-types";

export function emptyRun(): RunState {
  return { results: [], pending: [], polls: 0, holding: [] };
}

/** Identity of a pending resource: the id AWS knows it by. */
export function resourceId(resource: PendingResource): string {
  return resource.type === "mountTarget" ? resource.mountTargetId : resource.functionName;
}

export function describeResource(resource: PendingResource): string {
  return resource.type === "mountTarget"
    ? `mount target ${resource.mountTargetId} of ${resource.fileSystemId}`
    : `function ${resource.functionName}`;
}

/** A task's result as the run keeps it (its error as one line). */
export function toActionResult(result: ActionRunResult): ActionResult {
  return { actionId: result.actionId, status: result.status, error: describeActionError(result.error) };
}

/** `holding` with `actionIds` added, each once. */
function hold(holding: string[], actionIds: string[]): string[] {
  const out = [...holding];
  for (const id of actionIds) if (!out.includes(id)) out.push(id);
  return out;
}

/**
 * The run after a phase: its results added, the resources its actions left pending to wait for,
 * its failed actions that hold the later phases back. `actions` are the phase's; a result of an
 * action not among them holds the later phases back.
 */
export function addPhaseResults(run: RunState, phaseResults: ActionRunResult[], actions: Action[]): RunState {
  const holds = new Map(actions.map((a) => [a.id, holdsLaterPhases(a)]));
  const holdsAfterFailure = (actionId: string): boolean => holds.get(actionId) ?? true;
  const results = [...run.results, ...phaseResults.map(toActionResult)];
  const pending = [
    ...run.pending,
    ...phaseResults
      .filter((r) => r.status !== "failed")
      .flatMap((r) =>
        (r.pending ?? []).map((resource) => ({
          actionId: r.actionId,
          resource,
          holdsLaterPhases: holdsAfterFailure(r.actionId),
        })),
      ),
  ];
  const failed = phaseResults.filter((r) => r.status === "failed").map((r) => r.actionId);
  return { results, pending, polls: 0, holding: hold(run.holding, failed.filter(holdsAfterFailure)) };
}

/** The actions of `entries` that hold the later phases back. */
function holdingOf(entries: Iterable<PendingEntry>): string[] {
  return [...entries].filter((e) => e.holdsLaterPhases).map((e) => e.actionId);
}

/** The distinct resources to check (several actions may wait for the same one). */
export function resourcesToCheck(run: RunState): PendingResource[] {
  const byId = new Map<string, PendingResource>();
  for (const entry of run.pending) byId.set(resourceId(entry.resource), entry.resource);
  return [...byId.values()];
}

/** `text` names `id` as a whole word (ids contain `-`, so `fsmt-1` is not found in `fsmt-12`). */
function mentions(text: string, id: string): boolean {
  const word = /[A-Za-z0-9_-]/;
  let at = text.indexOf(id);
  while (at >= 0) {
    const before = text[at - 1];
    const after = text[at + id.length];
    if ((before === undefined || !word.test(before)) && (after === undefined || !word.test(after)))
      return true;
    at = text.indexOf(id, at + 1);
  }
  return false;
}

function markFailed(results: ActionResult[], actionId: string, error: string): ActionResult[] {
  const found = results.some((r) => r.actionId === actionId);
  if (!found) return [...results, { actionId, status: "failed", error }];
  return results.map((r) =>
    r.actionId === actionId
      ? {
          actionId,
          status: "failed",
          error: r.status === "failed" && r.error ? `${r.error}; ${error}` : error,
        }
      : r,
  );
}

/**
 * The run after a check: resources still pending stay; a resource a failure line names fails
 * its actions; failure lines naming no resource fail every action whose resources left the
 * pending set in this check (never report a failed resource as ready).
 */
export function applyCheck(run: RunState, check: PendingCheck): RunState {
  const stillPending = new Set(check.pending.map(resourceId));
  const left = run.pending.filter((e) => !stillPending.has(resourceId(e.resource)));
  let results = run.results;
  const failedEntries = new Map<PendingEntry, string[]>();
  const unattributed: string[] = [];
  for (const line of check.failed) {
    const named = run.pending.filter((e) => mentions(line, resourceId(e.resource)));
    if (named.length === 0) unattributed.push(line);
    for (const entry of named) failedEntries.set(entry, [...(failedEntries.get(entry) ?? []), line]);
  }
  if (unattributed.length > 0) {
    const targets = left.length > 0 ? left : run.pending;
    for (const entry of targets)
      failedEntries.set(entry, [...(failedEntries.get(entry) ?? []), ...unattributed]);
  }
  for (const [entry, lines] of failedEntries) {
    results = markFailed(
      results,
      entry.actionId,
      `${describeResource(entry.resource)} did not become ready: ${lines.join("; ")}`,
    );
  }
  const pending = run.pending.filter(
    (e) => stillPending.has(resourceId(e.resource)) && !failedEntries.has(e),
  );
  return { results, pending, polls: run.polls, holding: hold(run.holding, holdingOf(failedEntries.keys())) };
}

/** The run after giving up: every action still waiting for a resource has failed. */
export function giveUpWaiting(run: RunState): RunState {
  let results = run.results;
  for (const entry of run.pending) {
    results = markFailed(
      results,
      entry.actionId,
      `${describeResource(entry.resource)} was still not ready after ${run.polls} checks; re-run apply once it is available`,
    );
  }
  return { results, pending: [], polls: run.polls, holding: hold(run.holding, holdingOf(run.pending)) };
}
