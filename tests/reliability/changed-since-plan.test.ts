/**
 * A resource changed by someone else between the plan and the action is re-read and handled —
 * skipped when the change already did the work, refused when it conflicts — and never blindly
 * overwritten or deleted; the next run plans from the new state and finishes the job.
 *
 * The change is made inside the workflow run, right after the plan's observation (its last stage):
 * the plan is made from what was there before, the actions meet what is there now.
 */
import {
  DescribeSecurityGroupRulesCommand,
  ModifySecurityGroupRulesCommand,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import { CreateAccessPointCommand, DeleteAccessPointCommand } from "@aws-sdk/client-efs";
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired-state/index";
import { ensureEmulatorLambdaRole } from "../../src/emulator/iam-role";
import type { ActionType, ApplyReport } from "../../src/plan/types";
import { executeWorkflow, type WorkflowResult } from "../../src/statemachine/local-engine";
import type { TaskCore } from "../../src/statemachine/tasks";
import { createTasks, DEFAULT_TASK_CORE } from "../../src/statemachine/workflow-tasks";
import { emulatorClients, emulatorEndpoint } from "../support/emulator";
import { runJson } from "./support/cli";
import {
  convergenceProblems,
  type DemoFixture,
  demoState,
  freshDemo,
  NAME_TAG,
  safetyProblems,
} from "./support/demo";
import { productionClients } from "./support/faults";

let fixture: DemoFixture | undefined;

afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

/** An apply through the real workflow and reconcilers, with `change` made right after the plan's observation. */
async function applyWithChangeAfterPlan(
  manifests: string,
  change: () => Promise<void>,
): Promise<WorkflowResult> {
  const loaded = await loadDesiredState(manifests);
  if (!loaded.ok) throw new Error("the demo manifests are invalid");
  let changed = false;
  const core: TaskCore = {
    ...DEFAULT_TASK_CORE,
    observe: {
      ...DEFAULT_TASK_CORE.observe,
      // The last of the plan's three observation stages: the plan is made from what they read.
      checklist: async (desired, sources, clients, options) => {
        const checklist = await DEFAULT_TASK_CORE.observe.checklist(desired, sources, clients, options);
        if (!changed) {
          changed = true;
          await change();
        }
        return checklist;
      },
    },
  };
  const tasks = createTasks(
    { loadDesired: async () => loaded.state, clients: productionClients(), record: async () => {} },
    core,
  );
  return executeWorkflow(tasks, { mode: "apply", maxChanges: 25 }, { fastWaits: true });
}

function resultOf(
  result: WorkflowResult,
  type: ActionType,
  match: (params: unknown) => boolean = () => true,
) {
  const report = result.report as ApplyReport;
  const action = report.actions.find((a) => a.type === type && match(a.params));
  if (!action) throw new Error(`the plan has no ${type} action`);
  const found = report.results.find((r) => r.actionId === action.id);
  return { status: found?.status, error: found?.error ?? null };
}

async function ingressRule(groupId: string, ruleId: string) {
  const out = await emulatorClients().ec2.send(
    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }),
  );
  return out.SecurityGroupRules?.find((r) => r.SecurityGroupRuleId === ruleId);
}

async function sshRuleId(groupId: string): Promise<string> {
  const out = await emulatorClients().ec2.send(
    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }),
  );
  const id = out.SecurityGroupRules?.find((r) => !r.IsEgress && r.FromPort === 22)?.SecurityGroupRuleId;
  if (!id) throw new Error("the demo has no SSH rule");
  return id;
}

const mountOf = async (functionName: string) =>
  (await emulatorClients().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })))
    .FileSystemConfigs;

/** The next, ordinary apply (the command line): it must finish the job. */
async function nextApplyConverges(f: DemoFixture): Promise<ApplyReport> {
  const next = await runJson<ApplyReport>("apply", f.manifests, f.stateDir);
  expect(next.doc.results.filter((r) => r.status === "failed")).toEqual([]);
  expect(next.code).toBe(0);
  return next.doc;
}

