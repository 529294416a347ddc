/**
 * The durable record of runs: drift events (what happened to each drift item in a run) and the
 * Kubernetes-style status of every manifest object (what is true now). Plain JSON data.
 */
import type { Kind } from "../desired-state/types";
import type { ActionStatus, ActionType, Drift, DriftCode, ResourceRef } from "../plan/types";

/**
 * The lifecycle of one drift item (its `id`) across runs:
 * - `DriftDetected`: a run observed it and it was not open before that run;
 * - `DriftPersists`: a run observed it again while it was open from an earlier run and will not
 *   fix it (manual drift, or any drift seen by a dry run). An apply that observes open auto drift
 *   again records no `DriftPersists`: its outcome gives `DriftRemediated` or `RemediationFailed`;
 * - `DriftRemediated`: an apply run's action covering it succeeded and the verifying observation
 *   no longer found it; it is closed;
 * - `RemediationFailed`: an apply run attempted it (an action covering it failed, or every
 *   covering action succeeded) and the verifying observation still found it; it stays open;
 * - `DriftResolved`: it was open, and it is gone without a successful action of ours; it is closed.
 *
 * Dry runs record `DriftDetected`, `DriftPersists` and `DriftResolved` only.
 */
export const DRIFT_EVENT_TYPES = [
  "DriftDetected",
  "DriftPersists",
  "DriftRemediated",
  "RemediationFailed",
  "DriftResolved",
] as const;

export type DriftEventType = (typeof DRIFT_EVENT_TYPES)[number];

export type RunMode = "dry-run" | "apply";

/** A planned action that covered the drift, with what became of it in the run. */
export interface EventAction {
  id: string;
  type: ActionType;
  phase: 1 | 2 | 3;
  resource: ResourceRef;
  description: string;
  status: ActionStatus;
  error: string | null;
}

export interface DriftEvent {
  /** Stable: a hash of runId + type + drift id, so recording a run again yields the same event. */
  eventId: string;
  type: DriftEventType;
  /** When the event was recorded (ISO 8601, UTC). */
  time: string;
  runId: string;
  mode: RunMode;
  manifestRevision: string;
  /** The drift item of contract §3 (for `DriftResolved`, as it was last observed). */
  drift: Drift;
  /** When this drift item was first detected (the start of the run that detected it). */
  detectedAt: string;
  /** The run that first detected it. */
  detectedRunId: string;
  /** `DriftRemediated` and `RemediationFailed`: the run's actions that covered the drift. */
  actions?: EventAction[];
  /** `RemediationFailed`: why. */
  error?: string;
  /** `DriftRemediated`: seconds from `detectedAt` to this event. */
  timeToRemediateSeconds?: number;
  /** The Step Functions execution that ran, when run in AWS. */
  executionArn?: string;
}

/** A drift item that is open: observed by the last run that looked, not closed since. */
export interface OpenDrift {
  drift: Drift;
  detectedAt: string;
  detectedRunId: string;
  lastSeenAt: string;
  lastSeenRunId: string;
  /** The last failed remediation of this item, kept until it closes. */
  lastFailure?: { runId: string; at: string; error: string };
}

export type ConditionType = "InSync" | "Drifted" | "RemediationFailed";

/** A Kubernetes-style condition: `lastTransitionTime` changes only when `status` flips. */
export interface Condition {
  type: ConditionType;
  status: "True" | "False";
  /** One CamelCase word. */
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** A manifest object as the record names it. */
export interface ManifestRef {
  kind: Kind;
  name: string;
  file: string;
}

export interface ObjectStatus extends ManifestRef {
  /** In the order InSync, Drifted, RemediationFailed. */
  conditions: Condition[];
  /** Ids of the object's open drift items. */
  openDrift: string[];
  /** When the last run compared this object with the live account. */
  lastReconciled: string;
  lastRunId: string;
  /** The manifest revision that run used. */
  observedRevision: string;
}

/** What one run did, in numbers (the report's timeline). */
export interface RunSummary {
  runId: string;
  mode: RunMode;
  startedAt: string;
  recordedAt: string;
  /** New drift items. */
  detected: number;
  /**
   * Drift items open from an earlier run and observed again, including auto drift an apply acted
   * on (which gets `DriftRemediated` / `RemediationFailed` rather than `DriftPersists`).
   */
  persisting: number;
  remediated: number;
  failed: number;
  resolved: number;
  /** Drift items open after the run. */
  open: number;
}

export interface RunInfo {
  runId: string;
  mode: RunMode;
  manifestRevision: string;
  /** When the run was first recorded (its plan); new drift counts as detected then. */
  startedAt: string;
  /** When the run was last recorded (its outcome, for an apply that got that far). */
  recordedAt: string;
  /**
   * Whether the record holds the run's verified outcome, only its plan, or the outcome of a run that
   * stopped before its verifying observation.
   */
  stage: "planned" | "verified" | "stopped";
  executionArn?: string;
}

/** The status document: `<state-dir>/status.json`, or one DynamoDB item. */
export interface StatusDocument {
  formatVersion: "1";
  /** Incremented by every write; a write expecting another version is refused (two runs at once). */
  version: number;
  lastRun: RunInfo;
  objects: ObjectStatus[];
  openDrift: OpenDrift[];
  /** The open drift before `lastRun` began: recording that run again derives the same events from it. */
  baseline: OpenDrift[];
  /** The latest runs, oldest first (at most `HISTORY_LIMIT`). */
  history: RunSummary[];
}

/** Filters of `efs-reconciler events`; every one set must match. */
export interface EventFilter {
  /** Events at or after this time. */
  since?: Date;
  code?: DriftCode;
  /** An AWS resource id, or a manifest object as `Kind/name`. */
  resource?: string;
  runId?: string;
}
