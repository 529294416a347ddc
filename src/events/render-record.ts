/**
 * Terminal and JSON renderings of the record for `efs-reconciler status` and `events`. They
 * print; they never compute lifecycle or status. Pure.
 */
import { palette } from "../render/ansi";
import { cell, code, table } from "../render/markdown";
import { isInSync } from "./compute-status";
import { isReconciled, recordedView, rowInSync, type StatusRow, type StatusView } from "./status-view";
import { textTable } from "./text-table";
import type { DriftEvent, ObjectStatus, StatusDocument } from "./types";

/** `2026-11-28T04:30:00Z`: ISO without milliseconds. */
export function shortTime(iso: string): string {
  return iso.replace(/\.\d{3}Z$/, "Z");
}

/** What `status --output json` prints: the document without its internal lifecycle baseline. */
export function statusJson(doc: StatusDocument | undefined, view: StatusView = recordedView(doc)): string {
  const out = {
    formatVersion: "1",
    lastRun: doc?.lastRun ?? null,
    summary: {
      objects: view.rows.length,
      inSync: view.rows.filter(rowInSync).length,
      openDrift: view.openDrift.length,
      ...(view.manifests ? { notReconciled: view.rows.filter((r) => !isReconciled(r)).length } : {}),
    },
    ...(view.manifests ? { manifests: view.manifests } : {}),
    objects: view.rows,
    openDrift: view.openDrift,
    history: doc?.history ?? [],
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

const noRuns = (where: string) => `No runs recorded in ${where} yet: run efs-reconciler plan or apply first.`;

interface StatusCells {
  inSync: (row: StatusRow) => string;
  drift: (row: ObjectStatus, codes: string[], failed: boolean) => string;
  noDrift: string;
  kind: (kind: string) => string;
  name: (name: string) => string;
}

/** One row of cells per object; the counts, the last run and notes for the sentences under the table. */
function statusLines(
  doc: StatusDocument | undefined,
  view: StatusView,
  cells: StatusCells,
  quote: (s: string) => string,
): { rows: string[][]; counts: string; lastRun: string | undefined; notes: string[] } {
  const codeOf = new Map(view.openDrift.map((o) => [o.drift.id, o.drift.code]));
  const rows = view.rows.map((o) => {
    if (!isReconciled(o))
      return [cells.kind(o.kind), cells.name(o.name), cells.inSync(o), cells.noDrift, "never"];
    const codes = [...new Set(o.openDrift.map((id) => codeOf.get(id) ?? id))];
    const failed = o.conditions.some((c) => c.type === "RemediationFailed" && c.status === "True");
    const drift = o.openDrift.length === 0 ? cells.noDrift : cells.drift(o, codes, failed);
    return [cells.kind(o.kind), cells.name(o.name), cells.inSync(o), drift, shortTime(o.lastReconciled)];
  });
  const unreconciled = view.rows.filter((r) => !isReconciled(r)).length;
  const counts = `${view.rows.filter(rowInSync).length} of ${view.rows.length} objects in sync${unreconciled > 0 ? `, ${unreconciled} not reconciled yet` : ""}`;
  const run = doc?.lastRun;
  const lastRun = run
    ? `last run ${quote(run.runId)} (${run.mode}, ${run.stage}) at ${shortTime(run.recordedAt)}, manifest revision ${quote(run.manifestRevision)}.`
    : undefined;
  const notes: string[] = [];
  const m = view.manifests;
  if (m && run && m.revision !== run.manifestRevision) {
    notes.push(
      `The manifests in ${quote(m.dir)} are revision ${quote(m.revision)}, not the last run's: run efs-reconciler plan to compare them with the live account.`,
    );
  }
  if (m && m.notInManifests.length > 0) {
    const names = m.notInManifests.map((o) => quote(`${o.kind}/${o.name}`)).join(", ");
    notes.push(`Recorded by the last run, no longer in ${quote(m.dir)}: ${names}.`);
  }
  return { rows, counts, lastRun, notes };
}

export function statusText(
  doc: StatusDocument | undefined,
  where: string,
  opts: { color: boolean },
  view: StatusView = recordedView(doc),
): string {
  if (!doc && !view.manifests) return `${noRuns(where)}\n`;
  const p = palette(opts.color);
  const { rows, counts, lastRun, notes } = statusLines(
    doc,
    view,
    {
      inSync: (o) => (!isReconciled(o) ? "unknown" : isInSync(o) ? p.green("yes") : p.red("no")),
      drift: (o, codes, failed) =>
        `${o.openDrift.length} (${codes.join(", ")})${failed ? p.red(" remediation failed") : ""}`,
      noDrift: "-",
      kind: (k) => k,
      name: (n) => n,
    },
    (s) => s,
  );
  const summary = lastRun ? `${counts}; ${lastRun}` : `${counts}. ${noRuns(where)}`;
  return `${textTable(["KIND", "NAME", "IN-SYNC", "DRIFT", "LAST-RECONCILED"], rows)}\n${[summary, ...notes].join("\n")}\n`;
}

/** `status --output markdown`: the same table, for a pull-request comment or a wiki page. */
export function statusMarkdown(
  doc: StatusDocument | undefined,
  where: string,
  view: StatusView = recordedView(doc),
): string {
  if (!doc && !view.manifests) return `${noRuns(cell(where))}\n`;
  const { rows, counts, lastRun, notes } = statusLines(
    doc,
    view,
    {
      inSync: (o) => (!isReconciled(o) ? "❔ unknown" : isInSync(o) ? "✅ yes" : "❌ no"),
      drift: (o, codes, failed) =>
        `${o.openDrift.length} (${codes.map(code).join(", ")})${failed ? " remediation failed" : ""}`,
      noDrift: "—",
      kind: cell,
      name: code,
    },
    code,
  );
  return `${[
    lastRun ? `**${counts}**; ${lastRun}` : `**${counts}**. ${noRuns(cell(where))}`,
    ...notes.map((n) => `\n${n}`),
    "",
    ...table(
      ["Kind", "Name", "In sync", "Drift", "Last reconciled"],
      ["---", "---", "---", "---", "---"],
      rows,
    ),
  ].join("\n")}\n`;
}

/** `events --output markdown`. */
export function eventsMarkdown(events: readonly DriftEvent[]): string {
  if (events.length === 0) return "No drift events match.\n";
  const rows = events.map((e) => [
    shortTime(e.time),
    e.type,
    code(e.drift.code),
    e.drift.severity,
    code(e.drift.resource.id),
    cell(`${e.drift.manifest.kind}/${e.drift.manifest.name}`),
    code(e.runId),
  ]);
  return `${table(
    ["Time", "Type", "Code", "Severity", "Resource", "Object", "Run"],
    ["---", "---", "---", "---", "---", "---", "---"],
    rows,
  ).join("\n")}\n`;
}

export function eventsJson(events: readonly DriftEvent[]): string {
  return `${JSON.stringify(events, null, 2)}\n`;
}

export function eventsText(events: readonly DriftEvent[], opts: { color: boolean }): string {
  if (events.length === 0) return "No drift events match.\n";
  const p = palette(opts.color);
  const typeStyle = (e: DriftEvent): string => {
    switch (e.type) {
      case "DriftRemediated":
      case "DriftResolved":
        return p.green(e.type);
      case "RemediationFailed":
        return p.red(e.type);
      default:
        return p.yellow(e.type);
    }
  };
  const rows = events.map((e) => [
    shortTime(e.time),
    typeStyle(e),
    e.drift.code,
    e.drift.severity,
    e.drift.resource.id,
    `${e.drift.manifest.kind}/${e.drift.manifest.name}`,
    e.runId,
  ]);
  return textTable(["TIME", "TYPE", "CODE", "SEVERITY", "RESOURCE", "OBJECT", "RUN"], rows);
}
