/**
 * The local event ledger: an append-only JSON Lines file, one event per line.
 *
 * Each line is written whole by one `write` on a descriptor opened with O_APPEND, so lines of
 * two processes appending at once never interleave. A line cut short (a crash mid-write) is
 * skipped when reading; the next append starts on a fresh line so it never joins the damage.
 */
import { type FileHandle, mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { DriftEvent } from "./types";

export interface LedgerContents {
  events: DriftEvent[];
  /** Lines that are not a whole event (a torn last line, or manual edits). */
  damagedLines: number;
}

function isEvent(value: unknown): value is DriftEvent {
  if (value === null || typeof value !== "object") return false;
  const v = value as Partial<DriftEvent>;
  return (
    typeof v.eventId === "string" &&
    typeof v.type === "string" &&
    typeof v.time === "string" &&
    typeof v.runId === "string" &&
    v.drift !== null &&
    typeof v.drift === "object"
  );
}

/** Parses ledger text; lines that are not whole events are counted, not thrown. */
export function parseLedger(text: string): LedgerContents {
  const events: DriftEvent[] = [];
  let damagedLines = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isEvent(value)) events.push(value);
      else damagedLines++;
    } catch {
      damagedLines++;
    }
  }
  return { events, damagedLines };
}

/** Reads the ledger; a missing file is an empty ledger. */
export async function readLedger(file: string): Promise<LedgerContents> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { events: [], damagedLines: 0 };
    throw new LedgerError(`cannot read the event ledger ${file}: check its permissions`, { cause: err });
  }
  return parseLedger(text);
}

/** Whether the file's last byte is a newline (or the file is empty). */
async function endsOnLineBreak(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

/** Appends one line per event, creating the file and its directory when missing. */
export async function appendToLedger(file: string, events: readonly DriftEvent[]): Promise<void> {
  if (events.length === 0) return;
  try {
    await mkdir(dirname(file), { recursive: true });
    // "a+": O_APPEND | O_CREAT (and reading, for the check below); the kernel puts every write
    // at the file's end at the moment of writing.
    const handle = await open(file, "a+");
    try {
      let first = (await endsOnLineBreak(handle)) ? "" : "\n";
      for (const event of events) {
        await handle.write(`${first}${JSON.stringify(event)}\n`, null, "utf8");
        first = "";
      }
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new LedgerError(
      `cannot append to the event ledger ${file}: check that the state directory is writable (--state-dir)`,
      { cause: err },
    );
  }
}

export class LedgerError extends Error {
  override name = "LedgerError";
}
