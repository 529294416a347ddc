/**
 * A recorded history for the CLI and report tests: four runs over two objects' drift.
 * r1 (dry-run) detects a lifecycle drift and a manual performance-mode drift; r2 (apply) fixes
 * the lifecycle drift and fails to fix a timeout; r3 (apply) fixes the timeout; r4 (dry-run)
 * finds the manual drift gone. Events: r1 detects 2; r2 records the manual drift persisting, the
 * timeout detected and failed, the lifecycle drift remediated (4); r3 the manual drift persisting
 * and the timeout remediated (2); r4 the manual drift resolved (1): 9 in all.
 */
import { LocalRecordStore } from "../../../src/events/local-store";
import { recordRun } from "../../../src/events/record-run";
import type { RecordStore } from "../../../src/events/sink";
import {
  AP_REF,
  actionFor,
  desiredOf,
  driftOf,
  FN_REF,
  FS_REF,
  planOf,
  reportOf,
  steppingClock,
} from "./fixtures";

export const HISTORY_START = "2026-11-20T04:00:00.000Z";
export const lifecycle = driftOf("FS_LIFECYCLE_POLICY", "fs-0abc");
export const manual = driftOf("FS_PERFORMANCE_MODE", "fs-0abc");
export const timeout = driftOf("FN_TIMEOUT", "inference", FN_REF);
export const desired = desiredOf(FS_REF, AP_REF, FN_REF);

/** Records the history into `store`; runs are one hour apart, recordings a minute apart within a run. */
export async function recordHistory(store: RecordStore, options: { runs?: number } = {}): Promise<void> {
  const runs = options.runs ?? 4;
  const hourly = steppingClock(HISTORY_START, 3600);
  const at = () => {
    const start = hourly().getTime();
    let minute = 0;
    return () => new Date(start + 60_000 * minute++);
  };
  const fixLifecycle = actionFor([lifecycle]);
  const fixTimeout = actionFor([timeout]);

  if (runs < 1) return;
  await recordRun({ plan: planOf("r1", "dry-run", [lifecycle, manual]), desired }, { store, now: at() });
  if (runs < 2) return;
  const now2 = at();
  const plan2 = planOf("r2", "apply", [lifecycle, manual, timeout], [fixLifecycle, fixTimeout]);
  await recordRun({ plan: plan2, desired }, { store, now: now2 });
  await recordRun(
    { plan: plan2, report: reportOf(plan2, { [fixTimeout.id]: "failed" }, [manual, timeout]), desired },
    { store, now: now2 },
  );
  if (runs < 3) return;
  const now3 = at();
  const plan3 = planOf("r3", "apply", [manual, timeout], [fixTimeout]);
  await recordRun({ plan: plan3, desired }, { store, now: now3 });
  await recordRun({ plan: plan3, report: reportOf(plan3, {}, [manual]), desired }, { store, now: now3 });
  if (runs < 4) return;
  await recordRun({ plan: planOf("r4", "dry-run", []), desired }, { store, now: at() });
}

export async function localHistory(
  stateDir: string,
  options: { runs?: number } = {},
): Promise<LocalRecordStore> {
  const store = new LocalRecordStore(stateDir);
  await recordHistory(store, options);
  return store;
}
