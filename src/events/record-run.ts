/**
 * Records one run: derives its drift events and the status of every manifest object, then
 * writes them. The workflow's record step calls this with the plan (every run) and again with
 * the verified apply report; recording a run again yields the same events, which no store
 * duplicates.
 *
 * Order of writes, so a retry after a failure at any point converges:
 * 1. events the store does not hold yet go to the other sinks (EventBridge, CloudWatch), so a
 *    retried step does not notify twice, then
 * 2. the same events go to the store (whose writes are idempotent too, should another writer
 *    have stored one meanwhile) — 1 and 2 one EventBridge batch of events at a time, so a sink
 *    failing part-way leaves every batch it published stored, and only a crash between 1 and 2
 *    repeats a notification (of one batch);
 * 3. the status replaces the stored one if no other run recorded meanwhile (else start over).
 */
import { chunk } from "../aws/chunk";
import { type ManifestSet, manifestRefs } from "./compute-status";
import type { RunInput } from "./derive-events";
import { nextRecord } from "./next-record";
import { type EventSink, PUT_EVENTS_BATCH, type RecordStore, StatusConflictError } from "./sink";
import type { DriftEvent, StatusDocument } from "./types";

export interface RecordRunInput extends RunInput {
  /** The manifests the run used: every object gets a status, in sync or not. */
  desired: ManifestSet;
}

export interface RecordTarget {
  /** Keeps the events and the status the next run derives its events from. */
  store: RecordStore;
  /** Further destinations; they receive only the events the store did not hold yet. */
  sinks?: readonly EventSink[];
  now?: () => Date;
}

export interface RecordRunResult {
  /** Every event of this recording (including ones recorded before). */
  events: DriftEvent[];
  /** The events that were new to the store, and went to the other sinks. */
  published: DriftEvent[];
  status: StatusDocument;
}

/** Attempts when another run records at the same time. */
const MAX_ATTEMPTS = 3;

export async function recordRun(input: RecordRunInput, target: RecordTarget): Promise<RecordRunResult> {
  const now = target.now ?? (() => new Date());
  const objects = manifestRefs(input.desired);
  for (let attempt = 1; ; attempt++) {
    const stored = await target.store.readStatus();
    const { events, status } = nextRecord(stored, { ...input, objects }, now().toISOString());
    const fresh = await target.store.unrecorded(events);
    for (const batch of chunk(fresh, PUT_EVENTS_BATCH)) {
      for (const sink of target.sinks ?? []) await sink.put(batch);
      await target.store.put(batch);
    }
    if (status === stored) return { events, published: fresh, status };
    try {
      await target.store.writeStatus(status, stored?.version ?? 0);
      return { events, published: fresh, status };
    } catch (err) {
      if (!(err instanceof StatusConflictError) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}
