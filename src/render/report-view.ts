/**
 * The presentation shape shared by the renderers: a Plan or ApplyReport arranged for printing
 * (phases, symbols, replacements, the drift each action fixes). Arranges only; it never decides
 * what drift exists or what to do about it.
 */
import type { Action, ActionResult, ApplyReport, Drift, Plan, Severity } from "../plan/types";
import { plural } from "../plural";

/** Terraform-style change symbols; `!` marks drift no action fixes. */
export type ChangeSymbol = "+" | "~" | "-" | "-/+";
export type LegendSymbol = ChangeSymbol | "!";

export const LEGEND: Record<LegendSymbol, string> = {
  "+": "create",
  "~": "update in-place",
  "-": "destroy",
  "-/+": "replace (create the new one first, destroy the old one last)",
  "!": "manual: reported only, a person must resolve it",
};

const LEGEND_ORDER: LegendSymbol[] = ["+", "~", "-", "-/+", "!"];

export interface PhaseInfo {
  phase: 1 | 2 | 3;
  name: string;
  summary: string;
}

export const PHASES: Record<1 | 2 | 3, PhaseInfo> = {
  1: { phase: 1, name: "make", summary: "create and add; nothing is removed" },
  2: {
    phase: 2,
    name: "repoint",
    summary: "switch functions to the new mounts once mount targets are available",
  },
  3: { phase: 3, name: "break", summary: "revoke and delete what nothing uses any more" },
};

export interface ActionView {
  action: Action;
  symbol: ChangeSymbol;
  /** The drift items this action fixes, in plan order (unknown ids are left out). */
  fixes: Drift[];
  /** For either half of an access-point replacement: the other half's resource id. */
  replacementOf?: string;
  /** Apply only: the outcome (undefined when the report has no result for it). */
  result?: ActionResult;
}

export interface PhaseView extends PhaseInfo {
  actions: ActionView[];
}

export interface ReportView {
  kind: "plan" | "apply";
  report: Plan | ApplyReport;
  /** Non-empty phases in order; actions of one resource are adjacent, otherwise plan order. */
  phases: PhaseView[];
  /**
   * Drift no action fixes (manual, or auto with nothing planned), most severe first. For an
   * apply report: the drift that remains after the verifying observation.
   */
  unfixed: Drift[];
  counts: { create: number; change: number; destroy: number; replace: number };
  legend: LegendSymbol[];
  results?: { succeeded: number; failed: number; skipped: number; missing: number };
  /** An apply refused before it changed anything (too many actions): why, in one sentence. */
  refused?: string;
}

export function isApplyReport(report: Plan | ApplyReport): report is ApplyReport {
  return "results" in report && Array.isArray((report as ApplyReport).results);
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export function bySeverity(a: Drift, b: Drift): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
}

const REPLACEMENT_CODES = new Set(["AP_POSIX_USER", "AP_ROOT_DIRECTORY"]);

/** Pairs each CreateAccessPoint with the DeleteAccessPoint of the live access point it replaces. */
function findReplacements(actions: Action[], driftById: Map<string, Drift>): Map<string, string> {
  const partner = new Map<string, string>();
  const deletes = actions.filter((a) => a.type === "DeleteAccessPoint");
  for (const create of actions) {
    if (create.type !== "CreateAccessPoint") continue;
    const def = create.params.definition;
    const match = deletes.find((del) => {
      if (del.type !== "DeleteAccessPoint" || partner.has(del.id)) return false;
      if (del.params.fileSystemId !== def.fileSystemId) return false;
      if (del.driftIds.some((id) => create.driftIds.includes(id))) return true;
      return del.driftIds.some((id) => {
        const d = driftById.get(id);
        return (
          d !== undefined &&
          REPLACEMENT_CODES.has(d.code) &&
          d.manifest.kind === "AccessPoint" &&
          d.manifest.name === def.name
        );
      });
    });
    if (match) {
      partner.set(create.id, match.id);
      partner.set(match.id, create.id);
    }
  }
  return partner;
}

function symbolOf(action: Action, replaced: boolean): ChangeSymbol {
  if (replaced) return "-/+";
  switch (action.type) {
    case "CreateMountTarget":
    case "CreateAccessPoint":
    case "AuthorizeIngress":
    case "AuthorizeEgress":
      return "+";
    case "DeleteAccessPoint":
    case "RevokeIngress":
    case "DeleteAlarm":
      return "-";
    case "PutMetricAlarm":
      return action.params.exists ? "~" : "+";
    default:
      return "~";
  }
}

/** Keeps plan order but pulls later actions on an already seen resource up next to it. */
function groupByResource(views: ActionView[]): ActionView[] {
  const groups = new Map<string, ActionView[]>();
  for (const v of views) {
    const key = `${v.action.resource.type} ${v.action.resource.id}`;
    const group = groups.get(key);
    if (group) group.push(v);
    else groups.set(key, [v]);
  }
  return [...groups.values()].flat();
}