describe("security-group rules changed between plan and revoke", () => {
  it("a rule modified in place keeps its id but is not revoked; the next run re-plans and handles it", async () => {
    fixture = await freshDemo();
    const { ids } = fixture;
    const ruleId = await sshRuleId(ids.mountTargetSecurityGroupId);
    const result = await applyWithChangeAfterPlan(fixture.manifests, async () => {
      await emulatorClients().ec2.send(
        new ModifySecurityGroupRulesCommand({
          GroupId: ids.mountTargetSecurityGroupId,
          SecurityGroupRules: [
            {
              SecurityGroupRuleId: ruleId,
              SecurityGroupRule: { IpProtocol: "tcp", FromPort: 2049, ToPort: 2049, CidrIpv4: "10.1.0.0/16" },
            },
          ],
        }),
      );
    });
    const revoke = resultOf(result, "RevokeIngress", (p) => (p as { ruleId: string }).ruleId === ruleId);
    expect(revoke.status).toBe("failed");
    expect(revoke.error).toContain(
      `refused to revoke rule ${ruleId} of ${ids.mountTargetSecurityGroupId} (planned: ingress tcp 22-22 from 10.0.0.0/8; now: ingress tcp 2049-2049 from 10.1.0.0/16): changed by someone else since the plan; re-run plan`,
    );
    expect(result.status).toBe("FAILED");
    const kept = await ingressRule(ids.mountTargetSecurityGroupId, ruleId);
    expect([kept?.FromPort, kept?.CidrIpv4]).toEqual([2049, "10.1.0.0/16"]);

    // Re-read by the next plan: still outside the allowed set, so revoked now, knowingly.
    const next = await nextApplyConverges(fixture);
    expect(next.drift.find((d) => d.field === `ingress.${ruleId}`)?.actual).toBe("TCP 2049 from 10.1.0.0/16");
    expect(await ingressRule(ids.mountTargetSecurityGroupId, ruleId)).toBeUndefined();
    expect(convergenceProblems(await demoState(ids), ids)).toEqual([]);
  }, 60_000);

  it("a rule someone else already revoked is skipped, not an error", async () => {
    fixture = await freshDemo();
    const { ids } = fixture;
    const ruleId = await sshRuleId(ids.mountTargetSecurityGroupId);
    const result = await applyWithChangeAfterPlan(fixture.manifests, async () => {
      await emulatorClients().ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: ids.mountTargetSecurityGroupId,
          SecurityGroupRuleIds: [ruleId],
        }),
      );
    });
    expect(resultOf(result, "RevokeIngress", (p) => (p as { ruleId: string }).ruleId === ruleId)).toEqual({
      status: "skipped",
      error: null,
    });
    expect(result.status).toBe("SUCCEEDED");
    expect(convergenceProblems(await demoState(ids), ids)).toEqual([]);
  }, 60_000);
});

describe("functions changed between plan and repoint", () => {
  it("a function someone else repointed is not overwritten, and nothing is deleted under it", async () => {
    fixture = await freshDemo();
    const { ids } = fixture;
    const clients = emulatorClients();
    let theirs = "";
    const result = await applyWithChangeAfterPlan(fixture.manifests, async () => {
      const ap = await clients.efs.send(
        new CreateAccessPointCommand({
          FileSystemId: ids.fileSystemId,
          ClientToken: "team-b",
          PosixUser: { Uid: 2000, Gid: 2000 },
          RootDirectory: {
            Path: "/team-b",
            CreationInfo: { OwnerUid: 2000, OwnerGid: 2000, Permissions: "750" },
          },
        }),
      );
      theirs = ap.AccessPointArn ?? "";
      await clients.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "suplementia-embeddings",
          FileSystemConfigs: [{ Arn: theirs, LocalMountPath: "/mnt/efs" }],
        }),
      );
    });
    const repoint = resultOf(
      result,
      "UpdateFunctionFileSystem",
      (p) => (p as { functionName: string }).functionName === "suplementia-embeddings",
    );
    expect(repoint.status).toBe("failed");
    expect(repoint.error).toContain("refused to repoint function suplementia-embeddings (planned: arn:");
    expect(repoint.error).toContain(
      `now: ${theirs} at /mnt/efs): changed by someone else since the plan; re-run plan`,
    );
    expect(result.status).toBe("FAILED");
    expect(await mountOf("suplementia-embeddings")).toEqual([{ Arn: theirs, LocalMountPath: "/mnt/efs" }]);
    expect(safetyProblems(await demoState(ids), ids)).toEqual([]);

    // The next run sees their mount in its plan (and says so), converges, and leaves their access point alone.
    const next = await nextApplyConverges(fixture);
    const drift = next.drift.find((d) => d.code === "FN_FILE_SYSTEM_CONFIG");
    expect(drift?.actual).toEqual([{ arn: theirs, localMountPath: "/mnt/efs" }]);
    const state = await demoState(ids);
    expect(convergenceProblems(state, ids)).toEqual([]);
    expect(state.accessPoints.map((ap) => ap.arn)).toContain(theirs);
  }, 60_000);

  it("an access point deleted by someone else is never mounted; the next run creates it again", async () => {
    fixture = await freshDemo();
    const { ids } = fixture;
    const clients = emulatorClients();
    await nextApplyConverges(fixture);
    const live = (await demoState(ids)).accessPoints.find((ap) => ap.tags[NAME_TAG] === "lambda");
    if (!live) throw new Error("no live access point after the first apply");
    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "suplementia-search", FileSystemConfigs: [] }),
    );

    const result = await applyWithChangeAfterPlan(fixture.manifests, async () => {
      await clients.efs.send(new DeleteAccessPointCommand({ AccessPointId: live.id }));
    });
    const repoint = resultOf(result, "UpdateFunctionFileSystem");
    expect(repoint.status).toBe("failed");
    expect(repoint.error).toContain(
      `access point ${live.id} no longer exists (deleted by someone else since the plan), so no function is pointed at it`,
    );
    expect(await mountOf("suplementia-search")).toBeUndefined();

    await nextApplyConverges(fixture);
    const state = await demoState(ids);
    expect(convergenceProblems(state, ids)).toEqual([]);
    expect(state.accessPoints.map((ap) => ap.id)).not.toContain(live.id);
  }, 60_000);

  it("a timeout someone else raised meanwhile is kept, never lowered", async () => {
    fixture = await freshDemo();
    const result = await applyWithChangeAfterPlan(fixture.manifests, async () => {
      await emulatorClients().lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: "suplementia-search", Timeout: 45 }),
      );
    });
    // Re-read: the timeout is already above the minimum, so only what else differs is sent.
    expect(resultOf(result, "UpdateFunctionConfiguration").error).toBeNull();
    expect(result.status).toBe("SUCCEEDED");
    const fn = await emulatorClients().lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "suplementia-search" }),
    );
    expect(fn.Timeout).toBe(45);
  }, 60_000);
});

