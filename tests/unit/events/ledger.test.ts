import { spawn } from "node:child_process";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deriveRunLifecycle } from "../../../src/events/derive-events";
import { appendToLedger, readLedger } from "../../../src/events/ledger";
import { LocalRecordStore } from "../../../src/events/local-store";
import type { DriftEvent } from "../../../src/events/types";
import { driftOf, planOf } from "./fixtures";

const WORKER = fileURLToPath(new URL("./append-worker.ts", import.meta.url));

function eventsOf(runId: string, ...resourceIds: string[]): DriftEvent[] {
  const drift = resourceIds.map((id) => driftOf("FS_LIFECYCLE_POLICY", id));
  const clock = { startedAt: "2026-11-28T04:00:00.000Z", now: "2026-11-28T04:00:00.000Z" };
  return deriveRunLifecycle([], { plan: planOf(runId, "dry-run", drift) }, clock).events;
}

function runWorker(file: string, writer: string, count: number, startAt: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", WORKER, file, writer, String(count), String(startAt)],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`append worker ${writer} exited ${code}: ${stderr}`)),
    );
  });
}

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "efs-ledger-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the local event ledger", () => {
  it("keeps every line whole when two processes append at the same time", async () => {
    const file = join(dir, "events.jsonl");
    // Both start at once, after the slower of the two processes has surely loaded.
    const startAt = Date.now() + 3000;
    await Promise.all([runWorker(file, "a", 300, startAt), runWorker(file, "b", 300, startAt)]);
    const text = await readFile(file, "utf8");
    const lines = text.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(600);
    // The writers' lines alternate: the appends really overlapped.
    const writers = lines.map((l) => (JSON.parse(l) as DriftEvent).runId.slice(0, 1)).join("");
    expect(writers.match(/ab|ba/g)?.length ?? 0).toBeGreaterThan(2);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const { events, damagedLines } = await readLedger(file);
    expect(damagedLines).toBe(0);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(600);
    expect(events.filter((e) => e.runId.startsWith("a-"))).toHaveLength(300);
    expect(events.filter((e) => e.runId.startsWith("b-"))).toHaveLength(300);
  });

  it("skips a truncated last line, and the next append starts on a line of its own", async () => {
    const file = join(dir, "events.jsonl");
    const [first, second] = eventsOf("r1", "fs-1", "fs-2") as [DriftEvent, DriftEvent];
    await appendToLedger(file, [first]);
    // A crash in the middle of writing the second line.
    await appendFile(file, JSON.stringify(second).slice(0, 80));
    const torn = await readLedger(file);
    expect(torn.events.map((e) => e.eventId)).toEqual([first.eventId]);
    expect(torn.damagedLines).toBe(1);

    const [third] = eventsOf("r2", "fs-3") as [DriftEvent];
    await appendToLedger(file, [third]);
    const after = await readLedger(file);
    expect(after.events.map((e) => e.eventId)).toEqual([first.eventId, third.eventId]);
    expect(after.damagedLines).toBe(1);
  });

  it("creates a missing state directory on the first append, and reads a missing ledger as empty", async () => {
    const store = new LocalRecordStore(join(dir, "not", "there", "yet"));
    expect(await store.listEvents()).toEqual([]);
    expect(await store.readStatus()).toBeUndefined();
    const events = eventsOf("r1", "fs-1");
    await store.put(events);
    expect((await store.listEvents()).map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
  });

  it("never appends an event it already holds, and reads a duplicated line once", async () => {
    const store = new LocalRecordStore(dir);
    const events = eventsOf("r1", "fs-1", "fs-2");
    await store.put(events);
    await store.put(events);
    expect((await readFile(store.ledgerFile, "utf8")).trim().split("\n")).toHaveLength(2);
    // Two writers racing past the check may both append the same event: it is read once.
    await appendToLedger(store.ledgerFile, events.slice(0, 1));
    expect(await store.listEvents()).toHaveLength(2);
  });

  it("says which damaged lines it skipped", async () => {
    const store = new LocalRecordStore(dir);
    await writeFile(store.ledgerFile, `not json\n${JSON.stringify({ eventId: 1 })}\n`);
    expect(await store.listEvents()).toEqual([]);
    expect(store.warnings()).toEqual([`skipped 2 damaged lines of ${store.ledgerFile}`]);
  });
});
