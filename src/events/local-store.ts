/**
 * The local record (the CLI's default): under the state directory, the event ledger
 * `events.jsonl` and the status document `status.json`, replaced atomically (a temporary file
 * renamed over it) so a reader never sees half of it.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { selectEvents } from "./filter-events";
import { appendToLedger, readLedger } from "./ledger";
import { type RecordStore, StatusConflictError } from "./sink";
import type { DriftEvent, EventFilter, StatusDocument } from "./types";

export const LEDGER_FILE = "events.jsonl";
export const STATUS_FILE = "status.json";

export class StatusFileError extends Error {
  override name = "StatusFileError";
}

export class LocalRecordStore implements RecordStore {
  readonly name = "ledger";
  readonly ledgerFile: string;
  readonly statusFile: string;
  /** Lines of the ledger skipped by the last read because they were not whole events. */
  damagedLines = 0;

  constructor(readonly stateDir: string) {
    this.ledgerFile = join(stateDir, LEDGER_FILE);
    this.statusFile = join(stateDir, STATUS_FILE);
  }

  warnings(): string[] {
    const n = this.damagedLines;
    return n === 0 ? [] : [`skipped ${n} damaged line${n === 1 ? "" : "s"} of ${this.ledgerFile}`];
  }

  private async readAll(): Promise<DriftEvent[]> {
    const { events, damagedLines } = await readLedger(this.ledgerFile);
    this.damagedLines = damagedLines;
    return events;
  }

  async unrecorded(events: readonly DriftEvent[]): Promise<DriftEvent[]> {
    const known = new Set((await this.readAll()).map((e) => e.eventId));
    return events.filter((e) => !known.has(e.eventId));
  }

  /** Appends the events the ledger does not hold yet. */
  async put(events: readonly DriftEvent[]): Promise<void> {
    await appendToLedger(this.ledgerFile, await this.unrecorded(events));
  }

  async listEvents(filter: EventFilter = {}): Promise<DriftEvent[]> {
    return selectEvents(await this.readAll(), filter);
  }

  async readStatus(): Promise<StatusDocument | undefined> {
    let text: string;
    try {
      text = await readFile(this.statusFile, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new StatusFileError(`cannot read ${this.statusFile}: check its permissions`, { cause: err });
    }
    try {
      const doc = JSON.parse(text) as StatusDocument;
      if (doc.formatVersion !== "1" || !Array.isArray(doc.objects)) throw new Error("not a status document");
      return doc;
    } catch (err) {
      throw new StatusFileError(
        `${this.statusFile} is not a status document of efs-reconciler: move it away; the next run writes a new one`,
        { cause: err },
      );
    }
  }

  async writeStatus(status: StatusDocument, expectedVersion: number): Promise<void> {
    await mkdir(this.stateDir, { recursive: true });
    const temp = `${this.statusFile}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      await writeFile(temp, `${JSON.stringify(status, null, 2)}\n`, "utf8");
      const current = (await this.readStatus())?.version ?? 0;
      if (current !== expectedVersion) throw new StatusConflictError(this.statusFile, expectedVersion);
      await rename(temp, this.statusFile);
    } finally {
      await rm(temp, { force: true });
    }
  }
}
