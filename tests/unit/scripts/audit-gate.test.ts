/**
 * The CI's dependency gate (scripts/audit-gate.mjs, run by .ci/run) on `npm audit --json` outputs:
 * real findings fail, lesser ones and a clean report pass, and a registry without the audit
 * service is a loud warning. `registry-405.stdout` is what npm 11 printed against this
 * workplace's registry; the reports follow npm 11's format (`auditReportVersion` 2) with the
 * titles and URLs of public advisories.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../../..");
const SCRIPT = join(ROOT, "scripts/audit-gate.mjs");
const fixture = (name: string) => join(ROOT, "tests/fixtures/npm-audit", name);

function gate(args: string[], input?: string) {
  const run = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: "utf8", input });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("npm audit gate", () => {
  it("fails on a high advisory in production dependencies, naming the package and the advisory", () => {
    const run = gate(["--exit-code", "1", fixture("high.stdout")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "npm audit: 1 high or critical advisory in production dependencies: " +
        "axios (high): Server-Side Request Forgery in axios https://github.com/advisories/GHSA-8hc4-vh64-cxmj\n",
    );
    expect(run.stdout).toBe("");
  });

  it("lists every high or critical advisory once, on one line, and none of the moderate ones", () => {
    const report = JSON.parse(readFileSync(fixture("high.stdout"), "utf8"));
    report.vulnerabilities.micromatch.severity = "critical";
    report.vulnerabilities.micromatch.via[0].severity = "critical";
    report.vulnerabilities.axios.via.push({ ...report.vulnerabilities.axios.via[0] });
    const run = gate(["--exit-code", "1"], JSON.stringify(report));
    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^npm audit: 2 high or critical advisories in production dependencies: /);
    expect(lines[0]).toContain("axios (high): Server-Side Request Forgery in axios");
    expect(lines[0]).toContain(
      "micromatch (critical): Regular Expression Denial of Service (ReDoS) in micromatch",
    );
  });

  it("passes a report with only moderate advisories", () => {
    const run = gate(["--exit-code", "0", fixture("moderate-only.stdout")]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("npm audit: no high or critical advisories in production dependencies\n");
  });

  it("passes a clean report, read from stdin", () => {
    const run = gate(["--exit-code", "0"], readFileSync(fixture("clean.stdout"), "utf8"));
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("npm audit: no high or critical advisories in production dependencies\n");
    expect(run.stderr).toBe("");
  });

  it("warns loudly and passes when the registry has no audit service (HTTP 405)", () => {
    const run = gate(["--exit-code", "1", fixture("registry-405.stdout")]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "WARNING: npm audit NOT CHECKED: the registry's audit service is unavailable " +
        "(405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk; npm audit exited 1)\n",
    );
  });

  it("fails a report that names no advisory but counts high ones or came with a failing exit code", () => {
    const report = JSON.parse(readFileSync(fixture("clean.stdout"), "utf8"));
    expect(gate(["--exit-code", "1"], JSON.stringify(report)).code).toBe(1);
    report.metadata.vulnerabilities.high = 1;
    const run = gate(["--exit-code", "0"], JSON.stringify(report));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the report counts 1 high or critical vulnerabilities/);
  });
});
