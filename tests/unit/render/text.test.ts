import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import type { Action, ActionSpec, ApplyReport, Plan } from "../../../src/plan/types";
import { renderMarkdown } from "../../../src/render/markdown";
import { renderText } from "../../../src/render/text";
import { unchangedReport } from "../../../src/statemachine/apply-report";
import {
  emptyPlan,
  failedApply,
  fullActions,
  fullDrift,
  fullPlan,
  manualOnlyPlan,
} from "../../fixtures/plans";

const plain = (report: Plan | ApplyReport) => renderText(report, { color: false });

function legendOf(text: string): string[] {
  const lines = text.split("\n");
  const start = lines.indexOf("Symbols:");
  if (start < 0) return [];
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line === "") break;
    out.push(line.trim().split(/\s+/)[0] ?? "");
  }
  return out;
}

function planWith(actions: Action[]): Plan {
  return {
    ...emptyPlan,
    drift: [],
    actions,
    summary: { drift: 0, auto: 0, manual: 0, actions: actions.length },
  };
}

function action(spec: ActionSpec, phase: 1 | 2 | 3 = 1): Action {
  return {
    ...spec,
    id: `id-${spec.type}`,
    phase,
    driftIds: [],
    resource: { type: "AWS::EFS::FileSystem", id: "fs-1" },
    description: spec.type,
  } as Action;
}

