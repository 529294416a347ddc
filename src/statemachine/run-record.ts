/**
 * What a workflow run records: its plan (every run) and, after an apply, its outcome. The record
 * step hands each to a `RecordRun`; src/events/run-recorder.ts turns them into drift events and
 * status in the configured stores.
 */
import type { ApplyReport, Plan } from "../plan/types";

export type RunRecord =
  | { runId: string; kind: "plan"; recordedAt: string; plan: Plan }
  | {
      runId: string;
      kind: "outcome";
      recordedAt: string;
      report: ApplyReport;
      /** false: the run stopped before its verifying observation, `remaining` is the plan's drift. */
      verified?: false;
    };

export type RecordRun = (entry: RunRecord) => Promise<void>;
