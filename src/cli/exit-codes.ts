import type { Plan } from "../plan/types";

/** Exit codes of contract §3. */
export const EXIT = {
  /** validate: valid; plan: no drift; apply: no drift left. */
  OK: 0,
  /** Invalid manifests, an AWS or unexpected error, or (apply) a failed action. */
  ERROR: 1,
  /** plan: drift found; apply: only manual drift left. */
  DRIFT: 2,
  /** apply: more actions than --max-changes; nothing changed. */
  REFUSED: 3,
} as const;

/**
 * A dry run's exit code: drift, or an adoption apply would still make (tagging a mounted access
 * point as managed), is a change to make.
 */
export function planExitCode(plan: Plan): number {
  return plan.drift.length > 0 || plan.actions.length > 0 ? EXIT.DRIFT : EXIT.OK;
}
