/**
 * Throttling storms: with 20% of EC2, EFS and Lambda calls answered by each service's real
 * throttling error (seeded, so the storm is the same on every run), one `plan` and one `apply` of
 * the real command line, with the production retry policy, complete and converge on the fully
 * drifted demo — and the storm costs exactly one extra attempt per throttled answer (no hammering).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CallRecorder } from "../../src/aws/clients";
import type { ApplyReport, Plan } from "../../src/plan/types";
import { runJson } from "./support/cli";
import { convergenceProblems, type DemoFixture, demoState, freshDemo } from "./support/demo";
import { countInjected, type FaultConfig, faultReport, setFaults } from "./support/faults";

const captured = vi.hoisted(() => ({
  recorders: [] as CallRecorder[],
  maxAttempts: [] as (number | undefined)[],
}));

// The command line makes its own clients (production settings) with a recorder: keep both.
vi.mock("../../src/aws/clients", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/aws/clients")>();
  return {
    ...original,
    createClients: (options: Parameters<typeof original.createClients>[0] = {}) => {
      if (options.recorder) captured.recorders.push(options.recorder);
      captured.maxAttempts.push(options.maxAttempts);
      return original.createClients(options);
    },
  };
});

const STORM: FaultConfig = { seed: 42, rate: 0.2, services: ["ec2", "efs", "lambda"] };

interface CommandFigures {
  code: number;
  calls: number;
  attempts: number;
  failedCalls: string[];
}

interface RunFigures {
  plan: CommandFigures;
  apply: CommandFigures;
  verify: CommandFigures;
  apply_doc: ApplyReport;
  plan_doc: Plan;
  verify_doc: Plan;
}

function figures(code: number): CommandFigures {
  const recorder = captured.recorders.at(-1);
  if (!recorder) throw new Error("the command created no recording clients");
  return {
    code,
    calls: recorder.count(),
    attempts: recorder.calls.reduce((n, c) => n + c.attempts, 0),
    failedCalls: recorder.calls.filter((c) => !c.ok).map((c) => `${c.service}:${c.command}:${c.errorName}`),
  };
}

let fixture: DemoFixture | undefined;

afterEach(async () => {
  await setFaults(null);
  await fixture?.cleanup();
  fixture = undefined;
});

/** plan → apply → plan on a freshly seeded demo, the faults on from the first plan. */
async function planApplyPlan(faults: FaultConfig | null): Promise<RunFigures> {
  fixture = await freshDemo();
  const { manifests, stateDir } = fixture;
  captured.recorders.length = 0;
  captured.maxAttempts.length = 0;
  await setFaults(faults);
  const plan = await runJson<Plan>("plan", manifests, stateDir);
  const planFigures = figures(plan.code);
  const apply = await runJson<ApplyReport>("apply", manifests, stateDir);
  const applyFigures = figures(apply.code);
  const verify = await runJson<Plan>("plan", manifests, stateDir);
  const verifyFigures = figures(verify.code);
  return {
    plan: planFigures,
    apply: applyFigures,
    verify: verifyFigures,
    plan_doc: plan.doc,
    apply_doc: apply.doc,
    verify_doc: verify.doc,
  };
}

const total = (r: RunFigures, key: "calls" | "attempts") => r.plan[key] + r.apply[key] + r.verify[key];

describe("a throttling storm (20% of EC2, EFS and Lambda calls, seed 42)", () => {
  it("one plan and one apply complete and converge, at one extra attempt per throttled answer", async () => {
    const calm = await planApplyPlan(null);
    expect([calm.plan.code, calm.apply.code, calm.verify.code]).toEqual([2, 0, 0]);

    const storm = await planApplyPlan(STORM);
    const injected = countInjected(await faultReport());
    await setFaults(null); // the test's own reads below are not part of the storm
    if (!fixture) throw new Error("no fixture");

    // The command line used the production retry policy (createClients' defaults).
    expect(captured.maxAttempts).toEqual([undefined, undefined, undefined]);
    // Same outcome as without the storm: the same plan, every action done, nothing auto left.
    expect([storm.plan.code, storm.apply.code, storm.verify.code]).toEqual([2, 0, 0]);
    const shape = (p: Plan) => p.actions.map((a) => `${a.phase} ${a.type}`);
    expect(shape(storm.plan_doc)).toEqual(shape(calm.plan_doc));
    expect(shape(calm.plan_doc).length).toBeGreaterThanOrEqual(11);
    expect(storm.apply_doc.results.filter((r) => r.status === "failed")).toEqual([]);
    expect(storm.apply_doc.remaining.filter((d) => d.remediation === "auto")).toEqual([]);
    expect(storm.verify_doc.drift).toEqual([]);
    expect(convergenceProblems(await demoState(fixture.ids), fixture.ids)).toEqual([]);

    // Every service was hit, and no call gave up: the storm never surfaced as an error.
    expect(injected.ec2).toBeGreaterThan(0);
    expect(injected.efs).toBeGreaterThan(0);
    expect(injected.lambda).toBeGreaterThan(0);
    expect([storm.plan, storm.apply, storm.verify].flatMap((c) => c.failedCalls)).toEqual(
      [calm.plan, calm.apply, calm.verify].flatMap((c) => c.failedCalls),
    );

    // Cost: the same calls as without the storm; each throttled answer cost exactly one retry.
    const extra = total(storm, "attempts") - total(calm, "attempts");
    expect(total(storm, "calls")).toBe(total(calm, "calls"));
    expect(extra).toBe(injected.total);
    expect(extra).toBeLessThanOrEqual(Math.ceil(0.35 * total(calm, "attempts")));

    const line = (name: string, c: CommandFigures, s: CommandFigures) =>
      `${name.padEnd(6)} ${String(c.calls).padStart(4)} calls, ${String(c.attempts).padStart(4)} attempts calm; ` +
      `${String(s.attempts).padStart(4)} attempts in the storm (+${s.attempts - c.attempts})`;
    console.info(
      [
        "throttling storm (rate 0.2, seed 42) on the demo, production retries:",
        line("plan", calm.plan, storm.plan),
        line("apply", calm.apply, storm.apply),
        line("plan", calm.verify, storm.verify),
        `total: ${total(calm, "attempts")} attempts calm, ${total(storm, "attempts")} in the storm: ` +
          `+${extra} extra calls for ${injected.total} throttled answers ` +
          `(ec2 ${injected.ec2}, efs ${injected.efs}, lambda ${injected.lambda})`,
      ].join("\n"),
    );
  }, 180_000);
});
