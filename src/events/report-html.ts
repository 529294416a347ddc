/**
 * `efs-reconciler report --html`: one self-contained HTML page (inline CSS and SVG, no script,
 * no external asset) with the current status, open drift by severity, the timeline of drift
 * found vs remediated, mean time to remediate per code, and the latest events. Pure; every
 * string from the record is escaped.
 */
import { escapeHtml as h } from "./escape-html";
import { formatDuration, type ReportModel } from "./report-model";
import { TIMELINE_SERIES, timelineSvg } from "./timeline-svg";
import type { Condition, ObjectStatus } from "./types";

const STYLE = `
:root { color-scheme: light; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header { background: #24292f; color: #fff; padding: 18px 32px; }
header h1 { margin: 0 0 4px; font-size: 20px; }
header p { margin: 0; color: #d0d7de; }
main { padding: 8px 32px 40px; max-width: 1200px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 16px 20px; margin-top: 16px; }
h2 { font-size: 16px; margin: 0 0 12px; }
h3 { font-size: 14px; margin: 16px 0 8px; text-transform: capitalize; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { flex: 1 1 160px; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
.card .value { font-size: 24px; font-weight: 600; }
.card .label { color: var(--muted); }
.yes { color: var(--ok); font-weight: 600; }
.no { color: var(--bad); font-weight: 600; }
.muted { color: var(--muted); }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; color: #fff; }
.sev-critical { background: #8250df; } .sev-high { background: var(--bad); } .sev-medium { background: #bc4c00; } .sev-low { background: var(--muted); }
.cond-True { color: var(--bad); } .cond-False { color: var(--muted); }
.cond-InSync.cond-True { color: var(--ok); } .cond-InSync.cond-False { color: var(--bad); }
.severity-counts { display: flex; gap: 16px; margin-bottom: 4px; }
#timeline-chart { display: block; width: 100%; height: auto; }
#timeline-chart .grid { stroke: #eaeef2; } #timeline-chart .axis { stroke: #8c959f; }
#timeline-chart text { font-size: 11px; fill: var(--muted); }
#timeline-chart .series { fill: none; stroke-width: 2; }
#timeline-chart .series.found, .legend .found { stroke: #cf222e; color: #cf222e; }
#timeline-chart .series.remediated, .legend .remediated { stroke: #1a7f37; color: #1a7f37; }
#timeline-chart .point.found { fill: #cf222e; } #timeline-chart .point.remediated { fill: #1a7f37; }
.legend { display: flex; gap: 20px; margin-top: 6px; }
.legend span::before { content: "\\25CF  "; }
`;

function time(iso: string | undefined): string {
  return iso ? h(iso.replace(/\.\d{3}Z$/, "Z").replace("T", " ")) : "—";
}

function condition(c: Condition): string {
  return `<span class="cond cond-${h(c.type)} cond-${h(c.status)}" title="${h(`${c.reason}: ${c.message} (since ${c.lastTransitionTime})`)}">${h(c.type)}=${h(c.status)}</span>`;
}

function statusRow(o: ObjectStatus, inSync: boolean): string {
  const drifts = o.openDrift.length;
  return `<tr data-kind="${h(o.kind)}" data-name="${h(o.name)}" data-in-sync="${inSync}">
<td>${h(o.kind)}</td><td><code>${h(o.name)}</code><div class="muted">${h(o.file)}</div></td>
<td class="${inSync ? "yes" : "no"}">${inSync ? "yes" : "no"}</td>
<td>${drifts === 0 ? '<span class="muted">none</span>' : String(drifts)}</td>
<td>${o.conditions.map(condition).join("<br>")}</td>
<td>${time(o.lastReconciled)}<div class="muted">revision ${h(o.observedRevision)}</div></td></tr>`;
}

function statusSection(m: ReportModel): string {
  if (m.objects.length === 0) {
    return `<section id="status"><h2>Current status</h2><p class="muted">No run recorded yet: run <code>efs-reconciler apply</code> (or plan) first.</p></section>`;
  }
  const inSyncOf = (o: ObjectStatus): boolean =>
    o.conditions.some((c) => c.type === "InSync" && c.status === "True");
  return `<section id="status"><h2>Current status</h2>
<table id="status-table"><thead><tr><th>Kind</th><th>Name</th><th>In sync</th><th>Open drift</th><th>Conditions</th><th>Last reconciled</th></tr></thead>
<tbody>${m.objects.map((o) => statusRow(o, inSyncOf(o))).join("\n")}</tbody></table></section>`;
}

