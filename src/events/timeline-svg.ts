/**
 * The report's timeline: an inline SVG line chart of drift found vs remediated, one point per
 * run per series, oldest run on the left. Pure; every string is escaped.
 */
import { escapeHtml } from "./escape-html";
import type { TimelinePoint } from "./report-model";

const WIDTH = 760;
const HEIGHT = 260;
const MARGIN = { top: 16, right: 44, bottom: 44, left: 48 };
const MAX_LABELS = 8;

interface Series {
  key: "found" | "remediated";
  label: string;
  className: string;
}

export const TIMELINE_SERIES: Series[] = [
  { key: "found", label: "drift found (new or still open)", className: "found" },
  { key: "remediated", label: "remediated", className: "remediated" },
];

/** A tick step of 1, 2 or 5 × 10ⁿ giving at most 5 intervals. */
function tickStep(max: number): number {
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 5, 10]) if (m * magnitude >= raw) return m * magnitude;
  return 10 * magnitude;
}

function label(iso: string): string {
  // `11-28 04:30` (UTC): short enough to sit under a point.
  return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

export function timelineSvg(points: readonly TimelinePoint[]): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const max = Math.max(1, ...points.map((p) => Math.max(p.found, p.remediated)));
  const step = tickStep(max);
  const top = Math.ceil(max / step) * step;
  const x = (i: number): number =>
    MARGIN.left + (points.length === 1 ? plotW / 2 : (i * plotW) / (points.length - 1));
  const y = (v: number): number => MARGIN.top + plotH - (v / top) * plotH;
  const f = (n: number): string => n.toFixed(1);

  const parts: string[] = [];
  for (let v = 0; v <= top; v += step) {
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${f(y(v))}" y2="${f(y(v))}"/>`,
      `<text class="tick" x="${MARGIN.left - 8}" y="${f(y(v) + 4)}" text-anchor="end">${v}</text>`,
    );
  }
  const every = Math.max(1, Math.ceil(points.length / MAX_LABELS));
  points.forEach((p, i) => {
    if (i % every !== 0 && i !== points.length - 1) return;
    parts.push(
      `<text class="run-label" x="${f(x(i))}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${escapeHtml(label(p.at))}</text>`,
    );
  });
  for (const s of TIMELINE_SERIES) {
    const coords = points.map((p, i) => `${f(x(i))},${f(y(p[s.key]))}`).join(" ");
    if (points.length > 1) parts.push(`<polyline class="series ${s.className}" points="${coords}"/>`);
    points.forEach((p, i) => {
      const title = `run ${p.runId} (${p.mode}, ${p.at}): ${p[s.key]} ${s.label}`;
      parts.push(
        `<circle class="point ${s.className}" data-run="${escapeHtml(p.runId)}" data-value="${p[s.key]}" cx="${f(x(i))}" cy="${f(y(p[s.key]))}" r="4"><title>${escapeHtml(title)}</title></circle>`,
      );
    });
  }
  const axis = `<line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${f(y(0))}" y2="${f(y(0))}"/>`;
  const caption = `<text class="axis-title" x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle">runs (UTC), oldest first</text>`;
  return `<svg id="timeline-chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="drift found and remediated per run, ${points.length} runs">${parts.join("")}${axis}${caption}</svg>`;
}
