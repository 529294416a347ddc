/**
 * What the HTML report shows, computed from the record: current status, open drift by
 * severity, drift found vs remediated per run, and mean time to remediate per code. Pure.
 */
import type { Severity } from "../plan/types";
import { isInSync } from "./compute-status";
import type { DriftEvent, ObjectStatus, OpenDrift, RunInfo, StatusDocument } from "./types";

export const SEVERITIES: Severity[] = ["critical", "high", "medium", "low"];

export interface TimelinePoint {
  runId: string;
  mode: string;
  at: string;
  /** Drift items the run found: new ones plus those still open from before. */
  found: number;
  remediated: number;
}

export interface RemediationTime {
  code: string;
  remediations: number;
  meanSeconds: number;
  longestSeconds: number;
}

export interface ReportModel {
  generatedAt: string;
  lastRun?: RunInfo;
  objects: ObjectStatus[];
  inSync: number;
  openBySeverity: { severity: Severity; drift: OpenDrift[] }[];
  timeline: TimelinePoint[];
  remediationTimes: RemediationTime[];
  /** The latest events, newest first. */
  recentEvents: DriftEvent[];
  totalEvents: number;
}

export const RECENT_EVENTS = 50;

export function buildReportModel(
  status: StatusDocument | undefined,
  events: readonly DriftEvent[],
  generatedAt: string,
): ReportModel {
  const open = status?.openDrift ?? [];
  const times = new Map<string, number[]>();
  for (const e of events) {
    if (e.type !== "DriftRemediated" || e.timeToRemediateSeconds === undefined) continue;
    const list = times.get(e.drift.code);
    if (list) list.push(e.timeToRemediateSeconds);
    else times.set(e.drift.code, [e.timeToRemediateSeconds]);
  }
  const remediationTimes = [...times.entries()]
    .map(([code, seconds]) => ({
      code,
      remediations: seconds.length,
      meanSeconds: Math.round(seconds.reduce((a, b) => a + b, 0) / seconds.length),
      longestSeconds: Math.max(...seconds),
    }))
    .sort((a, b) => b.meanSeconds - a.meanSeconds || a.code.localeCompare(b.code));
  const objects = status?.objects ?? [];
  return {
    generatedAt,
    ...(status ? { lastRun: status.lastRun } : {}),
    objects,
    inSync: objects.filter(isInSync).length,
    openBySeverity: SEVERITIES.map((severity) => ({
      severity,
      drift: open.filter((o) => o.drift.severity === severity),
    })),
    timeline: (status?.history ?? []).map((h) => ({
      runId: h.runId,
      mode: h.mode,
      at: h.recordedAt,
      found: h.detected + h.persisting,
      remediated: h.remediated,
    })),
    remediationTimes,
    recentEvents: [...events].slice(0, RECENT_EVENTS),
    totalEvents: events.length,
  };
}

/** `45 s`, `3 min 20 s`, `2 h 5 min`, `1 d 3 h`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3_600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  if (s < 86_400) {
    const m = Math.floor((s % 3_600) / 60);
    return `${Math.floor(s / 3_600)} h${m ? ` ${m} min` : ""}`;
  }
  const h = Math.floor((s % 86_400) / 3_600);
  return `${Math.floor(s / 86_400)} d${h ? ` ${h} h` : ""}`;
}