function openDriftSection(m: ReportModel): string {
  const counts = m.openBySeverity
    .map(
      (g) =>
        `<span data-severity="${g.severity}"><span class="badge sev-${g.severity}">${g.drift.length}</span> ${g.severity}</span>`,
    )
    .join("");
  const groups = m.openBySeverity
    .filter((g) => g.drift.length > 0)
    .map(
      (g) => `<h3>${g.severity}</h3><table class="open-drift" data-severity="${g.severity}">
<thead><tr><th>Code</th><th>Resource</th><th>Object</th><th>Remediation</th><th>Open since</th><th>Message</th></tr></thead><tbody>
${g.drift
  .map(
    (
      o,
    ) => `<tr data-drift-id="${h(o.drift.id)}"><td><code>${h(o.drift.code)}</code></td><td><code>${h(o.drift.resource.id)}</code></td>
<td>${h(`${o.drift.manifest.kind}/${o.drift.manifest.name}`)}</td><td>${h(o.drift.remediation)}${o.lastFailure ? `<div class="no" title="${h(o.lastFailure.error)}">failed in run ${h(o.lastFailure.runId)}</div>` : ""}</td>
<td>${time(o.detectedAt)}</td><td>${h(o.drift.message)}</td></tr>`,
  )
  .join("\n")}</tbody></table>`,
    )
    .join("\n");
  const total = m.openBySeverity.reduce((n, g) => n + g.drift.length, 0);
  return `<section id="open-drift"><h2>Open drift by severity</h2><div class="severity-counts">${counts}</div>
${total === 0 ? '<p class="muted">No open drift.</p>' : groups}</section>`;
}

function timelineSection(m: ReportModel): string {
  const body =
    m.timeline.length === 0
      ? '<p class="muted">No runs recorded yet.</p>'
      : `${timelineSvg(m.timeline)}<div class="legend">${TIMELINE_SERIES.map((s) => `<span class="${s.className}">${h(s.label)}</span>`).join("")}</div>`;
  return `<section id="timeline"><h2>Drift found vs remediated, per run</h2>${body}</section>`;
}

function remediationSection(m: ReportModel): string {
  const body =
    m.remediationTimes.length === 0
      ? '<p class="muted">Nothing remediated yet.</p>'
      : `<table id="mttr-table"><thead><tr><th>Code</th><th>Remediations</th><th>Mean time to remediate</th><th>Longest</th></tr></thead><tbody>
${m.remediationTimes
  .map(
    (r) =>
      `<tr data-code="${h(r.code)}" data-mean-seconds="${r.meanSeconds}"><td><code>${h(r.code)}</code></td><td>${r.remediations}</td><td>${h(formatDuration(r.meanSeconds))}</td><td>${h(formatDuration(r.longestSeconds))}</td></tr>`,
  )
  .join("\n")}</tbody></table>`;
  return `<section id="mttr"><h2>Mean time to remediate, per drift code</h2>${body}</section>`;
}

function eventsSection(m: ReportModel): string {
  const body =
    m.recentEvents.length === 0
      ? '<p class="muted">No drift events recorded.</p>'
      : `<table id="events-table"><thead><tr><th>Time</th><th>Event</th><th>Code</th><th>Resource</th><th>Run</th></tr></thead><tbody>
${m.recentEvents
  .map(
    (e) =>
      `<tr data-type="${h(e.type)}"><td>${time(e.time)}</td><td>${h(e.type)}${e.error ? `<div class="no">${h(e.error)}</div>` : ""}</td><td><code>${h(e.drift.code)}</code></td><td><code>${h(e.drift.resource.id)}</code></td><td><code>${h(e.runId)}</code></td></tr>`,
  )
  .join("\n")}</tbody></table>`;
  const shown =
    m.totalEvents > m.recentEvents.length ? ` (latest ${m.recentEvents.length} of ${m.totalEvents})` : "";
  return `<section id="events"><h2>Events${h(shown)}</h2>${body}</section>`;
}

export function renderHtmlReport(m: ReportModel): string {
  const run = m.lastRun;
  const openTotal = m.openBySeverity.reduce((n, g) => n + g.drift.length, 0);
  const remediated = m.remediationTimes.reduce((n, r) => n + r.remediations, 0);
  const subtitle = run
    ? `Last run ${h(run.runId)} (${h(run.mode)}, ${h(run.stage)}) at ${time(run.recordedAt)} · manifest revision ${h(run.manifestRevision)}`
    : "No run recorded yet";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>efs-reconciler report</title><style>${STYLE}</style></head>
<body><header><h1>efs-reconciler: drift report</h1><p>${subtitle}</p><p>Generated ${time(m.generatedAt)}</p></header>
<main>
<section id="summary"><div class="cards">
<div class="card"><div class="value" id="in-sync-count">${m.inSync} / ${m.objects.length}</div><div class="label">objects in sync</div></div>
<div class="card"><div class="value" id="open-drift-count">${openTotal}</div><div class="label">open drift items</div></div>
<div class="card"><div class="value">${m.timeline.length}</div><div class="label">runs recorded</div></div>
<div class="card"><div class="value">${remediated}</div><div class="label">drift items remediated</div></div>
</div></section>
${statusSection(m)}
${openDriftSection(m)}
${timelineSection(m)}
${remediationSection(m)}
${eventsSection(m)}
</main></body></html>
`;
}
