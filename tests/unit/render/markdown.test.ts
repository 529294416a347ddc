import { describe, expect, it } from "vitest";
import type { Plan } from "../../../src/plan/types";
import { renderMarkdown } from "../../../src/render/markdown";
import { emptyPlan, failedApply, fullDrift, fullPlan } from "../../fixtures/plans";

function tableRows(md: string, header: string): string[] {
  const lines = md.split("\n");
  const start = lines.indexOf(header);
  expect(start, `table "${header}"`).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line);
  }
  return rows;
}

describe("renderMarkdown", () => {
  it("has a heading, the summary line and a summary table", () => {
    const md = renderMarkdown(fullPlan);
    expect(md.startsWith("## efs-reconciler plan (dry-run)\n")).toBe(true);
    expect(md).toContain(
      "**Plan: 4 to create, 8 to change, 3 to destroy (1 replacement); 3 manual drift items.**",
    );
    expect(tableRows(md, "| Drift | Auto | Manual | Actions | Create | Change | Destroy |")).toEqual([
      "| 16 | 13 | 3 | 15 | 4 | 8 | 3 |",
    ]);
  });

  it("tables every drift item with severity, code, resource and message, most severe first", () => {
    const md = renderMarkdown(fullPlan);
    const rows = tableRows(md, "| Severity | Code | Resource | Manifest | Remediation | Message |");
    expect(rows).toHaveLength(fullPlan.drift.length);
    expect(rows[0]).toContain("🔴 critical");
    expect(rows.at(-1)).toContain("⚪ low");
    expect(md).toContain("<details>\n<summary>Expected and actual values</summary>");
  });

  it("lists the actions phase by phase", () => {
    const md = renderMarkdown(fullPlan);
    const phases = ["**Phase 1, make**", "**Phase 2, repoint**", "**Phase 3, break**"].map((p) =>
      md.indexOf(p),
    );
    expect(phases.every((p) => p > 0)).toBe(true);
    expect([...phases].sort((a, b) => a - b)).toEqual(phases);
    const actionRows = md.split("\n").filter((l) => /^\| `(\+|~|-|-\/\+)` \|/.test(l));
    expect(actionRows).toHaveLength(fullPlan.actions.length);
  });

  it("adds a result column and the remaining drift for an apply report", () => {
    const md = renderMarkdown(failedApply);
    expect(md).toContain("| Result |");
    expect(md).toContain("❌ failed: ResourceConflictException");
    expect(md).toContain("⏭️ skipped: phase 2 failed");
    expect(md).toContain("### Remaining drift (3)");
  });

  it("says there are no changes for an empty plan", () => {
    expect(renderMarkdown(emptyPlan)).toContain("**No changes. Your infrastructure matches the manifests.**");
  });

  it("keeps table cells intact when a message holds pipes, newlines or HTML", () => {
    const plan: Plan = {
      ...emptyPlan,
      drift: [{ ...fullDrift.notInVpc, message: "a | b\nc <script>" }],
      summary: { drift: 1, auto: 0, manual: 1, actions: 0 },
    };
    const md = renderMarkdown(plan);
    const [row] = tableRows(md, "| Severity | Code | Resource | Manifest | Remediation | Message |");
    expect(row).toContain("a \\| b<br>c &lt;script&gt;");
    expect(md).not.toContain("<script>");
  });

  it("never contains ANSI escapes", () => {
    for (const r of [fullPlan, emptyPlan, failedApply]) expect(renderMarkdown(r)).not.toContain("\u001b[");
  });
});
