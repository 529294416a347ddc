/**
 * Reconciler error classes. Their `name` is what the state machine's Retry/Catch match on:
 * `RetryableReconcileError` is retried with backoff, `TerminalReconcileError` is caught and reported.
 */

export class RetryableReconcileError extends Error {
  override name = "RetryableReconcileError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class TerminalReconcileError extends Error {
  override name = "TerminalReconcileError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Every error name the reconcilers throw, for the workflow definition's Retry/Catch tests. */
export const RECONCILE_ERROR_NAMES = ["RetryableReconcileError", "TerminalReconcileError"] as const;
