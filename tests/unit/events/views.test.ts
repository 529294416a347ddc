import { describe, expect, it } from "vitest";
import { deriveRunLifecycle } from "../../../src/events/derive-events";
import { escapeHtml } from "../../../src/events/escape-html";
import { selectEvents } from "../../../src/events/filter-events";
import { nextRecord } from "../../../src/events/next-record";
import { parseSince, SinceFormatError } from "../../../src/events/parse-since";
import {
  eventsMarkdown,
  eventsText,
  statusJson,
  statusMarkdown,
  statusText,
} from "../../../src/events/render-record";
import { renderHtmlReport } from "../../../src/events/report-html";
import { buildReportModel, formatDuration } from "../../../src/events/report-model";
import type { DriftEvent } from "../../../src/events/types";
import { actionFor, driftOf, FN_REF, FS_REF, planOf, reportOf } from "./fixtures";

const fsDrift = driftOf("FS_LIFECYCLE_POLICY", "fs-0abc");
const fnDrift = driftOf("FN_TIMEOUT", "inference", FN_REF);

function eventsAt(runId: string, now: string, drift = [fsDrift, fnDrift]): DriftEvent[] {
  return deriveRunLifecycle([], { plan: planOf(runId, "dry-run", drift) }, { startedAt: now, now }).events;
}

describe("selectEvents", () => {
  const all = [...eventsAt("r1", "2026-11-27T04:00:00.000Z"), ...eventsAt("r2", "2026-11-28T04:00:00.000Z")];

  it.each([
    ["no filter", {}, ["r2 FN_TIMEOUT", "r2 FS_LIFECYCLE_POLICY", "r1 FN_TIMEOUT", "r1 FS_LIFECYCLE_POLICY"]],
    ["since", { since: new Date("2026-11-28T00:00:00Z") }, ["r2 FN_TIMEOUT", "r2 FS_LIFECYCLE_POLICY"]],
    ["code", { code: "FN_TIMEOUT" as const }, ["r2 FN_TIMEOUT", "r1 FN_TIMEOUT"]],
    ["resource id", { resource: "fs-0abc" }, ["r2 FS_LIFECYCLE_POLICY", "r1 FS_LIFECYCLE_POLICY"]],
    ["manifest object", { resource: "LambdaFunction/inference" }, ["r2 FN_TIMEOUT", "r1 FN_TIMEOUT"]],
    ["run", { runId: "r1" }, ["r1 FN_TIMEOUT", "r1 FS_LIFECYCLE_POLICY"]],
    ["all at once", { runId: "r1", code: "FN_TIMEOUT" as const, resource: "inference" }, ["r1 FN_TIMEOUT"]],
  ])("filters by %s, newest first", (_name, filter, expected) => {
    const got = selectEvents(all, filter);
    expect(got.map((e) => `${e.runId} ${e.drift.code}`).sort()).toEqual([...expected].sort());
    const times = got.map((e) => e.time);
    expect(times).toEqual([...times].sort().reverse());
  });

  it("lists a later lifecycle step of one recording first", () => {
    const fix = actionFor([fsDrift]);
    const plan = planOf("r3", "apply", [fsDrift], [fix]);
    const clock = { startedAt: "2026-11-28T05:00:00.000Z", now: "2026-11-28T05:00:00.000Z" };
    const { events } = deriveRunLifecycle([], { plan, report: reportOf(plan, {}, []) }, clock);
    expect(selectEvents(events).map((e) => e.type)).toEqual(["DriftRemediated", "DriftDetected"]);
  });
});

