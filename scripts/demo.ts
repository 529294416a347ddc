/**
 * `npm run demo`: the built-in demo against the local AWS emulator (see src/demo/run-demo.ts).
 * Exits non-zero when the demo breaks or a step ends with another exit code than the product
 * promises (drift found, converged after apply, and so on), so CI runs it as a check.
 */
import { runDemo } from "../src/demo/run-demo";

try {
  const { unexpected } = await runDemo();
  if (unexpected.length > 0) {
    process.stderr.write(`demo failed:\n${unexpected.map((u) => `  ${u}`).join("\n")}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write("\ndemo finished: drift found, remediated, and converged.\n");
  }
} catch (err) {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
