/**
 * Turns an error that ended a command into what the user sees on stderr: one line that says
 * what to do next; the stack only with `--debug`.
 */
import { type AwsErrorContext, classifyAwsError, describeAwsError } from "../aws/errors";
import { type CliIo, logLine } from "./io";

/** Product errors whose messages are written for users (they name what to check next). */
const EXPLAINED_ERRORS = new Set([
  "CliUsageError",
  "ObserveError",
  "RunSkippedError",
  "StatusFileError",
  "StoredDocumentMissingError",
]);

function stackOf(err: unknown): string {
  const lines: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    const e = current as { stack?: unknown; cause?: unknown };
    lines.push(
      `${depth === 0 ? "" : "caused by: "}${typeof e.stack === "string" ? e.stack : String(current)}`,
    );
    current = e.cause;
  }
  return lines.join("\n");
}

export function reportError(io: CliIo, err: unknown, opts: { debug: boolean; aws: AwsErrorContext }): void {
  const name = err instanceof Error ? err.name : "";
  if (classifyAwsError(err)) {
    logLine(io, `error: ${describeAwsError(err, opts.aws)}`);
  } else if (EXPLAINED_ERRORS.has(name)) {
    logLine(io, `error: ${(err as Error).message}`);
  } else {
    const hint = opts.debug ? "" : " (run again with --debug to see the stack trace)";
    logLine(io, `error: unexpected ${describeAwsError(err, opts.aws)}${hint}`);
  }
  if (opts.debug) logLine(io, stackOf(err));
}
