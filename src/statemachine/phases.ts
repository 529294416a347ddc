/**
 * The plan's actions grouped by phase: the non-empty phases in order, each phase's actions in
 * plan order. Pure.
 */
import type { Action } from "../plan/types";
import type { PhaseBatch } from "./workflow-types";

const PHASES = [1, 2, 3] as const;

export function groupPhases(actions: Action[]): PhaseBatch[] {
  return PHASES.map((phase) => ({ phase, actions: actions.filter((a) => a.phase === phase) })).filter(
    (batch) => batch.actions.length > 0,
  );
}
