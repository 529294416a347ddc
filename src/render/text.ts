/**
 * Terminal rendering of a Plan or ApplyReport, in the style of `terraform plan`.
 */
import type { ActionResult, ApplyReport, Drift, Plan, Severity } from "../plan/types";
import { type Palette, palette, type Style } from "./ansi";
import {
  type ActionView,
  applyOutcomeLine,
  buildReportView,
  formatValue,
  isNoChange,
  LEGEND,
  type LegendSymbol,
  NO_CHANGES,
  planSummaryLine,
  plural,
  type ReportView,
} from "./report-view";

export interface TextOptions {
  color: boolean;
  /** The apply was refused before it changed anything: why (see `ReportView.refused`). */
  refused?: string;
}

const ACTION_INDENT = "  ";
/** Symbols are padded to the widest one (`-/+`) so resources line up. */
const SYMBOL_WIDTH = 3;
const DETAIL_INDENT = `${ACTION_INDENT}${" ".repeat(SYMBOL_WIDTH + 1)}  `;

function symbolStyle(p: Palette, symbol: LegendSymbol): Style {
  switch (symbol) {
    case "+":
      return p.green;
    case "~":
      return p.yellow;
    case "-":
      return p.red;
    case "-/+":
      return p.magenta;
    case "!":
      return (s) => p.bold(p.red(s));
  }
}

function severityStyle(p: Palette, severity: Severity): Style {
  switch (severity) {
    case "critical":
      return (s) => p.bold(p.red(s));
    case "high":
      return p.red;
    case "medium":
      return p.yellow;
    case "low":
      return p.dim;
  }
}

function sym(p: Palette, symbol: LegendSymbol): string {
  return symbolStyle(p, symbol)(symbol.padEnd(SYMBOL_WIDTH));
}

function header(view: ReportView, p: Palette): string[] {
  const r = view.report;
  const title = r.mode === "apply" ? "efs-reconciler apply" : "efs-reconciler plan (dry-run)";
  const { drift, auto, manual } = r.summary;
  return [
    p.bold(title) + p.dim(` · run ${r.runId}`),
    p.dim(
      `Manifests at revision ${r.manifestRevision}; ${plural(drift, "drift item")} (${auto} auto, ${manual} manual).`,
    ),
  ];
}

function legend(view: ReportView, p: Palette): string[] {
  const lines = ["Symbols:"];
  for (const s of view.legend) {
    const label = s === "!" && view.kind === "apply" ? "drift that remains after apply" : LEGEND[s];
    lines.push(`${ACTION_INDENT}${sym(p, s)} ${label}`);
  }
  return lines;
}

function resultLine(p: Palette, result: ActionResult | undefined): string {
  if (!result) return p.red("? no result recorded: the apply stopped before this action");
  switch (result.status) {
    case "succeeded":
      return p.green("✓ succeeded");
    case "failed":
      return p.bold(p.red(`✗ failed: ${result.error ?? "unknown error"}`));
    case "skipped":
      return p.yellow(`↷ skipped${result.error ? `: ${result.error}` : ""}`);
  }
}

/**
 * One action: its line, then one `#` line per drift item it fixes. A drift item already explained
 * under an earlier action (a replacement's repoints and delete) is named once more, not repeated.
 */
function actionLines(v: ActionView, view: ReportView, p: Palette, explained: Set<string>): string[] {
  const a = v.action;
  const resource = p.bold(`${a.resource.type} ${a.resource.id}`);
  let description = a.description;
  if (v.symbol === "-/+" && v.replacementOf) {
    description +=
      a.type === "CreateAccessPoint" ? ` (replaces ${v.replacementOf})` : ` (replaced by ${v.replacementOf})`;
  }
  const lines = [`${ACTION_INDENT}${sym(p, v.symbol)} ${resource}: ${description}`];
  const again = v.fixes.filter((d) => explained.has(d.id));
  for (const d of v.fixes) {
    if (explained.has(d.id)) continue;
    explained.add(d.id);
    lines.push(DETAIL_INDENT + p.dim(`# ${d.code}: ${d.message}`));
  }
  if (again.length > 0) {
    const codes = [...new Set(again.map((d) => d.code))].join(", ");
    lines.push(DETAIL_INDENT + p.dim(`# part of the fix for ${codes} (explained above)`));
  }
  if (view.kind === "apply") lines.push(DETAIL_INDENT + resultLine(p, v.result));
  return lines;
}

function unfixedLines(d: Drift, view: ReportView, p: Palette): string[] {
  const sev = severityStyle(p, d.severity)(d.severity);
  const remediation = view.kind === "apply" ? `, ${d.remediation}` : "";
  const where = `${d.manifest.kind}/${d.manifest.name} (${d.manifest.file})`;
  return [
    `${ACTION_INDENT}${sym(p, "!")} ${p.bold(`${d.resource.type} ${d.resource.id}`)}: ${d.code}, ${sev}${remediation}`,
    DETAIL_INDENT + p.dim(`# ${d.message}`),
    DETAIL_INDENT + p.dim(`# ${where}, field ${d.field}`),
    DETAIL_INDENT + p.dim(`#   expected: ${formatValue(d.expected)}`),
    DETAIL_INDENT + p.dim(`#   actual:   ${formatValue(d.actual)}`),
  ];
}

export function renderText(report: Plan | ApplyReport, opts: TextOptions): string {
  const p = palette(opts.color);
  const view = buildReportView(report, opts.refused);
  const out: string[] = [...header(view, p), ""];

  if (isNoChange(view)) {
    out.push(p.bold(p.green(NO_CHANGES)));
    return `${out.join("\n")}\n`;
  }

  out.push(...legend(view, p), "");

  if (view.phases.length > 0) {
    const lead =
      view.kind === "plan"
        ? "efs-reconciler apply would take these actions, make before break:"
        : view.refused !== undefined
          ? "efs-reconciler refused to apply and changed nothing; it would take these actions, make before break:"
          : "efs-reconciler took these actions, make before break:";
    out.push(lead, "");
    const explained = new Set<string>();
    for (const phase of view.phases) {
      out.push(p.bold(`Phase ${phase.phase} of 3, ${phase.name}`) + p.dim(`: ${phase.summary}`), "");
      for (const v of phase.actions) out.push(...actionLines(v, view, p, explained));
      out.push("");
    }
  } else if (view.kind === "plan") {
    out.push("No actions: nothing here can be fixed automatically.", "");
  }

  if (view.unfixed.length > 0) {
    out.push(
      view.kind === "plan"
        ? "Manual drift: a person must resolve these; every run reports them until then."
        : view.refused !== undefined
          ? "Drift that remains (nothing was changed):"
          : "Drift that remains (seen by the verifying observation after apply):",
      "",
    );
    for (const d of view.unfixed) out.push(...unfixedLines(d, view, p));
    out.push("");
  }

  if (view.kind === "apply") {
    out.push(p.bold(planSummaryLine(view, "Planned")), p.bold(applyOutcomeLine(view)));
  } else {
    out.push(p.bold(planSummaryLine(view)));
  }
  return `${out.join("\n")}\n`;
}
