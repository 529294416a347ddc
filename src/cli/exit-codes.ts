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
