/**
 * What a reconciler reports after one action. Failures are thrown (see errors.ts), never returned.
 */
import type { Action, ActionType } from "../plan/types";

/** A resource an action left in a transitional state; the workflow waits (Wait states) until it is ready. */
export type PendingResource =
  | { type: "mountTarget"; fileSystemId: string; mountTargetId: string }
  | { type: "function"; functionName: string };

export interface ReconcileOutcome {
  actionId: string;
  /** `skipped`: the re-read showed the change was already in place (nothing written). */
  status: "succeeded" | "skipped";
  /** One past-tense line with resource ids, e.g. "created mount target fsmt-1 in us-east-1c". */
  message: string;
  pending: PendingResource[];
}

/** The action of one type, e.g. `ActionOf<"CreateMountTarget">`. */
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;
