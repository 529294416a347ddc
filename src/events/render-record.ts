/**
 * Terminal and JSON renderings of the record for `efs-reconciler status` and `events`. They
 * print; they never compute lifecycle or status. Pure.
 */
import { palette } from "../render/ansi";
import { cell, code, table } from "../render/markdown";
import { isInSync } from "./compute-status";
import { textTable } from "./text-table";
import type { DriftEvent, StatusDocument } from "./types";

/** `2026-11-28T04:30:00Z`: ISO without milliseconds. */
export function shortTime(iso: string): string {
  return iso.replace(/\.\d{3}Z$/, "Z");
}

/** What `status --output json` prints: the document without its internal lifecycle baseline. */
export function statusJson(doc: StatusDocument | undefined): string {
  const view = doc
    ? {
        formatVersion: doc.formatVersion,
        lastRun: doc.lastRun,
        summary: {
          objects: doc.objects.length,
          inSync: doc.objects.filter(isInSync).length,
          openDrift: doc.openDrift.length,
        },
        objects: doc.objects,
        openDrift: doc.openDrift,
        history: doc.history,
      }
    : {
        formatVersion: "1",
        lastRun: null,
        summary: { objects: 0, inSync: 0, openDrift: 0 },
        objects: [],
        openDrift: [],
        history: [],
      };
  return `${JSON.stringify(view, null, 2)}\n`;
}

export function statusText(doc: StatusDocument | undefined, where: string, opts: { color: boolean }): string {
  if (!doc) return `No runs recorded in ${where} yet: run efs-reconciler plan or apply first.\n`;
  const p = palette(opts.color);
  const codeOf = new Map(doc.openDrift.map((o) => [o.drift.id, o.drift.code]));
  const rows = doc.objects.map((o) => {
    const inSync = isInSync(o);
    const codes = [...new Set(o.openDrift.map((id) => codeOf.get(id) ?? id))];
    const failed = o.conditions.some((c) => c.type === "RemediationFailed" && c.status === "True");
    const drift =
      o.openDrift.length === 0
        ? "-"
        : `${o.openDrift.length} (${codes.join(", ")})${failed ? p.red(" remediation failed") : ""}`;
    return [o.kind, o.name, inSync ? p.green("yes") : p.red("no"), drift, shortTime(o.lastReconciled)];
  });
  const inSync = doc.objects.filter(isInSync).length;
  const run = doc.lastRun;
  return `${textTable(["KIND", "NAME", "IN-SYNC", "DRIFT", "LAST-RECONCILED"], rows)}\n${inSync} of ${doc.objects.length} objects in sync; last run ${run.runId} (${run.mode}, ${run.stage}) at ${shortTime(run.recordedAt)}, manifest revision ${run.manifestRevision}.\n`;
}

/** `status --output markdown`: the same table, for a pull-request comment or a wiki page. */
export function statusMarkdown(doc: StatusDocument | undefined, where: string): string {
  if (!doc) return `No runs recorded in ${cell(where)} yet: run efs-reconciler plan or apply first.\n`;
  const codeOf = new Map(doc.openDrift.map((o) => [o.drift.id, o.drift.code]));
  const rows = doc.objects.map((o) => {
    const codes = [...new Set(o.openDrift.map((id) => codeOf.get(id) ?? id))];
    const failed = o.conditions.some((c) => c.type === "RemediationFailed" && c.status === "True");
    const drift =
      o.openDrift.length === 0
        ? "—"
        : `${o.openDrift.length} (${codes.map(code).join(", ")})${failed ? " remediation failed" : ""}`;
    return [cell(o.kind), code(o.name), isInSync(o) ? "✅ yes" : "❌ no", drift, shortTime(o.lastReconciled)];
  });
  const inSync = doc.objects.filter(isInSync).length;
  const run = doc.lastRun;
  return `${[
    `**${inSync} of ${doc.objects.length} objects in sync**; last run ${code(run.runId)} (${run.mode}, ${run.stage}) at ${shortTime(run.recordedAt)}, manifest revision ${code(run.manifestRevision)}.`,
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