describe("parseSince", () => {
  const now = new Date("2026-11-28T12:00:00.000Z");
  it.each([
    ["24h", "2026-11-27T12:00:00.000Z"],
    ["90m", "2026-11-28T10:30:00.000Z"],
    ["7d", "2026-11-21T12:00:00.000Z"],
    ["2w", "2026-11-14T12:00:00.000Z"],
    ["30s", "2026-11-28T11:59:30.000Z"],
    ["2026-11-28T04:00:00Z", "2026-11-28T04:00:00.000Z"],
    ["2026-11-01", "2026-11-01T00:00:00.000Z"],
    // Without a zone, UTC (as every time efs-reconciler prints), whatever the machine's zone.
    ["2026-11-28T04:00", "2026-11-28T04:00:00.000Z"],
    ["2026-11-28 04:00:30", "2026-11-28T04:00:30.000Z"],
    ["2026-11-28T04:00:00+02:00", "2026-11-28T02:00:00.000Z"],
  ])("reads %s", (value, expected) => {
    expect(parseSince(value, now).toISOString()).toBe(expected);
  });

  it("reads a time without a zone as UTC in a machine set to another zone", () => {
    const zone = process.env.TZ;
    try {
      for (const tz of ["America/New_York", "Asia/Tokyo"]) {
        process.env.TZ = tz;
        expect(parseSince("2026-11-28T04:00", now).toISOString(), tz).toBe("2026-11-28T04:00:00.000Z");
      }
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it.each(["yesterday", "24", "5y", "2026-13-45", "2026-02-30", "2026-11-31T00:00Z"])(
    "refuses %s with an example of what works",
    (value) => {
      expect(() => parseSince(value, now)).toThrow(SinceFormatError);
      expect(() => parseSince(value, now)).toThrow(/24h/);
    },
  );
});

describe("status and events as text and JSON", () => {
  const first = nextRecord(
    undefined,
    { plan: planOf("r1", "dry-run", [fnDrift]), objects: [FS_REF, FN_REF] },
    "2026-11-28T04:00:00.123Z",
  );

  it("prints one row per object with the KIND NAME IN-SYNC DRIFT LAST-RECONCILED columns", () => {
    const text = statusText(first.status, "./.efs-reconciler", { color: false });
    const lines = text.split("\n");
    expect(lines[0]?.split(/\s{2,}/)).toEqual(["KIND", "NAME", "IN-SYNC", "DRIFT", "LAST-RECONCILED"]);
    expect(lines[1]?.split(/\s{2,}/)).toEqual([
      "FileSystem",
      "ml-models",
      "yes",
      "-",
      "2026-11-28T04:00:00Z",
    ]);
    expect(lines[2]?.split(/\s{2,}/)).toEqual([
      "LambdaFunction",
      "inference",
      "no",
      "1 (FN_TIMEOUT)",
      "2026-11-28T04:00:00Z",
    ]);
    expect(text).toContain("1 of 2 objects in sync; last run r1 (dry-run, planned)");
  });

  it("says how to get a status when none is recorded", () => {
    expect(statusText(undefined, "/tmp/x", { color: false })).toBe(
      "No runs recorded in /tmp/x yet: run efs-reconciler plan or apply first.\n",
    );
    expect(JSON.parse(statusJson(undefined))).toMatchObject({ lastRun: null, objects: [] });
  });

  it("prints the status document as JSON without the internal baseline", () => {
    const doc = JSON.parse(statusJson(first.status)) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual([
      "formatVersion",
      "lastRun",
      "summary",
      "objects",
      "openDrift",
      "history",
    ]);
    expect(doc.summary).toEqual({ objects: 2, inSync: 1, openDrift: 1 });
  });

  it("prints events as a table", () => {
    const lines = eventsText(first.events, { color: false }).trimEnd().split("\n");
    expect(lines[0]?.split(/\s{2,}/)).toEqual([
      "TIME",
      "TYPE",
      "CODE",
      "SEVERITY",
      "RESOURCE",
      "OBJECT",
      "RUN",
    ]);
    expect(lines[1]?.split(/\s{2,}/)).toEqual([
      "2026-11-28T04:00:00Z",
      "DriftDetected",
      "FN_TIMEOUT",
      "medium",
      "inference",
      "LambdaFunction/inference",
      "r1",
    ]);
    expect(eventsText([], { color: false })).toBe("No drift events match.\n");
  });

  it("prints status and events as Markdown tables", () => {
    expect(statusMarkdown(first.status, "./.efs-reconciler").split("\n")).toEqual([
      "**1 of 2 objects in sync**; last run `r1` (dry-run, planned) at 2026-11-28T04:00:00Z, manifest revision `rev-r1`.",
      "",
      "| Kind | Name | In sync | Drift | Last reconciled |",
      "|---|---|---|---|---|",
      "| FileSystem | `ml-models` | ✅ yes | — | 2026-11-28T04:00:00Z |",
      "| LambdaFunction | `inference` | ❌ no | 1 (`FN_TIMEOUT`) | 2026-11-28T04:00:00Z |",
      "",
    ]);
    expect(statusMarkdown(undefined, "/tmp/x")).toBe(
      "No runs recorded in /tmp/x yet: run efs-reconciler plan or apply first.\n",
    );
    expect(eventsMarkdown(first.events).split("\n")).toEqual([
      "| Time | Type | Code | Severity | Resource | Object | Run |",
      "|---|---|---|---|---|---|---|",
      "| 2026-11-28T04:00:00Z | DriftDetected | `FN_TIMEOUT` | medium | `inference` | LambdaFunction/inference | `r1` |",
      "",
    ]);
    expect(eventsMarkdown([])).toBe("No drift events match.\n");
  });
});

describe("the HTML report", () => {
  it("escapes every string of the record", () => {
    const evil = {
      ...fnDrift,
      message: `<script>alert("x")</script>`,
      resource: { ...fnDrift.resource, id: "a&b" },
    };
    const { status, events } = nextRecord(
      undefined,
      { plan: planOf(`r"1<`, "dry-run", [evil]), objects: [{ ...FN_REF, name: "<b>fn</b>" }] },
      "2026-11-28T04:00:00.000Z",
    );
    const html = renderHtmlReport(buildReportModel(status, events, "2026-11-28T05:00:00.000Z"));
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<b>fn</b>");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain("a&amp;b");
    expect(html).toContain("r&quot;1&lt;");
    expect(html).not.toMatch(/(src|href)=|<link|<script|@import|url\(/);
  });

  it("computes the mean time to remediate per code", () => {
    const times = [60, 180, 600];
    const events = times.map((t, i) => {
      const fix = actionFor([fsDrift]);
      const plan = planOf(`r${i}`, "apply", [fsDrift], [fix]);
      const start = Date.parse("2026-11-28T00:00:00.000Z") + i * 86_400_000;
      return deriveRunLifecycle(
        [],
        { plan, report: reportOf(plan, {}, []) },
        { startedAt: new Date(start).toISOString(), now: new Date(start + t * 1000).toISOString() },
      ).events;
    });
    const model = buildReportModel(undefined, events.flat(), "now");
    expect(model.remediationTimes).toEqual([
      { code: "FS_LIFECYCLE_POLICY", remediations: 3, meanSeconds: 280, longestSeconds: 600 },
    ]);
  });

  it.each([
    [45, "45 s"],
    [200, "3 min 20 s"],
    [7500, "2 h 5 min"],
    [97200, "1 d 3 h"],
  ])("formats %d seconds as %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it("escapes the five HTML-significant characters", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});
