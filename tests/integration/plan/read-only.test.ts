/**
 * Contract §5.2: `plan` makes no mutating AWS call. The real CLI plans the fully drifted demo
 * against the emulator; every call its clients sent is recorded (the CLI's own CallRecorder,
 * captured where the CLI creates its clients), and the account is unchanged afterwards.
 */
import { TagResourceCommand } from "@aws-sdk/client-efs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CallRecorder } from "../../../src/aws/clients";
import * as awsClients from "../../../src/aws/clients";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { accountSnapshot, removeDir, runPlanJson, seedDemoScenario, tempDir } from "../../support/scenarios";

vi.mock("../../../src/aws/clients", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../../src/aws/clients")>();
  return { ...original, createClients: vi.fn(original.createClients) };
});

const READ_ONLY = /^(Describe|List|Get)[A-Z]/;

/** The recorders the CLI handed to createClients during the run. */
function cliRecorders(): CallRecorder[] {
  return vi
    .mocked(awsClients.createClients)
    .mock.calls.map(([options]) => options?.recorder)
    .filter((r): r is CallRecorder => r !== undefined);
}

let dir: string;

beforeEach(async () => {
  await resetEmulator();
  dir = await tempDir("efs-reconciler-readonly-");
  vi.mocked(awsClients.createClients).mockClear();
});

afterEach(async () => {
  await removeDir(dir);
});

describe("plan is read-only", () => {
  it("sends only Describe/List/Get calls on the fully drifted demo and leaves the account unchanged", async () => {
    const clients = emulatorClients();
    await seedDemoScenario(clients, dir);
    const before = await accountSnapshot(clients);
    vi.mocked(awsClients.createClients).mockClear();

    const run = await runPlanJson(dir);

    expect(run.code).toBe(2);
    const codes = new Set(run.plan?.drift.map((d) => d.code));
    for (const code of [
      "FS_LIFECYCLE_POLICY",
      "MT_MISSING_IN_AZ",
      "SG_INGRESS_NOT_ALLOWED",
      "SG_INGRESS_MISSING",
      "AP_POSIX_USER",
      "FN_TIMEOUT",
    ]) {
      expect(codes).toContain(code);
    }
    expect(run.plan?.actions.length).toBeGreaterThan(0);

    const recorders = cliRecorders();
    expect(recorders).toHaveLength(1);
    const calls = recorders.flatMap((r) => r.calls);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => !READ_ONLY.test(c.command))).toEqual([]);
    expect(calls.filter((c) => c.mutating)).toEqual([]);
    // Every service the plan needs was read (absent policies answer with a not-found error: still a read).
    const services = new Set(calls.map((c) => c.service));
    for (const service of ["ec2", "efs", "lambda"] as const) expect(services).toContain(service);
    // The CLI reports the same count on stderr.
    expect(run.stderr).toContain(`(${calls.length} API calls)`);

    expect(await accountSnapshot(clients)).toBe(before);
  });

  it("sends no mutating call when there is nothing to plan against either (no file system found)", async () => {
    const clients = emulatorClients();
    const ids = await seedDemoScenario(clients, dir);
    await clients.efs.send(
      new TagResourceCommand({
        ResourceId: ids.fileSystemId,
        Tags: [{ Key: "Name", Value: "not-the-demo" }],
      }),
    );
    const before = await accountSnapshot(clients);
    vi.mocked(awsClients.createClients).mockClear();

    const run = await runPlanJson(dir);

    expect(run.code).toBe(2);
    expect(run.plan?.drift.map((d) => d.code)).toContain("FS_NOT_FOUND");
    const calls = cliRecorders().flatMap((r) => r.calls);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => !READ_ONLY.test(c.command))).toEqual([]);
    expect(await accountSnapshot(clients)).toBe(before);
  });
});
