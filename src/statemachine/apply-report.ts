/**
 * The apply report of a run: the plan, one result per planned action (in plan order), and the
 * drift the verifying observation still found. Pure.
 */
import type { ActionResult, ApplyReport, Drift, Plan } from "../plan/types";

export const NOT_ATTEMPTED =
  "not attempted: an earlier phase had a failed action that later phases build on (a mount target, rule or access point, a function moved or repointed), and later phases only run once every such change is in place; fix it and re-run apply";

/** The report; an action without a result was not attempted (`skipped` with `notAttempted` as error). */
export function buildApplyReport(
  plan: Plan,
  results: ActionResult[],
  remaining: Drift[],
  notAttempted: string = NOT_ATTEMPTED,
): ApplyReport {
  const byId = new Map(results.map((r) => [r.actionId, r]));
  const ordered: ActionResult[] = plan.actions.map(
    (a) => byId.get(a.id) ?? { actionId: a.id, status: "skipped", error: notAttempted },
  );
  const planned = new Set(plan.actions.map((a) => a.id));
  const extra = results.filter((r) => !planned.has(r.actionId));
  return { ...plan, results: [...ordered, ...extra], remaining };
}

/** The report of a run that changed nothing: every action skipped for `reason`, the plan's drift remaining. */
export function unchangedReport(plan: Plan, reason: string): ApplyReport {
  return buildApplyReport(plan, [], plan.drift, reason);
}

/**
 * The report of an apply that stopped early on `failure` (a task's error): the results so far, the
 * rest not attempted, and the plan's drift as remaining (no verifying observation was made).
 */
export function stoppedEarlyReport(
  plan: Plan,
  results: ActionResult[],
  failure: { error: string; cause?: string },
): ApplyReport {
  return buildApplyReport(
    plan,
    results,
    plan.drift,
    `not attempted: the run stopped early (${failure.error}${failure.cause ? `: ${failure.cause}` : ""})`,
  );
}

/** The report of a run refused for more actions than its limit (`refusal` says so). */
export function refusedReport(plan: Plan, refusal: string): ApplyReport {
  return unchangedReport(plan, `not attempted: ${refusal}`);
}

const MAX_LISTED = 5;

function listed(items: string[]): string {
  const shown = items.slice(0, MAX_LISTED).join("; ");
  return items.length > MAX_LISTED ? `${shown}; and ${items.length - MAX_LISTED} more` : shown;
}

/** One paragraph: which actions failed and which auto-remediable drift remains, and what to do. */
export function incompleteCause(report: ApplyReport): string {
  const parts: string[] = [];
  const typeOf = new Map(report.actions.map((a) => [a.id, `${a.type} ${a.resource.id}`]));
  const failed = report.results.filter((r) => r.status === "failed");
  if (failed.length > 0) {
    parts.push(
      `${failed.length} of ${report.actions.length} actions failed: ${listed(
        failed.map((r) => `${typeOf.get(r.actionId) ?? r.actionId} (${r.error ?? "no error message"})`),
      )}`,
    );
  }
  const auto = report.remaining.filter((d) => d.remediation === "auto");
  if (auto.length > 0) {
    parts.push(
      `${auto.length} auto-remediable drift item${auto.length === 1 ? "" : "s"} remain${auto.length === 1 ? "s" : ""}: ${listed(
        auto.map((d) => `${d.code} ${d.resource.id}`),
      )}`,
    );
  }
  if (parts.length === 0) return "every action succeeded and no auto-remediable drift remains";
  return `${parts.join(". ")}. Fix the causes above, then re-run apply (actions are idempotent).`;
}
