/**
 * Partial failure: one action failing terminally (the emulator denies exactly one call, keyed on
 * operation and resource) leaves every other action done, the run says so (apply exit 1, the failed
 * result with its error, the execution FAILED, a `RemediationFailed` drift event), nothing is
 * broken meanwhile (make before break), and the next run, with the fault gone, finishes the job.
 */
import { DescribeSecurityGroupRulesCommand } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { DriftEvent } from "../../src/events/types";
import type { ApplyReport, Plan } from "../../src/plan/types";
import { NOT_ATTEMPTED } from "../../src/statemachine/apply-report";
import type { WorkflowResult } from "../../src/statemachine/local-engine";
import { emulatorClients } from "../support/emulator";
import { runCli, runJson } from "./support/cli";
import { convergenceProblems, type DemoFixture, demoState, freshDemo, safetyProblems } from "./support/demo";
import { setFaults } from "./support/faults";

const executions = vi.hoisted(() => [] as WorkflowResult[]);

// How the workflow execution ended is not printed by the command line: keep each result.
vi.mock("../../src/statemachine/local-engine", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/statemachine/local-engine")>();
  return {
    ...original,
    runWorkflow: async (...args: Parameters<typeof original.runWorkflow>) => {
      const result = await original.runWorkflow(...args);
      executions.push(result);
      return result;
    },
  };
});

let fixture: DemoFixture | undefined;

afterEach(async () => {
  await setFaults(null);
  await fixture?.cleanup();
  fixture = undefined;
  executions.length = 0;
});

async function sshRuleId(groupId: string): Promise<string> {
  const out = await emulatorClients().ec2.send(
    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }),
  );
  const rule = out.SecurityGroupRules?.find((r) => !r.IsEgress && r.FromPort === 22);
  if (!rule?.SecurityGroupRuleId) throw new Error("the demo has no SSH rule");
  return rule.SecurityGroupRuleId;
}

function statusByType(report: ApplyReport): string[] {
  const typeOf = new Map(report.actions.map((a) => [a.id, `${a.phase} ${a.type}`]));
  return report.results.map((r) => `${typeOf.get(r.actionId)}: ${r.status}`).sort();
}

/**
 * `apply` on the fixture while the emulator denies `operation` on the resource `match` names (every
 * other call goes through): exit 1, and the report.
 */
async function applyDenying(
  service: "ec2" | "efs",
  operation: string,
  match: string,
): Promise<{ failed: Awaited<ReturnType<typeof runJson<ApplyReport>>>; report: ApplyReport }> {
  if (!fixture) throw new Error("no demo fixture");
  await setFaults({ rules: [{ service, operation, match, error: "accessDenied" }] });
  const failed = await runJson<ApplyReport>("apply", fixture.manifests, fixture.stateDir);
  expect(failed.code).toBe(1);
  return { failed, report: failed.doc };
}

