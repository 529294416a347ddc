/**
 * cfn-lint on infra-sam/template.yaml: no errors, no warnings, not even informational findings,
 * and no rule ignored (the template carries no cfn-lint metadata).
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cfnLint } from "./cfn-lint";
import { TEMPLATE_FILE } from "./template";

const LINT_TIMEOUT_MS = 120_000;
const scratch: string[] = [];

afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

async function lintVariant(edit: (text: string) => string) {
  const dir = await mkdtemp(join(tmpdir(), "efsr-lint-"));
  scratch.push(dir);
  const file = join(dir, "template.yaml");
  await writeFile(file, edit(await readFile(TEMPLATE_FILE, "utf8")));
  return cfnLint(file);
}

describe("infra-sam/template.yaml", () => {
  it(
    "passes cfn-lint with no findings at any level",
    async () => {
      const findings = await cfnLint(TEMPLATE_FILE);
      expect(findings.map((f) => `${f.Rule.Id} line ${f.Location.Start.LineNumber}: ${f.Message}`)).toEqual(
        [],
      );
    },
    LINT_TIMEOUT_MS,
  );

  it("ignores no cfn-lint rule", async () => {
    const text = await readFile(TEMPLATE_FILE, "utf8");
    expect(text).not.toMatch(/cfn-lint|cfn_lint|ignore_checks/i);
  });

  it(
    "the lint can fail: a deprecated runtime and a bad reference are reported",
    async () => {
      const findings = await lintVariant((t) =>
        t
          .replace("Runtime: nodejs22.x", "Runtime: nodejs20.x")
          .replace("!Ref PlanLogGroup", "!Ref NoSuchLogGroup"),
      );
      const rules = new Set(findings.map((f) => f.Rule.Id));
      expect(rules).toContain("E2533");
      expect([...rules].some((r) => r.startsWith("E1") || r.startsWith("E3"))).toBe(true);
    },
    LINT_TIMEOUT_MS,
  );
});
