/**
 * Where the record goes. Every destination of events is an `EventSink`; the one that also keeps
 * the status (and from which the next run derives its events) is the `RecordStore`: the local
 * state directory for the CLI, a DynamoDB table when deployed.
 */
import type { DriftEvent, EventFilter, StatusDocument } from "./types";

export interface EventSink {
  /** For messages: `ledger`, `dynamodb`, `eventbridge`, `cloudwatch`. */
  readonly name: string;
  /** Writes the events; writing an event again must not duplicate it where the sink can tell. */
  put(events: readonly DriftEvent[]): Promise<void>;
}

export interface RecordStore extends EventSink {
  /** The events among `events` the store does not hold yet. */
  unrecorded(events: readonly DriftEvent[]): Promise<DriftEvent[]>;
  /** The stored status document, or undefined before the first run. */
  readStatus(): Promise<StatusDocument | undefined>;
  /**
   * Replaces the status document if the stored one still has version `expectedVersion`
   * (0: none stored); otherwise throws `StatusConflictError` (another run recorded meanwhile).
   */
  writeStatus(status: StatusDocument, expectedVersion: number): Promise<void>;
  /** Events matching the filter, newest first. */
  listEvents(filter?: EventFilter): Promise<DriftEvent[]>;
  /** What the last read had to skip, one line each (e.g. damaged ledger lines). */
  warnings?(): string[];
}

export class StatusConflictError extends Error {
  override name = "StatusConflictError";
  constructor(where: string, expectedVersion: number, options?: { cause?: unknown }) {
    super(
      `the status in ${where} changed while this run was recorded (expected version ${expectedVersion}): another run recorded at the same time; record this run again`,
      options,
    );
  }
}

/** PutEvents' limit of entries per call: the EventBridge sink's batch, and the batch events are recorded in. */
export const PUT_EVENTS_BATCH = 10;