describe("one action failing terminally", () => {
  it("a denied revoke (phase 3): every other action done, the failure reported, the next run finishes", async () => {
    fixture = await freshDemo();
    const { ids, manifests, stateDir } = fixture;
    const ruleId = await sshRuleId(ids.mountTargetSecurityGroupId);
    const { failed, report } = await applyDenying("ec2", "RevokeSecurityGroupIngress", ruleId);
    const revoke = report.actions.find((a) => a.type === "RevokeIngress" && a.params.ruleId === ruleId);
    const failures = report.results.filter((r) => r.status === "failed");
    expect(failures.map((r) => r.actionId)).toEqual([revoke?.id]);
    expect(failures[0]?.error).toMatch(
      new RegExp(
        `^TerminalReconcileError: RevokeIngress on ${ids.mountTargetSecurityGroupId} was denied \\(UnauthorizedOperation: You are not authorized to perform this operation\\. User: \\S+ is not authorized to perform: ec2:RevokeSecurityGroupIngress because no identity-based policy allows the ec2:RevokeSecurityGroupIngress action\\.\\); grant the reconciler's credentials this permission and re-run apply$`,
      ),
    );
    // Every other action was done (or found already done): none failed, none was left out.
    expect(report.results.filter((r) => r.status !== "failed").map((r) => r.error)).toEqual(
      report.results.filter((r) => r.status !== "failed").map(() => null),
    );
    expect(report.results).toHaveLength(report.actions.length);
    expect(report.remaining.filter((d) => d.remediation === "auto").map((d) => [d.code, d.field])).toEqual([
      ["SG_INGRESS_NOT_ALLOWED", `ingress.${ruleId}`],
    ]);
    expect(failed.stderr).not.toMatch(/\n\s+at /); // no stack trace

    // The execution failed, naming the failed action.
    expect(executions.map((e) => [e.status, e.error])).toEqual([["FAILED", "RemediationIncomplete"]]);
    expect(executions[0]?.cause).toContain(`RevokeIngress ${ids.mountTargetSecurityGroupId}`);

    // The drift events apply recorded for this run (read back through `events`): the failed
    // remediation, the others remediated.
    const listed = await runCli([
      "events",
      "--run",
      report.runId,
      "--state-dir",
      stateDir,
      "--output",
      "json",
    ]);
    expect(listed.code).toBe(0);
    const events = JSON.parse(listed.stdout) as DriftEvent[];
    const failedEvents = events.filter((e) => e.type === "RemediationFailed");
    expect(failedEvents.map((e) => e.drift.field)).toEqual([`ingress.${ruleId}`]);
    expect(failedEvents[0]?.error).toContain("was denied");
    expect(events.filter((e) => e.type === "DriftRemediated")).toHaveLength(
      report.drift.filter((d) => d.remediation === "auto").length - 1,
    );

    // Everything else is in place; only the SSH rule is left.
    const state = await demoState(ids);
    expect(safetyProblems(state, ids)).toEqual([]);
    const left = [`tcp/2049-2049/${ids.functionSecurityGroupId}`, "tcp/22-22/10.0.0.0/8"].sort();
    expect(convergenceProblems(state, ids)).toEqual([
      `mount-target ingress is [${left.join(", ")}], not [tcp/2049-2049/${ids.functionSecurityGroupId}]`,
    ]);

    // The fault is gone: the next run does just the rest.
    await setFaults(null);
    const next = await runJson<ApplyReport>("apply", manifests, stateDir);
    expect(next.code).toBe(0);
    expect(next.doc.actions.map((a) => a.type)).toEqual(["RevokeIngress"]);
    expect(executions.map((e) => e.status)).toEqual(["FAILED", "SUCCEEDED"]);
    expect(convergenceProblems(await demoState(ids), ids)).toEqual([]);
  }, 120_000);

  it("a denied setting (lifecycle): it fails alone, the rest of the run is done (open rules revoked), the next run finishes", async () => {
    fixture = await freshDemo();
    const { ids, manifests, stateDir } = fixture;
    const { report } = await applyDenying("efs", "PutLifecycleConfiguration", ids.fileSystemId);
    const lifecycle = report.actions.find((a) => a.type === "PutLifecycleConfiguration");
    const failures = report.results.filter((r) => r.status === "failed");
    expect(failures.map((r) => r.actionId)).toEqual([lifecycle?.id]);
    expect(failures[0]?.error).toContain(
      `PutLifecycleConfiguration on ${ids.fileSystemId} was denied (AccessDeniedException: User: `,
    );
    // Nothing later builds on a lifecycle policy: phases 2 and 3 ran.
    expect(statusByType(report).filter((s) => /^[23] /.test(s))).toEqual([
      "2 UpdateFunctionFileSystem: succeeded",
      "2 UpdateFunctionFileSystem: succeeded",
      "3 DeleteAccessPoint: succeeded",
      "3 RevokeIngress: succeeded",
      "3 RevokeIngress: succeeded",
    ]);
    expect(
      report.results.filter((r) => r.actionId !== lifecycle?.id).every((r) => r.status === "succeeded"),
    ).toBe(true);
    expect(executions.map((e) => [e.status, e.error])).toEqual([["FAILED", "RemediationIncomplete"]]);

    // The open rules are gone, the functions' own rule is there, the functions mount the new access point.
    const state = await demoState(ids);
    expect(safetyProblems(state, ids)).toEqual([]);
    expect(state.ingress.map((r) => r.cidrIpv4 ?? r.referencedGroupId)).toEqual([
      ids.functionSecurityGroupId,
    ]);
    expect(state.mounts["suplementia-search"]?.[0]?.arn).not.toContain(ids.rootAccessPointId);

    await setFaults(null);
    const next = await runJson<ApplyReport>("apply", manifests, stateDir);
    expect(next.code).toBe(0);
    expect(next.doc.actions.map((a) => a.type)).toEqual(["PutLifecycleConfiguration"]);
    expect(convergenceProblems(await demoState(ids), ids)).toEqual([]);
  }, 120_000);

  it("a denied rule the functions need (phase 1): the rest of phase 1 done, nothing broken (later phases wait), the next run finishes", async () => {
    fixture = await freshDemo();
    const { ids, manifests, stateDir } = fixture;
    const { report } = await applyDenying(
      "ec2",
      "AuthorizeSecurityGroupIngress",
      ids.mountTargetSecurityGroupId,
    );
    const phaseOf = new Map(report.actions.map((a) => [a.id, a.phase]));
    const authorize = report.actions.find(
      (a) => a.type === "AuthorizeIngress" && a.params.groupId === ids.mountTargetSecurityGroupId,
    );
    const failures = report.results.filter((r) => r.status === "failed");
    expect(failures.map((r) => r.actionId)).toEqual([authorize?.id]);
    // The rest of phase 1 is done; phases 2 and 3 waited (make before break).
    const others = report.results.filter((r) => r.actionId !== authorize?.id);
    expect(others.filter((r) => phaseOf.get(r.actionId) === 1).every((r) => r.status === "succeeded")).toBe(
      true,
    );
    expect(
      statusByType(report).filter((s) => s.startsWith("1 ") && s.endsWith(": succeeded")).length,
    ).toBeGreaterThanOrEqual(5);
    const later = others.filter((r) => phaseOf.get(r.actionId) !== 1);
    expect(later.map((r) => [r.status, r.error])).toEqual(later.map(() => ["skipped", NOT_ATTEMPTED]));
    expect(statusByType(report).filter((s) => /^[23] /.test(s))).toEqual([
      "2 UpdateFunctionFileSystem: skipped",
      "2 UpdateFunctionFileSystem: skipped",
      "3 DeleteAccessPoint: skipped",
      "3 RevokeIngress: skipped",
      "3 RevokeIngress: skipped",
    ]);
    expect(executions.map((e) => [e.status, e.error])).toEqual([["FAILED", "RemediationIncomplete"]]);

    // Make before break held: the functions still mount the old access point, which still exists;
    // the open rules they reach the file system through are still there.
    const state = await demoState(ids);
    expect(safetyProblems(state, ids)).toEqual([]);
    expect(state.mounts["suplementia-search"]?.[0]?.arn).toContain(ids.rootAccessPointId);
    expect(state.ingress.map((r) => r.cidrIpv4 ?? r.referencedGroupId).sort()).toEqual(
      ["0.0.0.0/0", "10.0.0.0/8"].sort(),
    );

    await setFaults(null);
    const next = await runJson<ApplyReport>("apply", manifests, stateDir);
    expect(next.code).toBe(0);
    // Only what was left: the denied rule and the phases that waited for it.
    expect(statusByType(next.doc)).toEqual(
      ["1 AuthorizeIngress: succeeded", ...statusByType(report).filter((s) => /^[23] /.test(s))]
        .map((s) => s.replace(": skipped", ": succeeded"))
        .sort(),
    );
    expect(convergenceProblems(await demoState(ids), ids)).toEqual([]);
  }, 120_000);
});

