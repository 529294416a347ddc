/**
 * One sample event per handler bundle, matched by the bundle's name: what the workflow would send
 * it. Events that need AWS use app 0 of the seeded fleet in the bench's emulator; each action is
 * already in place there, so answering it changes nothing. The observation stages' results that
 * the later stages, Plan and Verify receive are read from the emulator as the stages read them.
 */

import type { AwsClients } from "../../src/aws/clients";
import type { DesiredState } from "../../src/desired-state/types";
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from "../../src/emulator/warm-up";
import { observeChecklistAlone } from "../../src/observe/observe-checklist";
import { observeNetworkAlone } from "../../src/observe/observe-network";
import { observeSourcesAlone } from "../../src/observe/observe-sources";
import type { StagedObservation } from "../../src/observe/stages";
import type { Action, Plan } from "../../src/plan/types";
import type { SampleEvent } from "./bundles";
import { appName, type FleetApp } from "./fleet";

export interface SampleContext {
  endpoint: string;
  manifestDir: string;
  /** Where the record handler keeps its records (STATE_DIR). */
  stateDir: string;
  app: FleetApp;
  mountTargetId: string;
  /** The runs table the take-lease handler takes the run lease in (RUNS_TABLE). */
  runsTable: string;
  /** The observation stages' results for the sample manifests. */
  observation: StagedObservation;
}

const RUN_ID = "20261128T120000Z-0000beef";

/** The three stages' results for `desired`, read one stage after the other as the workflow does. */
export async function observeInStages(
  desired: DesiredState,
  clients: AwsClients,
): Promise<StagedObservation> {
  const sources = await observeSourcesAlone(desired, clients, {});
  return {
    sources,
    network: await observeNetworkAlone(desired, sources, clients, {}),
    checklist: await observeChecklistAlone(desired, sources, clients, {}),
  };
}

function emptyPlan(mode: "dry-run" | "apply"): Plan {
  return {
    formatVersion: "1",
    mode,
    runId: RUN_ID,
    manifestRevision: "sha256:bench",
    drift: [],
    actions: [],
    summary: { drift: 0, auto: 0, manual: 0, actions: 0 },
  };
}

function sampleAction(name: string, c: SampleContext): Action {
  const base = {
    id: "bench-action",
    phase: 1 as const,
    driftIds: ["bench-drift"],
    description: "bench sample",
  };
  const fs = { type: "AWS::EFS::FileSystem" as const, id: c.app.fileSystemId };
  if (name.includes("mount")) {
    return {
      ...base,
      type: "AddMountTargetSecurityGroup",
      resource: { type: "AWS::EFS::MountTarget", id: c.mountTargetId },
      params: {
        fileSystemId: c.app.fileSystemId,
        mountTargetId: c.mountTargetId,
        securityGroupId: c.app.mountTargetSecurityGroupId,
      },
    };
  }
  if (name.includes("security")) {
    return {
      ...base,
      type: "AuthorizeIngress",
      resource: { type: "AWS::EC2::SecurityGroup", id: c.app.mountTargetSecurityGroupId },
      params: {
        groupId: c.app.mountTargetSecurityGroupId,
        sourceGroupId: c.app.functionSecurityGroupId,
        port: 2049,
      },
    };
  }
  if (name.includes("access")) {
    return {
      ...base,
      type: "TagAccessPoint",
      resource: { type: "AWS::EFS::AccessPoint", id: c.app.accessPointId },
      params: { accessPointId: c.app.accessPointId, name: appName(c.app.index) },
    };
  }
  if (name.includes("function")) {
    const functionName = c.app.functionNames[0] ?? "";
    return {
      ...base,
      type: "UpdateFunctionConfiguration",
      resource: { type: "AWS::Lambda::Function", id: functionName },
      params: { functionName, timeout: 30 },
    };
  }
  return {
    ...base,
    type: "PutLifecycleConfiguration",
    resource: fs,
    params: {
      fileSystemId: c.app.fileSystemId,
      transitionToIA: "AFTER_30_DAYS",
      transitionToPrimaryStorageClass: "AFTER_1_ACCESS",
    },
  };
}

/** A function's environment in the bench: the emulator, the sample manifests, a state directory. */
function sampleEnv(c: SampleContext): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: c.endpoint,
    AWS_REGION: EMULATOR_REGION,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    AWS_MAX_ATTEMPTS: "1",
    MANIFEST_DIR: c.manifestDir,
    STATE_DIR: c.stateDir,
  };
}

export function sampleEventFor(name: string, c: SampleContext): SampleEvent {
  const env = sampleEnv(c);
  const n = name.toLowerCase();
  const at = { runId: RUN_ID, pass: "plan" };
  if (n === "observe-sources") return { env, event: at };
  if (n === "observe-network" || n === "observe-checklist") {
    return { env, event: { ...at, sources: c.observation.sources } };
  }
  if (n.includes("lease")) {
    return {
      env: { ...env, RUNS_TABLE: c.runsTable },
      event: { input: { mode: "dry-run" }, defaultMaxChanges: "25", execution: "bench-execution" },
    };
  }
  if (n.includes("plan")) {
    return {
      env,
      event: {
        input: { mode: "dry-run", runId: RUN_ID },
        defaultMaxChanges: "25",
        observation: c.observation,
      },
    };
  }
  if (n.includes("record")) return { env, event: { kind: "plan", plan: emptyPlan("dry-run") } };
  if (n.includes("pending") || n.includes("check")) {
    return { env, event: { run: { results: [], pending: [], polls: 0, holding: [] } } };
  }
  if (n.includes("verify")) {
    return { env, event: { plan: emptyPlan("apply"), results: [], observation: c.observation } };
  }
  return { env, event: { action: sampleAction(n, c) } };
}
