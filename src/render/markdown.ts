/**
 * Markdown rendering of a Plan or ApplyReport for a pull-request comment (GitHub-flavoured:
 * tables, `<details>`, diff blocks, alerts). No ANSI.
 */
import type { ActionResult, ApplyReport, Drift, Plan, Severity } from "../plan/types";
import {
  type ActionView,
  applyOutcomeLine,
  buildReportView,
  bySeverity,
  isNoChange,
  NO_CHANGES,
  planSummaryLine,
  plural,
  type ReportView,
} from "./report-view";

const SEVERITY_BADGE: Record<Severity, string> = {
  critical: "🔴 critical",
  high: "🟠 high",
  medium: "🟡 medium",
  low: "⚪ low",
};

/** Makes text safe inside a table cell: no row breaks, no stray HTML, no column breaks. */
export function cell(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, "<br>");
}

export function code(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\|/g, "\\|")}\``;
}

function resource(ref: { type: string; id: string }): string {
  return `${code(ref.id)}<br><sub>${cell(ref.type)}</sub>`;
}

export function table(head: string[], align: string[], rows: string[][]): string[] {
  return [`| ${head.join(" | ")} |`, `|${align.join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
}

function driftTable(drift: Drift[], withRemediation: boolean): string[] {
  const head = [
    "Severity",
    "Code",
    "Resource",
    "Manifest",
    ...(withRemediation ? ["Remediation"] : []),
    "Message",
  ];
  const align = ["---", "---", "---", "---", ...(withRemediation ? ["---"] : []), "---"];
  const rows = drift
    .slice()
    .sort(bySeverity)
    .map((d) => [
      SEVERITY_BADGE[d.severity],
      code(d.code),
      resource(d.resource),
      `${code(`${d.manifest.kind}/${d.manifest.name}`)}<br><sub>${cell(d.manifest.file)}</sub>`,
      ...(withRemediation ? [d.remediation] : []),
      cell(d.message),
    ]);
  return table(head, align, rows);
}

/** Short values stay on one line; long ones are pretty-printed under their label. */
function diffLines(label: string, sign: "+" | "-", value: unknown): string[] {
  const compact = JSON.stringify(value) ?? "undefined";
  const json = compact.length <= 100 ? compact : (JSON.stringify(value, null, 2) ?? "undefined");
  return json.split("\n").map((line, i) => `${sign} ${i === 0 ? label : " ".repeat(label.length)}${line}`);
}

function expectedActual(drift: Drift[], summary: string): string[] {
  const out = ["<details>", `<summary>${summary}</summary>`, ""];
  for (const d of drift.slice().sort(bySeverity)) {
    out.push(
      `${code(d.code)} on ${code(d.resource.id)}, field ${code(d.field)}:`,
      "",
      "```diff",
      ...diffLines("actual:   ", "-", d.actual),
      ...diffLines("expected: ", "+", d.expected),
      "```",
      "",
    );
  }
  out.push("</details>");
  return out;
}

function resultCell(result: ActionResult | undefined): string {
  if (!result) return "❔ no result";
  switch (result.status) {
    case "succeeded":
      return "✅ succeeded";
    case "failed":
      return `❌ failed: ${cell(result.error ?? "unknown error")}`;
    case "skipped":
      return `⏭️ skipped${result.error ? `: ${cell(result.error)}` : ""}`;
  }
}

function actionRow(v: ActionView, apply: boolean): string[] {
  const a = v.action;
  let description = cell(a.description);
  if (v.replacementOf) {
    description +=
      a.type === "CreateAccessPoint"
        ? ` (replaces ${code(v.replacementOf)})`
        : ` (replaced by ${code(v.replacementOf)})`;
  }
  const fixes = v.fixes.length > 0 ? v.fixes.map((d) => code(d.code)).join("<br>") : "—";
  return [
    code(v.symbol),
    resource(a.resource),
    `${description}<br><sub>${cell(a.type)}</sub>`,
    fixes,
    ...(apply ? [resultCell(v.result)] : []),
  ];
}

function actions(view: ReportView): string[] {
  const apply = view.kind === "apply";
  const out = [`### Actions, make before break (${view.report.actions.length})`, ""];
  for (const phase of view.phases) {
    out.push(`**Phase ${phase.phase}, ${phase.name}**: ${phase.summary}.`, "");
    out.push(
      ...table(
        ["", "Resource", "Action", "Fixes", ...(apply ? ["Result"] : [])],
        [":-:", "---", "---", "---", ...(apply ? ["---"] : [])],
        phase.actions.map((v) => actionRow(v, apply)),
      ),
      "",
    );
  }
  return out;
}

function summaryTable(view: ReportView): string[] {
  const s = view.report.summary;
  const c = view.counts;
  const head = ["Drift", "Auto", "Manual", "Actions", "Create", "Change", "Destroy"];
  const row = [s.drift, s.auto, s.manual, s.actions, c.create, c.change, c.destroy].map(String);
  if (view.results) {
    head.push("Succeeded", "Failed", "Skipped", "Remaining");
    row.push(
      String(view.results.succeeded),
      String(view.results.failed),
      String(view.results.skipped),
      String(view.unfixed.length),
    );
  }
  return table(
    head,
    head.map(() => "---:"),
    [row],
  );
}

export function renderMarkdown(report: Plan | ApplyReport, refused?: string): string {
  const view = buildReportView(report, refused);
  const apply = view.kind === "apply";
  const title = apply ? "efs-reconciler apply" : "efs-reconciler plan (dry-run)";
  const out = [
    `## ${title}`,
    "",
    `Run ${code(report.runId)} · manifests at revision ${code(report.manifestRevision)}`,
    "",
  ];

  if (isNoChange(view)) {
    out.push(`**${NO_CHANGES}**`);
    return `${out.join("\n")}\n`;
  }

  out.push(`**${apply ? applyOutcomeLine(view) : planSummaryLine(view)}**`, "", ...summaryTable(view), "");

  const manual = (apply ? view.unfixed : report.drift).filter((d) => d.remediation === "manual");
  if (manual.length > 0) {
    const codes = [...new Set(manual.map((d) => d.code))].map(code).join(", ");
    out.push(
      "> [!WARNING]",
      `> ${plural(manual.length, "manual drift item")} (${codes}) need${manual.length === 1 ? "s" : ""} a person: efs-reconciler reports ${manual.length === 1 ? "it" : "them"} on every run and never works around ${manual.length === 1 ? "it" : "them"}.`,
      "",
    );
  }

  if (apply && report.drift.length > 0) {
    out.push(
      "<details>",
      `<summary>Drift found before apply (${report.drift.length})</summary>`,
      "",
      ...driftTable(report.drift, true),
      "",
      "</details>",
      "",
    );
  } else if (report.drift.length > 0) {
    out.push(
      `### Drift (${report.drift.length})`,
      "",
      ...driftTable(report.drift, true),
      "",
      ...expectedActual(report.drift, "Expected and actual values"),
      "",
    );
  }

  if (view.phases.length > 0) out.push(...actions(view));

  if (apply) {
    out.push(`### Remaining drift (${view.unfixed.length})`, "");
    if (view.unfixed.length === 0) {
      out.push("None: the verifying observation after apply found no drift.", "");
    } else {
      out.push(
        "Seen by the verifying observation after apply.",
        "",
        ...driftTable(view.unfixed, true),
        "",
        ...expectedActual(view.unfixed, "Expected and actual values of the remaining drift"),
        "",
      );
    }
  }

  while (out[out.length - 1] === "") out.pop();
  return `${out.join("\n")}\n`;
}
