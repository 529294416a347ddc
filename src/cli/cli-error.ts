/**
 * A failure the command line explains itself (bad directory, bad option value): printed as one
 * line without a stack trace.
 */
export class CliUsageError extends Error {
  override name = "CliUsageError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
