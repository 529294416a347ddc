/**
 * One run at a time: a run holds the lease from its first step (TakeLease) until it ends, so two
 * applies never interleave. A run that finds the lease held by a live run is skipped: it observes
 * and changes nothing and says who holds the lease.
 *
 * Two implementations: a lock file in the local state directory (the CLI) and a conditional write
 * in the deployment's runs table (AWS). Both take over a lease whose holder has ended (its process
 * or execution is gone) or whose time is up.
 */
import type { WorkflowMode } from "../statemachine/workflow-types";

/**
 * How long a lease lasts when its holder cannot be asked whether it still runs. Longer than the
 * workflow's own TimeoutSeconds (3000 s), so an unexpired lease always belongs to a run that may
 * still be applying.
 */
export const LEASE_SECONDS = 3600;

export interface LeaseRequest {
  /** Who asks: the Step Functions execution ARN, or a local run's execution id. */
  holder: string;
  runId: string;
  mode: WorkflowMode;
}

/** The run that holds the lease, as recorded when it took it. */
export interface LeaseHolder {
  holder: string;
  runId: string;
  mode: WorkflowMode;
  /** ISO 8601. */
  acquiredAt: string;
  /** ISO 8601: after this the lease is taken over whatever the holder's state. */
  expiresAt: string;
  /** Local runs: where the holding process runs. */
  pid?: number;
  hostname?: string;
}

/** The record of `request` taking the lease at `at` for `leaseMs`. */
export function newLeaseHolder(request: LeaseRequest, at: Date, leaseMs: number): LeaseHolder {
  return {
    holder: request.holder,
    runId: request.runId,
    mode: request.mode,
    acquiredAt: at.toISOString(),
    expiresAt: new Date(at.getTime() + leaseMs).toISOString(),
  };
}

export type LeaseOutcome = { acquired: true } | { acquired: false; heldBy: LeaseHolder; where: string };

export interface RunLease {
  /** Takes the lease, or reports the live run that holds it. Never waits. */
  acquire(request: LeaseRequest): Promise<LeaseOutcome>;
  /** Gives the lease back if `holder` still holds it (a no-op otherwise). */
  release(holder: string): Promise<void>;
}

/** What the TakeLease step returns when another run holds the lease. */
export interface SkippedRun {
  status: "skipped";
  runId: string;
  mode: WorkflowMode;
  /** One line that says why and what to do. */
  message: string;
  heldBy: LeaseHolder;
}

/** The one-line explanation of a skipped run. */
export function skippedMessage(heldBy: LeaseHolder, where: string): string {
  const process =
    heldBy.pid === undefined ? "" : `, pid ${heldBy.pid}${heldBy.hostname ? ` on ${heldBy.hostname}` : ""}`;
  return (
    `skipped: another run (${heldBy.mode} run ${heldBy.runId}${process}) has held the lease ${where} since ${heldBy.acquiredAt}, ` +
    `so this run observed and changed nothing. Run again once it has finished (a lease left by a run that ` +
    `ended without releasing it is taken over at once; it expires at ${heldBy.expiresAt} at the latest).`
  );
}

export function skippedRun(request: LeaseRequest, heldBy: LeaseHolder, where: string): SkippedRun {
  return {
    status: "skipped",
    runId: request.runId,
    mode: request.mode,
    message: skippedMessage(heldBy, where),
    heldBy,
  };
}

/** A workflow run that did not run because another one held the lease. */
export class RunSkippedError extends Error {
  override name = "RunSkippedError";
  readonly skipped: SkippedRun;
  constructor(skipped: SkippedRun) {
    super(skipped.message);
    this.skipped = skipped;
  }
}

/** Whether a parsed document is a skipped run (the output of a skipped execution). */
export function isSkippedRun(value: unknown): value is SkippedRun {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { status?: unknown }).status === "skipped" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}
