/**
 * The machine-readable document of contract §3: `plan --output json` / `apply --output json`.
 * Objects are rebuilt field by field so the key order (and nothing else) is what §3 shows.
 */
import type { Action, ActionResult, ApplyReport, Drift, JsonValue, Plan, ResourceRef } from "../plan/types";
import { isApplyReport } from "./report-view";

function resourceJson(r: ResourceRef): { type: string; id: string } {
  return { type: r.type, id: r.id };
}

function driftJson(d: Drift): Record<string, JsonValue> {
  return {
    id: d.id,
    code: d.code,
    severity: d.severity,
    remediation: d.remediation,
    resource: resourceJson(d.resource),
    manifest: { kind: d.manifest.kind, name: d.manifest.name, file: d.manifest.file },
    field: d.field,
    expected: d.expected ?? null,
    actual: d.actual ?? null,
    message: d.message,
  };
}

function actionJson(a: Action): Record<string, unknown> {
  return {
    id: a.id,
    type: a.type,
    phase: a.phase,
    driftIds: [...a.driftIds],
    resource: resourceJson(a.resource),
    params: a.params,
  };
}

function resultJson(r: ActionResult): Record<string, JsonValue> {
  return { actionId: r.actionId, status: r.status, error: r.error ?? null };
}

/** The §3 document as a plain object (key order as in the contract). */
export function toJsonDocument(report: Plan | ApplyReport): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    formatVersion: report.formatVersion,
    mode: report.mode,
    runId: report.runId,
    manifestRevision: report.manifestRevision,
    drift: report.drift.map(driftJson),
    actions: report.actions.map(actionJson),
    summary: {
      drift: report.summary.drift,
      auto: report.summary.auto,
      manual: report.summary.manual,
      actions: report.summary.actions,
    },
  };
  if (isApplyReport(report)) {
    doc.results = report.results.map(resultJson);
    doc.remaining = report.remaining.map(driftJson);
  }
  return doc;
}

/** Two-space indented JSON with a trailing newline. */
export function renderJson(report: Plan | ApplyReport): string {
  return `${JSON.stringify(toJsonDocument(report), null, 2)}\n`;
}
