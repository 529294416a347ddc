/**
 * One line for a failed action's error, whatever carried it: a Catch's `{Error, Cause}` (locally
 * the cause is the message; on AWS it is the Lambda's JSON error document) or a plain string.
 */
import type { CaughtError } from "./workflow-types";

export function describeActionError(error: string | CaughtError | null): string | null {
  if (error === null || typeof error === "string") return error;
  const cause = error.Cause ?? "";
  const message = lambdaErrorMessage(cause) ?? cause;
  if (!message) return error.Error;
  return message.startsWith(`${error.Error}:`) ? message : `${error.Error}: ${message}`;
}

function lambdaErrorMessage(cause: string): string | undefined {
  if (!cause.startsWith("{")) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === "string" ? parsed.errorMessage : undefined;
  } catch {
    return undefined;
  }
}