describe("renderText", () => {
  it("a refused apply says it changed nothing, in text and in markdown", () => {
    const reason = "the plan has 9 actions, more than --max-changes 2; nothing was changed";
    const report = unchangedReport(fullPlan, reason);
    const text = renderText(report, { color: false, refused: reason });
    expect(text).toContain(
      "efs-reconciler refused to apply and changed nothing; it would take these actions",
    );
    expect(text).toContain("Drift that remains (nothing was changed):");
    expect(text.trimEnd().split("\n").at(-1)).toBe(`Apply refused: ${reason}`);
    expect(text).not.toContain("took these actions");
    expect(text).not.toContain("Run apply again");
    const markdown = renderMarkdown(report, reason);
    expect(markdown).toContain(`**Apply refused: ${reason}**`);
    expect(markdown).not.toContain("Run apply again");
  });

  it("says exactly that nothing changes when there is no drift and no action", () => {
    const text = plain(emptyPlan);
    expect(text.split("\n")).toContain("No changes. Your infrastructure matches the manifests.");
    expect(text).not.toContain("Symbols:");
    expect(text).not.toContain("Plan:");
  });

  it("lists in the legend only the symbols the report uses", () => {
    expect(legendOf(plain(fullPlan))).toEqual(["+", "~", "-", "-/+", "!"]);
    expect(legendOf(plain(manualOnlyPlan))).toEqual(["!"]);
    expect(legendOf(plain(failedApply))).toEqual(["+", "~", "-", "!"]);
    expect(legendOf(plain(emptyPlan))).toEqual([]);
  });

  it.each([
    ["CreateMountTarget", "+"],
    ["CreateAccessPoint", "+"],
    ["AuthorizeIngress", "+"],
    ["AuthorizeEgress", "+"],
    ["DeleteAccessPoint", "-"],
    ["RevokeIngress", "-"],
    ["AddMountTargetSecurityGroup", "~"],
    ["TagAccessPoint", "~"],
    ["PutLifecycleConfiguration", "~"],
    ["PutBackupPolicy", "~"],
    ["UpdateThroughputMode", "~"],
    ["UpdateFunctionConfiguration", "~"],
    ["UpdateFunctionFileSystem", "~"],
  ])("shows %s as %s", (type, symbol) => {
    const source = fullActions.find(
      (a) => a.type === type && a.id !== "de1f8091a2b3c4d5" && a.id !== "78b92a3b4c5d6e7f",
    );
    const spec = source ?? fullActions.find((a) => a.type === type)!;
    const text = plain(planWith([action({ type: spec.type, params: spec.params } as ActionSpec)]));
    expect(text).toContain(`\n  ${symbol.padEnd(3)} AWS::EFS::FileSystem fs-1: ${type}\n`);
    expect(legendOf(text)).toEqual([symbol]);
  });

  it("shows both halves of an access-point replacement as -/+ in their own phases", () => {
    const text = plain(fullPlan);
    expect(text).toContain(
      "  -/+ AWS::EFS::AccessPoint fs-0a1b2c3d4e5f60789/lambda: create access point lambda (uid 1000, gid 1000, /lambda, 0755) (replaces fsap-0c1d2e3f4a5b6c7d8)",
    );
    expect(text).toContain(
      "  -/+ AWS::EFS::AccessPoint fsap-0c1d2e3f4a5b6c7d8: delete the replaced access point (uid 0, gid 0) (replaced by fs-0a1b2c3d4e5f60789/lambda)",
    );
    // The orphan is a plain destroy.
    expect(text).toContain(
      "  -   AWS::EFS::AccessPoint fsap-0f0e0d0c0b0a09080: delete orphaned access point",
    );
    const phase1 = text.indexOf("Phase 1 of 3, make");
    const phase3 = text.indexOf("Phase 3 of 3, break");
    expect(text.indexOf("(replaces fsap-0c1d2e3f4a5b6c7d8)")).toBeGreaterThan(phase1);
    expect(text.indexOf("(replaces fsap-0c1d2e3f4a5b6c7d8)")).toBeLessThan(phase3);
    expect(text.indexOf("(replaced by fs-0a1b2c3d4e5f60789/lambda)")).toBeGreaterThan(phase3);
  });

  it("prints the phases in order, make before break", () => {
    const text = plain(fullPlan);
    const positions = ["Phase 1 of 3, make", "Phase 2 of 3, repoint", "Phase 3 of 3, break"].map((h) =>
      text.indexOf(h),
    );
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("follows each action line with one # reason line per drift it fixes, explaining each drift once", () => {
    const lines = plain(fullPlan).split("\n");
    const i = lines.findIndex((l) => l.includes("suplementia-search: mount the new lambda access point"));
    expect(lines[i + 1]).toBe(`        # FN_FILE_SYSTEM_CONFIG: ${fullDrift.searchMount.message}`);
    // The replacement's drift was explained under its CreateAccessPoint in phase 1.
    expect(lines[i + 2]).toBe("        # part of the fix for AP_POSIX_USER (explained above)");
    expect(lines[i + 3]).toMatch(/^ {2}\S/);
    expect(lines.filter((l) => l === `        # AP_POSIX_USER: ${fullDrift.posixUser.message}`)).toHaveLength(
      1,
    );
  });

  it("lists manual drift with severity, most severe first, and ends with the summary line", () => {
    const text = plain(fullPlan);
    const manual = text.slice(text.indexOf("Manual drift:"));
    const order = ["FN_NOT_IN_VPC, critical", "FS_PERFORMANCE_MODE, medium", "FN_TIMEOUT, medium"].map((s) =>
      manual.indexOf(s),
    );
    expect(order.every((p) => p > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text.trimEnd().split("\n").at(-1)).toBe(
      "Plan: 4 to create, 8 to change, 3 to destroy (1 replacement); 3 manual drift items.",
    );
  });

  it("adds per-action results, the remaining drift and a final line for an apply report", () => {
    const text = plain(failedApply);
    expect(text.match(/✓ succeeded/g)).toHaveLength(3);
    expect(text).toContain(
      "✗ failed: ResourceConflictException: The operation cannot be performed at this time.",
    );
    expect(text).toContain("↷ skipped: phase 2 failed: nothing is revoked or deleted");
    expect(text).toContain("FN_NOT_IN_VPC, critical, manual");
    expect(text.trimEnd().split("\n").at(-1)).toBe(
      "Apply failed: 3 succeeded, 1 failed, 1 skipped; 3 drift items remain. Fix the cause of the failed action and run apply again.",
    );
  });

  it("ends a successful apply that left only manual drift accordingly", () => {
    const report: ApplyReport = {
      ...failedApply,
      results: failedApply.results.map((r) => ({ ...r, status: "succeeded", error: null })),
      remaining: [fullDrift.notInVpc],
    };
    expect(plain(report).trimEnd().split("\n").at(-1)).toBe(
      "Apply complete: 5 actions succeeded; 1 manual drift item remains for a person to resolve.",
    );
  });

  it("ends a fully converged apply with the matching line", () => {
    const report: ApplyReport = {
      ...failedApply,
      results: failedApply.results.map((r) => ({ ...r, status: "succeeded", error: null })),
      remaining: [],
    };
    const text = plain(report);
    expect(text.trimEnd().split("\n").at(-1)).toBe(
      "Apply complete: 5 actions succeeded. Your infrastructure matches the manifests.",
    );
    expect(legendOf(text)).not.toContain("!");
  });

  it("uses ANSI colour only when asked, and colour changes nothing but escapes", () => {
    for (const report of [fullPlan, emptyPlan, failedApply]) {
      const colored = renderText(report, { color: true });
      const uncolored = plain(report);
      expect(uncolored).not.toContain("\u001b[");
      expect(colored).toContain("\u001b[");
      expect(stripVTControlCharacters(colored)).toBe(uncolored);
    }
  });
});
