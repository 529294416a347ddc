/**
 * What a workflow run records: its plan (every run) and, after an apply, its outcome. The default
 * store is a JSON Lines file in the state directory, one record per line, appended.
 */
import { appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { ApplyReport, Plan } from "../plan/types";

export type RunRecord =
  | { runId: string; kind: "plan"; recordedAt: string; plan: Plan }
  | { runId: string; kind: "outcome"; recordedAt: string; report: ApplyReport };

export type RecordRun = (entry: RunRecord) => Promise<void>;

/** File name of the run records inside the state directory. */
export const RUNS_FILE = "runs.jsonl";

/** A recorder appending each record as one line to `<stateDir>/runs.jsonl` (created when missing). */
export function createFileRecorder(stateDir: string): RecordRun {
  const file = join(stateDir, RUNS_FILE);
  return async (entry) => {
    await mkdir(stateDir, { recursive: true });
    await appendFile(file, `${JSON.stringify(entry)}\n`, "utf8");
  };
}
