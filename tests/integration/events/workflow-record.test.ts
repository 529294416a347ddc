/**
 * The record of real workflow runs over the emulator: a dry run finds drift, an apply fixes it,
 * and `status` and `events` show what was found and fixed.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDesiredState } from "../../../src/desired-state/index";
import type { DesiredState } from "../../../src/desired-state/types";
import { ensureEmulatorLambdaRole } from "../../../src/emulator/iam-role";
import { LocalRecordStore } from "../../../src/events/local-store";
import { createRunRecorder } from "../../../src/events/run-recorder";
import type { DriftEvent } from "../../../src/events/types";
import { runWorkflow } from "../../../src/statemachine/local-engine";
import { emulatorClients, emulatorEndpoint, resetEmulator } from "../../support/emulator";
import { sharedEfsManifests } from "../../support/scenarios";
import { grantEfsClient, seedFileSystem, seedFunction, seedNetwork } from "../../support/seed";
import { runCli } from "../../unit/cli/run-cli";

let dir: string;

beforeEach(async () => {
  await resetEmulator();
  dir = await mkdtemp(join(tmpdir(), "efs-record-workflow-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function seedDriftedAccount(): Promise<DesiredState> {
  const clients = emulatorClients();
  const net = await seedNetwork(clients);
  const fs = await seedFileSystem(clients, { tags: { Name: "shared-efs" }, encrypted: true });
  await seedFunction(clients, {
    functionName: "search",
    timeout: 10,
    vpc: { subnetIds: net.subnetIds, securityGroupIds: [net.lambdaSecurityGroupId] },
  });
  // The function's role may use the file system: the account's drift is all auto-remediable.
  await grantEfsClient(clients, { roleArn: await ensureEmulatorLambdaRole(emulatorEndpoint()), ...fs });
  await writeFile(join(dir, "manifests.yaml"), sharedEfsManifests(net.efsSecurityGroupId, ["search"]));
  const loaded = await loadDesiredState(dir);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.state;
}

describe("the record of workflow runs", () => {
  it("shows what a dry run found and an apply fixed; status ends with every object in sync", async () => {
    const desired = await seedDriftedAccount();
    const stateDir = join(dir, "state");
    const deps = {
      loadDesired: async () => desired,
      clients: emulatorClients(),
      record: createRunRecorder(
        { store: new LocalRecordStore(stateDir) },
        { loadDesired: async () => desired },
      ),
      fastWaits: true,
    };

    const dry = await runWorkflow({ mode: "dry-run", maxChanges: 25 }, deps);
    const found = dry.report.drift.map((d) => d.id).sort();
    expect(found.length).toBeGreaterThan(0);
    // All of it auto drift, which the apply that sees it again fixes rather than letting persist.
    expect(dry.report.drift.filter((d) => d.remediation !== "auto").map((d) => d.code)).toEqual([]);
    const before = await runCli(["status", "--state-dir", stateDir, "--output", "json"], { cwd: dir });
    expect(JSON.parse(before.stdout).summary.openDrift).toBe(found.length);

    const applied = await runWorkflow({ mode: "apply", maxChanges: 25 }, deps);
    expect(applied.status).toBe("SUCCEEDED");

    const status = await runCli(["status", "--state-dir", stateDir, "--output", "json"], { cwd: dir });
    expect(status.code).toBe(0);
    const doc = JSON.parse(status.stdout) as {
      summary: { objects: number; inSync: number; openDrift: number };
    };
    expect(doc.summary).toEqual({ objects: 3, inSync: 3, openDrift: 0 });

    const events = JSON.parse(
      (await runCli(["events", "--state-dir", stateDir, "--output", "json"])).stdout,
    ) as DriftEvent[];
    const ofType = (type: string) =>
      events
        .filter((e) => e.type === type)
        .map((e) => e.drift.id)
        .sort();
    expect(ofType("DriftDetected")).toEqual(found);
    expect(ofType("DriftPersists")).toEqual([]);
    // Every drift the dry run found was fixed by the apply (or went with a fix of another item).
    expect([...ofType("DriftRemediated"), ...ofType("DriftResolved")].sort()).toEqual(found);
    expect(ofType("DriftRemediated").length).toBeGreaterThan(0);
    expect(ofType("RemediationFailed")).toEqual([]);
    // Each item's lifecycle, oldest first: detected by the dry run, then closed by the apply.
    for (const id of found) {
      const lifecycle = events
        .filter((e) => e.drift.id === id)
        .reverse()
        .map((e) => `${e.mode} ${e.type}`);
      expect(lifecycle).toHaveLength(2);
      expect(lifecycle[0]).toBe("dry-run DriftDetected");
      expect(["apply DriftRemediated", "apply DriftResolved"]).toContain(lifecycle[1]);
    }

    const text = await runCli(["status", "--state-dir", stateDir], { cwd: dir });
    expect(text.stdout).toContain("3 of 3 objects in sync");
  });
});
