/**
 * A scripted stand-in for AWS behind the real task functions: `createTasks` with a fake core
 * (observe, planChanges, reconcile, checkPending). Each action follows a behaviour; every start
 * and finish is logged in order, so tests check ordering and fan-out from the resulting log.
 */
import type { AwsClients } from "../../src/aws/clients";
import type { DesiredState } from "../../src/desired-state/types";
import type { StagedObservation } from "../../src/observe/stages";
import type { Action, Drift, Plan } from "../../src/plan/types";
import { RetryableReconcileError, TerminalReconcileError } from "../../src/reconcilers/errors";
import type { PendingCheck } from "../../src/reconcilers/pending";
import type { PendingResource } from "../../src/reconcilers/types";
import type { RunRecord } from "../../src/statemachine/run-record";
import type { RunStore } from "../../src/statemachine/run-store";
import type { TaskCore } from "../../src/statemachine/tasks";
import { createTasks } from "../../src/statemachine/workflow-tasks";
import type { WorkflowTasks } from "../../src/statemachine/workflow-types";

export const RUN_ID = "20261128T120000Z-0000abcd";

const DESIRED: DesiredState = { fileSystems: [], accessPoints: [], functions: [], revision: "sha256:test" };
/** Each observation stage's result for an account holding nothing the manifests name. */
export const EMPTY_OBSERVATION: StagedObservation = {
  sources: { region: "us-east-1", fileSystems: {}, functions: {}, mountedBy: {}, fileSystemPolicies: {} },
  network: { securityGroups: {}, mountTargetGroups: {}, subnets: {}, vpcSubnets: {}, routeTables: {} },
  checklist: { roles: {}, alarms: {} },
};

export function action(id: string, phase: 1 | 2 | 3): Action {
  const resource = { type: "AWS::EC2::SecurityGroup" as const, id: `sg-${id}` };
  const base = { id, phase, driftIds: [`drift-${id}`], resource, description: `action ${id}` };
  if (phase === 1) {
    return {
      ...base,
      type: "AuthorizeIngress",
      params: { groupId: `sg-${id}`, sourceGroupId: "sg-fn", port: 2049 },
    };
  }
  if (phase === 2) {
    return {
      ...base,
      type: "UpdateFunctionFileSystem",
      resource: { type: "AWS::Lambda::Function", id: `fn-${id}` },
      params: { functionName: `fn-${id}`, localMountPath: "/mnt/efs", target: { accessPointArn: "arn:ap" } },
    };
  }
  return {
    ...base,
    type: "RevokeIngress",
    params: {
      groupId: `sg-${id}`,
      ruleId: `sgr-${id}`,
      rule: {
        ruleId: `sgr-${id}`,
        groupId: `sg-${id}`,
        isEgress: false,
        ipProtocol: "tcp",
        fromPort: 2049,
        toPort: 2049,
        cidrIpv4: "0.0.0.0/0",
      },
    },
  };
}

/** A phase-1 setting no later change builds on: its failure does not hold the later phases back. */
export function settingAction(id: string): Action {
  return {
    id,
    phase: 1,
    driftIds: [`drift-${id}`],
    resource: { type: "AWS::EFS::FileSystem", id: `fs-${id}` },
    description: `action ${id}`,
    type: "PutLifecycleConfiguration",
    params: {
      fileSystemId: `fs-${id}`,
      transitionToIA: "AFTER_30_DAYS",
      transitionToPrimaryStorageClass: "",
    },
  };
}

export function drift(id: string, remediation: "auto" | "manual" = "auto"): Drift {
  return {
    id,
    code: remediation === "auto" ? "SG_INGRESS_MISSING" : "FS_NOT_ENCRYPTED",
    severity: "high",
    remediation,
    resource: { type: "AWS::EC2::SecurityGroup", id: `sg-${id}` },
    manifest: { kind: "FileSystem", name: "data", file: "desired-state/efs.yaml" },
    field: "ingress",
    expected: "x",
    actual: "y",
    message: `drift ${id}`,
  };
}

export function plan(mode: "dry-run" | "apply", actions: Action[], driftItems: Drift[]): Plan {
  const auto = driftItems.filter((d) => d.remediation === "auto").length;
  return {
    formatVersion: "1",
    mode,
    runId: RUN_ID,
    manifestRevision: "sha256:test",
    drift: driftItems,
    actions,
    summary: { drift: driftItems.length, auto, manual: driftItems.length - auto, actions: actions.length },
  };
}

export type Behaviour =
  | { kind: "succeed"; pending?: PendingResource[] }
  | { kind: "skip" }
  | { kind: "retryable"; times: number }
  | { kind: "terminal"; message: string };