export function buildReportView(report: Plan | ApplyReport, refused?: string): ReportView {
  const driftById = new Map(report.drift.map((d) => [d.id, d]));
  const actionById = new Map(report.actions.map((a) => [a.id, a]));
  const partner = findReplacements(report.actions, driftById);
  const apply = isApplyReport(report);
  const resultById = new Map(apply ? report.results.map((r) => [r.actionId, r]) : []);

  const views: ActionView[] = report.actions.map((action) => {
    const partnerId = partner.get(action.id);
    const other = partnerId ? actionById.get(partnerId) : undefined;
    const view: ActionView = {
      action,
      symbol: symbolOf(action, other !== undefined),
      fixes: action.driftIds.flatMap((id) => driftById.get(id) ?? []),
    };
    if (other) view.replacementOf = other.resource.id;
    const result = resultById.get(action.id);
    if (result) view.result = result;
    return view;
  });

  const phases: PhaseView[] = ([1, 2, 3] as const)
    .map((p) => ({ ...PHASES[p], actions: groupByResource(views.filter((v) => v.action.phase === p)) }))
    .filter((p) => p.actions.length > 0);

  const planned = new Set(report.actions.flatMap((a) => a.driftIds));
  const unfixed = (
    apply ? report.remaining : report.drift.filter((d) => !planned.has(d.id) || d.remediation === "manual")
  )
    .slice()
    .sort(bySeverity);

  const counts = { create: 0, change: 0, destroy: 0, replace: 0 };
  for (const v of views) {
    if (v.symbol === "+") counts.create++;
    else if (v.symbol === "~") counts.change++;
    else if (v.symbol === "-") counts.destroy++;
    else if (v.action.type === "CreateAccessPoint") {
      counts.create++;
      counts.replace++;
    } else counts.destroy++;
  }

  const used = new Set<LegendSymbol>(views.map((v) => v.symbol));
  if (unfixed.length > 0) used.add("!");

  const view: ReportView = {
    kind: apply ? "apply" : "plan",
    report,
    phases,
    unfixed,
    counts,
    legend: LEGEND_ORDER.filter((s) => used.has(s)),
  };
  if (apply) {
    const results = { succeeded: 0, failed: 0, skipped: 0, missing: 0 };
    for (const v of views) {
      if (v.result) results[v.result.status]++;
      else results.missing++;
    }
    view.results = results;
    if (refused !== undefined) view.refused = refused;
  }
  return view;
}

export { plural };

/** Compact one-line rendering of an expected/actual value. */
export function formatValue(value: unknown, max = 200): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text === undefined) return "—";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `Plan: 3 to create, 2 to change, 1 to destroy (1 replacement); 2 manual drift items.` */
export function planSummaryLine(view: ReportView, prefix = "Plan"): string {
  const { create, change, destroy, replace } = view.counts;
  const rep = replace > 0 ? ` (${plural(replace, "replacement")})` : "";
  const manual = view.kind === "plan" ? `; ${plural(view.unfixed.length, "manual drift item")}` : "";
  return `${prefix}: ${create} to create, ${change} to change, ${destroy} to destroy${rep}${manual}.`;
}

export const NO_CHANGES = "No changes. Your infrastructure matches the manifests.";

/** Whether there is nothing at all to show: no drift, no action (and for apply, nothing left). */
export function isNoChange(view: ReportView): boolean {
  return view.report.drift.length === 0 && view.report.actions.length === 0 && view.unfixed.length === 0;
}

/** The final line of an apply report. */
export function applyOutcomeLine(view: ReportView): string {
  if (view.refused !== undefined) return `Apply refused: ${view.refused}`;
  const r = view.results ?? { succeeded: 0, failed: 0, skipped: 0, missing: 0 };
  const total = view.report.actions.length;
  const remaining = view.unfixed;
  const manual = remaining.filter((d) => d.remediation === "manual").length;
  const auto = remaining.length - manual;
  const parts = [`${r.succeeded} succeeded`, `${r.failed} failed`, `${r.skipped} skipped`];
  if (r.missing > 0) parts.push(`${r.missing} without a result`);
  if (r.failed > 0 || r.missing > 0) {
    return `Apply failed: ${parts.join(", ")}; ${plural(remaining.length, "drift item")} remain${remaining.length === 1 ? "s" : ""}. Fix the cause of the failed action${r.failed + r.missing === 1 ? "" : "s"} and run apply again.`;
  }
  const done = total === 0 ? "nothing to change" : `${plural(r.succeeded, "action")} succeeded`;
  if (auto > 0) {
    return `Apply incomplete: ${done}, but ${plural(auto, "auto-remediable drift item")} remain${auto === 1 ? "s" : ""}. Run apply again.`;
  }
  if (manual > 0) {
    return `Apply complete: ${done}; ${plural(manual, "manual drift item")} remain${manual === 1 ? "s" : ""} for a person to resolve.`;
  }
  return `Apply complete: ${done}. Your infrastructure matches the manifests.`;
}
