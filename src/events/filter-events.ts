/**
 * Selecting and ordering recorded events: the same rules whichever store they come from. Pure.
 */
import { objectKey } from "./compute-status";
import type { DriftEvent, DriftEventType, EventFilter } from "./types";

/** Within one recording, later lifecycle steps come first when newest is first. */
const STEP: Record<DriftEventType, number> = {
  DriftDetected: 0,
  DriftPersists: 1,
  RemediationFailed: 2,
  DriftRemediated: 3,
  DriftResolved: 3,
};

export function matchesFilter(event: DriftEvent, filter: EventFilter): boolean {
  if (filter.since && Date.parse(event.time) < filter.since.getTime()) return false;
  if (filter.code && event.drift.code !== filter.code) return false;
  if (filter.runId && event.runId !== filter.runId) return false;
  if (filter.resource) {
    const r = filter.resource;
    if (event.drift.resource.id !== r && objectKey(event.drift.manifest) !== r) return false;
  }
  return true;
}

/** Newest first; ties (one recording) by lifecycle step, then drift id, so the order is stable. */
export function newestFirst(a: DriftEvent, b: DriftEvent): number {
  if (a.time !== b.time) return a.time < b.time ? 1 : -1;
  if (STEP[a.type] !== STEP[b.type]) return STEP[b.type] - STEP[a.type];
  return a.drift.id < b.drift.id ? -1 : a.drift.id > b.drift.id ? 1 : 0;
}

/** One event per id (the first seen wins: a re-recorded event keeps its first time). */
export function uniqueEvents(events: Iterable<DriftEvent>): DriftEvent[] {
  const seen = new Map<string, DriftEvent>();
  for (const e of events) if (!seen.has(e.eventId)) seen.set(e.eventId, e);
  return [...seen.values()];
}

export function selectEvents(events: Iterable<DriftEvent>, filter: EventFilter = {}): DriftEvent[] {
  return uniqueEvents(events)
    .filter((e) => matchesFilter(e, filter))
    .sort(newestFirst);
}
