/**
 * The workflow's record step as a drift record: adapts `recordRun` to the `RecordRun` function
 * the workflow's tasks call with each run record (the plan of every run, then an apply's
 * verified outcome).
 */
import type { RecordRun } from "../statemachine/run-record";
import type { ManifestSet } from "./compute-status";
import { type RecordTarget, recordRun } from "./record-run";

export interface RunRecorderOptions {
  /** The manifests of the run (the tasks' own loader). */
  loadDesired: () => Promise<ManifestSet>;
  /** The Step Functions execution, when known. */
  executionArn?: string;
}

export function createRunRecorder(target: RecordTarget, options: RunRecorderOptions): RecordRun {
  return async (entry) => {
    const desired = await options.loadDesired();
    const arn = options.executionArn ? { executionArn: options.executionArn } : {};
    if (entry.kind === "plan") await recordRun({ plan: entry.plan, desired, ...arn }, target);
    else {
      const unverified = entry.verified === false ? { verified: false as const } : {};
      await recordRun({ plan: entry.report, report: entry.report, desired, ...arn, ...unverified }, target);
    }
  };
}
