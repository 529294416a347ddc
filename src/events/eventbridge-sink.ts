/**
 * EventBridge: one event per drift event on a bus (`source: efs-reconciler`, `detail-type` the
 * event type, `detail` the event), so teams route them with rules to SNS, Slack or tickets.
 * PutEvents takes 10 entries per call; entries it reports failed for a transient reason are sent
 * again (only those), with backoff.
 */
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { chunk } from "../aws/chunk";
import { type EventSink, PUT_EVENTS_BATCH } from "./sink";
import type { DriftEvent } from "./types";

export const EVENT_SOURCE = "efs-reconciler";

/** Per-entry error codes worth another attempt; the others will fail the same way again. */
const TRANSIENT_ERRORS = new Set([
  "InternalFailure",
  "InternalException",
  "ThrottlingException",
  "ServiceUnavailable",
]);

export interface EventBridgeSinkOptions {
  /** Bus name or ARN; default: the account's default bus. */
  eventBusName?: string;
  /** Calls per batch, the first included (default 5). */
  maxAttempts?: number;
  /** Waits before attempt n (n ≥ 2); default 100 ms · 2^(n-2). */
  backoff?: (attempt: number) => Promise<void>;
}

export class EventPublishError extends Error {
  override name = "EventPublishError";
}

function defaultBackoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100 * 2 ** (attempt - 2)));
}

export class EventBridgeSink implements EventSink {
  readonly name = "eventbridge";
  private readonly maxAttempts: number;
  private readonly backoff: (attempt: number) => Promise<void>;

  constructor(
    private readonly client: EventBridgeClient,
    private readonly options: EventBridgeSinkOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.backoff = options.backoff ?? defaultBackoff;
  }

  entry(event: DriftEvent): PutEventsRequestEntry {
    return {
      Source: EVENT_SOURCE,
      DetailType: event.type,
      Detail: JSON.stringify(event),
      Time: new Date(event.time),
      ...(this.options.eventBusName ? { EventBusName: this.options.eventBusName } : {}),
    };
  }

  private async putBatch(events: readonly DriftEvent[]): Promise<void> {
    let pending = [...events];
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) await this.backoff(attempt);
      const out = await this.client.send(
        new PutEventsCommand({ Entries: pending.map((e) => this.entry(e)) }),
      );
      if (!out.FailedEntryCount) return;
      const failed = pending.flatMap((event, i) => {
        const code = out.Entries?.[i]?.ErrorCode;
        return code ? [{ event, code, message: out.Entries?.[i]?.ErrorMessage ?? "" }] : [];
      });
      if (failed.length === 0) return;
      const permanent = failed.filter((f) => !TRANSIENT_ERRORS.has(f.code));
      if (permanent.length > 0 || attempt >= this.maxAttempts) {
        const first = (permanent[0] ?? failed[0]) as (typeof failed)[number];
        throw new EventPublishError(
          `EventBridge refused ${failed.length} of ${pending.length} events after ${attempt} attempt${attempt === 1 ? "" : "s"} (${first.code}: ${first.message}): check the event bus and the function's events:PutEvents permission, then re-run the record step`,
        );
      }
      pending = failed.map((f) => f.event);
    }
  }

  async put(events: readonly DriftEvent[]): Promise<void> {
    for (const batch of chunk(events, PUT_EVENTS_BATCH)) await this.putBatch(batch);
  }
}
