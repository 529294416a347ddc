import { describe, expect, it } from "vitest";
import { renderJson } from "../../../src/render/json";
import { emptyPlan, failedApply, fullPlan } from "../../fixtures/plans";

/** The keys of contract §3, in its order. */
const TOP_KEYS = ["formatVersion", "mode", "runId", "manifestRevision", "drift", "actions", "summary"];
const DRIFT_KEYS = [
  "id",
  "code",
  "severity",
  "remediation",
  "resource",
  "manifest",
  "field",
  "expected",
  "actual",
  "message",
];
const ACTION_KEYS = ["id", "type", "phase", "driftIds", "resource", "params"];
const SUMMARY_KEYS = ["drift", "auto", "manual", "actions"];
const RESULT_KEYS = ["actionId", "status", "error"];

type Doc = Record<string, unknown> & {
  drift: Record<string, unknown>[];
  actions: Record<string, unknown>[];
  summary: Record<string, unknown>;
  results?: Record<string, unknown>[];
  remaining?: Record<string, unknown>[];
};

function parse(text: string): Doc {
  return JSON.parse(text) as Doc;
}

describe("renderJson", () => {
  it("prints the plan document of §3 with exactly its keys, in order", () => {
    const doc = parse(renderJson(fullPlan));
    expect(Object.keys(doc)).toEqual(TOP_KEYS);
    expect(doc.drift).toHaveLength(16);
    for (const d of doc.drift) {
      expect(Object.keys(d)).toEqual(DRIFT_KEYS);
      expect(Object.keys(d.resource as object)).toEqual(["type", "id"]);
      expect(Object.keys(d.manifest as object)).toEqual(["kind", "name", "file"]);
    }
    expect(doc.actions).toHaveLength(15);
    for (const a of doc.actions) {
      expect(Object.keys(a)).toEqual(ACTION_KEYS);
      expect(Object.keys(a.resource as object)).toEqual(["type", "id"]);
    }
    expect(Object.keys(doc.summary)).toEqual(SUMMARY_KEYS);
    expect(doc).toMatchObject({ formatVersion: "1", mode: "dry-run", runId: fullPlan.runId });
  });

  it("keeps every value of the plan (action params verbatim, no description)", () => {
    const doc = parse(renderJson(fullPlan));
    expect(doc.drift).toEqual(fullPlan.drift);
    expect(doc.actions).toEqual(
      fullPlan.actions.map(({ description: _description, ...rest }) => ({
        id: rest.id,
        type: rest.type,
        phase: rest.phase,
        driftIds: rest.driftIds,
        resource: rest.resource,
        params: rest.params,
      })),
    );
    expect(doc.summary).toEqual(fullPlan.summary);
  });

  it("adds results and remaining for an apply report", () => {
    const doc = parse(renderJson(failedApply));
    expect(Object.keys(doc)).toEqual([...TOP_KEYS, "results", "remaining"]);
    expect(doc.mode).toBe("apply");
    for (const r of doc.results ?? []) expect(Object.keys(r)).toEqual(RESULT_KEYS);
    for (const d of doc.remaining ?? []) expect(Object.keys(d)).toEqual(DRIFT_KEYS);
    expect(doc.results).toEqual(failedApply.results);
    expect(doc.remaining).toEqual(failedApply.remaining);
  });

  it("is two-space indented with a trailing newline", () => {
    const text = renderJson(emptyPlan);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.split("\n")[1]).toBe('  "formatVersion": "1",');
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  });
});
