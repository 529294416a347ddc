/**
 * A separate process appending to a ledger (the concurrency test runs two of these at once).
 * Usage: append-worker.ts LEDGER_FILE WRITER_NAME COUNT START_AT_MS
 * Both processes wait until START_AT_MS (epoch milliseconds), so their appends overlap.
 */

import { deriveRunLifecycle } from "../../../src/events/derive-events";
import { appendToLedger } from "../../../src/events/ledger";
import { driftOf, planOf } from "./fixtures";

const [file, writer, count, startAt] = process.argv.slice(2);
if (!file || !writer || !count || !startAt) {
  throw new Error("usage: append-worker.ts LEDGER_FILE WRITER_NAME COUNT START_AT_MS");
}
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));

// Large events (a long message) make a torn or interleaved write visible.
const padding = "x".repeat(3000);
for (let i = 0; i < Number(count); i++) {
  const drift = { ...driftOf("FS_LIFECYCLE_POLICY", `fs-${writer}-${i}`), message: padding };
  const { events } = deriveRunLifecycle(
    [],
    { plan: planOf(`${writer}-${i}`, "dry-run", [drift]) },
    {
      startedAt: new Date().toISOString(),
      now: new Date().toISOString(),
    },
  );
  // One call per event: the two processes' writes alternate as finely as they can.
  await appendToLedger(file, events);
}
