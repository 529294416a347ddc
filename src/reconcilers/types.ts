/**
 * What a reconciler reports after one action. Failures are thrown (see errors.ts), never returned.
 */
import type { Action, ActionType } from "../plan/types";

/** A resource an action left in a transitional state; the workflow waits (Wait states) until it is ready. */
export type PendingResource =
  | {
      type: "mountTarget";
      fileSystemId: string;
      mountTargetId: string;
      /**
       * Groups it must have once available: set for a mount target someone else was creating, whose
       * groups were not ours to choose. Lacking one, the wait fails, so nothing is repointed to it.
       */
      securityGroupIds?: string[];
    }
  | { type: "function"; functionName: string };

export interface ReconcileOutcome {
  actionId: string;
  /**
   * `skipped`: the re-read showed the change was already in place (nothing written). `succeeded`:
   * the change was made, or is under way (a mount target still being created) and is waited for
   * through `pending`.
   */
  status: "succeeded" | "skipped";
  /** One past-tense line with resource ids, e.g. "created mount target fsmt-1 in us-east-1c". */
  message: string;
  pending: PendingResource[];
}

/** The action of one type, e.g. `ActionOf<"CreateMountTarget">`. */
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;
