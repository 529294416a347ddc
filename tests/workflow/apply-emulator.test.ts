/**
 * The workflow end to end over the local AWS emulator: real task functions, real observe, plan
 * and reconcilers. An apply converges a drifted account; the next apply finds nothing to do.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateSecurityGroupCommand, DescribeSecurityGroupRulesCommand } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CallRecorder } from "../../src/aws/clients";
import { loadDesiredState } from "../../src/desired-state/index";
import type { DesiredState } from "../../src/desired-state/types";
import { LocalRecordStore } from "../../src/events/local-store";
import { createRunRecorder } from "../../src/events/run-recorder";
import type { ApplyReport } from "../../src/plan/types";
import { runWorkflow } from "../../src/statemachine/local-engine";
import { emulatorClients, resetEmulator } from "../support/emulator";
import { sharedEfsManifests } from "../support/scenarios";
import { seedFileSystem, seedFunction, seedNetwork } from "../support/seed";

let dir: string;

beforeEach(async () => {
  await resetEmulator();
  dir = await mkdtemp(join(tmpdir(), "efs-reconciler-workflow-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function seedDriftedAccount(): Promise<DesiredState> {
  const clients = emulatorClients();
  const net = await seedNetwork(clients);
  await seedFileSystem(clients, { tags: { Name: "shared-efs" } });
  for (const name of ["search", "embed"]) {
    await seedFunction(clients, {
      functionName: name,
      timeout: 10,
      vpc: { subnetIds: net.subnetIds, securityGroupIds: [net.lambdaSecurityGroupId] },
    });
  }
  const manifests = sharedEfsManifests(net.efsSecurityGroupId, ["search", "embed"]);
  await writeFile(join(dir, "manifests.yaml"), manifests);
  const loaded = await loadDesiredState(dir);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.state;
}

describe("workflow over the emulator", () => {
  it("applies every phase, verifies, and a second apply is a converged run with no writes", async () => {
    const desired = await seedDriftedAccount();
    const recorder = new CallRecorder();
    const deps = {
      loadDesired: async () => desired,
      clients: emulatorClients(recorder),
      record: createRunRecorder(
        { store: new LocalRecordStore(join(dir, "state")) },
        { loadDesired: async () => desired },
      ),
      fastWaits: true,
    };

    const first = await runWorkflow({ mode: "apply", maxChanges: 25 }, deps);
    const report = first.report as ApplyReport;
    expect(report.results.filter((r) => r.status !== "succeeded")).toEqual([]);
    expect(new Set(report.actions.map((a) => a.phase))).toEqual(new Set([1, 2]));
    expect(report.remaining.filter((d) => d.remediation === "auto")).toEqual([]);
    expect(first.status).toBe("SUCCEEDED");

    recorder.calls.length = 0;
    const second = await runWorkflow({ mode: "apply", maxChanges: 25 }, deps);
    expect(second.status).toBe("SUCCEEDED");
    expect((second.report as ApplyReport).actions).toEqual([]);
    expect(second.stateTransitions).toBe(9);
    expect(recorder.mutating()).toEqual([]);
  });

  it("two file systems sharing one mount-target group: both functions' rules are made and kept", async () => {
    const clients = emulatorClients();
    const net = await seedNetwork(clients);
    const other = await clients.ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: net.vpcId,
        GroupName: "logs-fn",
        Description: "logs function",
      }),
    );
    const otherGroup = other.GroupId ?? "";
    await seedFileSystem(clients, { tags: { Name: "shared-efs" } });
    await seedFileSystem(clients, { tags: { Name: "logs-efs" } });
    for (const [name, group] of [
      ["search", net.lambdaSecurityGroupId],
      ["ingest", otherGroup],
    ] as const) {
      await seedFunction(clients, {
        functionName: name,
        timeout: 40,
        vpc: { subnetIds: net.subnetIds, securityGroupIds: [group] },
      });
    }
    const logs = sharedEfsManifests(net.efsSecurityGroupId, ["ingest"])
      .replace("name: data", "name: logs")
      .replace("Name: shared-efs", "Name: logs-efs")
      .replace("fileSystem: data", "fileSystem: logs")
      .replaceAll("lambda", "logs-ap");
    await writeFile(join(dir, "data.yaml"), sharedEfsManifests(net.efsSecurityGroupId, ["search"]));
    await writeFile(join(dir, "logs.yaml"), logs);
    const loaded = await loadDesiredState(dir);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const desired = loaded.state;
    const deps = {
      loadDesired: async () => desired,
      clients,
      record: createRunRecorder(
        { store: new LocalRecordStore(join(dir, "state")) },
        { loadDesired: async () => desired },
      ),
      fastWaits: true,
    };
    const sources = async () =>
      (
        (
          await clients.ec2.send(
            new DescribeSecurityGroupRulesCommand({
              Filters: [{ Name: "group-id", Values: [net.efsSecurityGroupId] }],
            }),
          )
        ).SecurityGroupRules ?? []
      )
        .filter((r) => !r.IsEgress && r.FromPort === 2049)
        .map((r) => r.ReferencedGroupInfo?.GroupId)
        .sort();
    const both = [net.lambdaSecurityGroupId, otherGroup].sort();

    const first = await runWorkflow({ mode: "apply", maxChanges: 25 }, deps);
    expect(first.status).toBe("SUCCEEDED");
    expect(await sources()).toEqual(both);
    const second = await runWorkflow({ mode: "apply", maxChanges: 25 }, deps);
    expect(second.status).toBe("SUCCEEDED");
    expect((second.report as ApplyReport).actions).toEqual([]);
    expect(await sources()).toEqual(both);
  });
});
