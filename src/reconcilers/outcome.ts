/**
 * Builders for the two successful outcomes of an action.
 */
import type { Action } from "../plan/types";
import type { PendingResource, ReconcileOutcome } from "./types";

/** The write was made. */
export function succeeded(
  action: Action,
  message: string,
  pending: PendingResource[] = [],
): ReconcileOutcome {
  return { actionId: action.id, status: "succeeded", message, pending };
}

/** The change was already in place (seen on the re-read, or reported by AWS as already done). */
export function skipped(action: Action, message: string, pending: PendingResource[] = []): ReconcileOutcome {
  return { actionId: action.id, status: "skipped", message, pending };
}