describe("an access point mounted by someone else before its deletion", () => {
  it("is not deleted but released from management, in this run; the next run neither owns nor deletes it", async () => {
    fixture = await freshDemo();
    const { ids } = fixture;
    const clients = emulatorClients();
    const rootArn =
      (await demoState(ids)).accessPoints.find((ap) => ap.id === ids.rootAccessPointId)?.arn ?? "";
    const role = await ensureEmulatorLambdaRole(emulatorEndpoint());
    const result = await applyWithChangeAfterPlan(fixture.manifests, async () => {
      await clients.lambda.send(
        new CreateFunctionCommand({
          FunctionName: "someone-elses-function",
          Runtime: "nodejs22.x",
          Role: role,
          Handler: "index.handler",
          Code: { ZipFile: Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]) },
          VpcConfig: { SubnetIds: ids.subnetIds, SecurityGroupIds: [ids.functionSecurityGroupId] },
          FileSystemConfigs: [{ Arn: rootArn, LocalMountPath: "/mnt/legacy" }],
        }),
      );
    });
    const deletion = resultOf(result, "DeleteAccessPoint");
    expect(deletion.status).toBe("failed");
    expect(deletion.error).toContain(
      `kept access point ${ids.rootAccessPointId} instead of deleting it: someone-elses-function still mounts it and no manifest binds it; released it from efs-reconciler management`,
    );
    expect(result.status).toBe("FAILED");
    // Released: none of efs-reconciler's tags are left, so one access point alone carries the name.
    const kept = (await demoState(ids)).accessPoints.find((ap) => ap.id === ids.rootAccessPointId);
    expect(kept?.tags).toEqual({ Name: "lambda-root" });
    expect(convergenceProblems(await demoState(ids), ids)).toEqual([]);

    // The next run does not own it: no drift about it, no deletion; the manifests' functions are done.
    const next = await nextApplyConverges(fixture);
    expect(next.actions.filter((a) => a.type === "DeleteAccessPoint")).toEqual([]);
    expect(next.drift.filter((d) => d.resource.id === ids.rootAccessPointId)).toEqual([]);
    const state = await demoState(ids);
    expect(state.accessPoints.map((ap) => ap.id)).toContain(ids.rootAccessPointId);
    expect(convergenceProblems(state, ids)).toEqual([]);
    expect(await mountOf("someone-elses-function")).toEqual([
      { Arn: rootArn, LocalMountPath: "/mnt/legacy" },
    ]);
    expect(safetyProblems(state, ids)).toEqual([]);
  }, 60_000);
});
