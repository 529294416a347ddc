import { describe, it } from "vitest";
import type { ApplyReport, Plan } from "../../../src/plan/types";
import { renderJson } from "../../../src/render/json";
import { renderMarkdown } from "../../../src/render/markdown";
import { renderText } from "../../../src/render/text";
import { emptyPlan, failedApply, fullPlan, manualOnlyPlan } from "../../fixtures/plans";
import { expectGolden } from "./golden";

const REPORTS: [string, Plan | ApplyReport][] = [
  ["plan-full", fullPlan],
  ["plan-empty", emptyPlan],
  ["plan-manual-only", manualOnlyPlan],
  ["apply-failed", failedApply],
];

describe.each(REPORTS)("golden rendering of %s", (name, report) => {
  it("text without colour", () => {
    expectGolden(`${name}.txt`, renderText(report, { color: false }));
  });

  it("text with colour", () => {
    expectGolden(`${name}.color.txt`, renderText(report, { color: true }));
  });

  it("markdown", () => {
    expectGolden(`${name}.md`, renderMarkdown(report));
  });

  it("json", () => {
    expectGolden(`${name}.json`, renderJson(report));
  });
});