describe("an apply refused for more actions than --max-changes", () => {
  it("changes nothing and records its outcome: every drift item seen again persists, with an event each", async () => {
    fixture = await freshDemo();
    const { ids, manifests, stateDir } = fixture;
    const planned = await runJson<Plan>("plan", manifests, stateDir);
    expect(planned.code).toBe(2);
    expect(planned.doc.drift.some((d) => d.remediation === "auto")).toBe(true);
    const before = await demoState(ids);

    const refused = await runJson<ApplyReport>("apply", manifests, stateDir, ["--max-changes", "1"]);
    expect(refused.code).toBe(3);
    expect(executions.map((e) => e.error)).toEqual(["MaxChangesExceeded"]);
    expect(await demoState(ids)).toEqual(before);

    const listed = await runCli([
      "events",
      "--run",
      refused.doc.runId,
      "--state-dir",
      stateDir,
      "--output",
      "json",
    ]);
    const events = JSON.parse(listed.stdout) as DriftEvent[];
    // Manual drift persists as the plan is recorded; auto drift once the refused outcome is.
    expect(events.map((e) => e.type)).toEqual(events.map(() => "DriftPersists"));
    expect(events.map((e) => e.drift.id).sort()).toEqual(planned.doc.drift.map((d) => d.id).sort());
    expect(events.every((e) => e.detectedRunId === planned.doc.runId)).toBe(true);
  }, 120_000);
});
