/**
 * `npm run demo`: the built-in demo against the local AWS emulator (see src/demo/run-demo.ts).
 * Exits non-zero only when the demo itself breaks (a step's exit code is part of the show).
 */
import { runDemo } from "../src/demo/run-demo";

try {
  await runDemo();
} catch (err) {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