export interface WorldOptions {
  actions: Action[];
  /** Drift of the first plan (default: one auto drift per action). */
  drift?: Drift[];
  /** Drift the verifying observation finds (default: none). */
  remaining?: Drift[];
  behaviours?: Record<string, Behaviour>;
  /** Answer to the n-th check (1-based) of pending resources (default: all ready). */
  check?: (resources: PendingResource[], n: number) => PendingCheck;
  /** Hold each action of the first phase until this many run at once (or the phase has no more). */
  fanOutBarrier?: number;
  /** Plans by reference: the tasks' run store and the size above which a plan step is stored. */
  store?: RunStore;
  inlineStepLimitBytes?: number;
  /** How many times recording a run record of each kind fails (a store that refuses it) before it succeeds. */
  recordFailures?: Partial<Record<RunRecord["kind"], number>>;
}

export interface World {
  tasks: WorkflowTasks;
  /** `start:ID` / `end:ID` / `check:N`, in the order they happened. */
  log: string[];
  records: RunRecord[];
  /** Attempts to record, of every kind, failed ones included. */
  recordAttempts: RunRecord["kind"][];
  calls: Record<string, number>;
  maxInFlight: () => number;
  checks: () => number;
  observations: () => number;
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

export function fakeWorld(options: WorldOptions): World {
  const log: string[] = [];
  const records: RunRecord[] = [];
  const recordAttempts: RunRecord["kind"][] = [];
  const calls: Record<string, number> = {};
  let inFlight = 0;
  let maxInFlight = 0;
  let checks = 0;
  let observations = 0;
  let planned = 0;

  const firstPhase = Math.min(...options.actions.map((a) => a.phase));
  const firstPhaseSize = options.actions.filter((a) => a.phase === firstPhase).length;
  let firstPhaseStarted = 0;
  let waiters: (() => void)[] = [];
  const releaseIfDue = () => {
    const target = options.fanOutBarrier ?? 0;
    if (inFlight >= target || firstPhaseStarted >= firstPhaseSize) {
      for (const w of waiters) w();
      waiters = [];
    }
  };
  const holdAtBarrier = async (a: Action) => {
    if (!options.fanOutBarrier || a.phase !== firstPhase) return;
    firstPhaseStarted++;
    const released = new Promise<void>((resolve) => {
      waiters.push(resolve);
      // A fallback so a wrong concurrency shows up as a failed assertion, not a hung test.
      setTimeout(resolve, 500);
    });
    releaseIfDue();
    await released;
  };

  const core: TaskCore = {
    observe: {
      sources: async () => {
        observations++;
        return EMPTY_OBSERVATION.sources;
      },
      network: async () => EMPTY_OBSERVATION.network,
      checklist: async () => EMPTY_OBSERVATION.checklist,
    },
    planChanges: (_desired, _observed, meta) => {
      planned++;
      if (planned === 1) {
        const d = options.drift ?? options.actions.map((a) => drift(`drift-${a.id}`));
        return { ...plan(meta.mode, options.actions, d), runId: meta.runId };
      }
      return { ...plan("apply", [], options.remaining ?? []), runId: meta.runId };
    },
    reconcile: async (a) => {
      calls[a.id] = (calls[a.id] ?? 0) + 1;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      log.push(`start:${a.id}`);
      try {
        await holdAtBarrier(a);
        await tick();
        const b = options.behaviours?.[a.id] ?? { kind: "succeed" };
        switch (b.kind) {
          case "retryable":
            if ((calls[a.id] ?? 0) <= b.times) {
              throw new RetryableReconcileError(`throttled on ${a.id}; retry later`);
            }
            return { actionId: a.id, status: "succeeded", message: `did ${a.id}`, pending: [] };
          case "terminal":
            throw new TerminalReconcileError(b.message);
          case "skip":
            return { actionId: a.id, status: "skipped", message: `${a.id} already in place`, pending: [] };
          default:
            return { actionId: a.id, status: "succeeded", message: `did ${a.id}`, pending: b.pending ?? [] };
        }
      } finally {
        inFlight--;
        log.push(`end:${a.id}`);
      }
    },
    checkPending: async (resources) => {
      checks++;
      log.push(`check:${checks}`);
      return options.check ? options.check(resources, checks) : { ready: true, pending: [], failed: [] };
    },
  };

  const tasks = createTasks(
    {
      loadDesired: async () => DESIRED,
      clients: {} as AwsClients,
      record: async (entry) => {
        recordAttempts.push(entry.kind);
        const failures = options.recordFailures?.[entry.kind] ?? 0;
        if (recordAttempts.filter((k) => k === entry.kind).length <= failures) {
          const err = new Error(`the record store throttled the ${entry.kind} record`);
          err.name = "ProvisionedThroughputExceededException";
          throw err;
        }
        records.push(entry);
      },
      newRunId: () => RUN_ID,
      now: () => new Date("2026-11-28T12:00:00Z"),
      ...(options.store ? { store: options.store } : {}),
      ...(options.inlineStepLimitBytes !== undefined
        ? { inlineStepLimitBytes: options.inlineStepLimitBytes }
        : {}),
    },
    core,
  );
  return {
    tasks,
    log,
    records,
    recordAttempts,
    calls,
    maxInFlight: () => maxInFlight,
    checks: () => checks,
    observations: () => observations,
  };
}
