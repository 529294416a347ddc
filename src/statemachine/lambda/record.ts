/** Lambda entry of the workflow's RecordPlan, RecordRefusal, RecordStoppedRun and RecordOutcome states (bundled on its own: dist/lambda/record/). */
import { clientConfig } from "../../aws/clients";
import { createS3Objects } from "../../aws/s3-objects";
import { recordTargetFromEnv } from "../../events/record-target";
import { createRunRecorder } from "../../events/run-recorder";
import { compiledManifestsLoader, lambdaHandler, logLine, manifestDirFromEnv } from "../handlers";
import type { RecordRun } from "../run-record";
import { runStoreFromEnv } from "../s3-run-store";
import { createRecordTask } from "../tasks";

export const handler = lambdaHandler((env) => {
  const recordEntry = createRunRecorder(recordTargetFromEnv(env), {
    loadDesired: compiledManifestsLoader(manifestDirFromEnv(env)),
  });
  /** Records drift events and status, plus one log line per record. */
  const record: RecordRun = async (entry) => {
    await recordEntry(entry);
    const summary = entry.kind === "plan" ? entry.plan.summary : entry.report.summary;
    logLine(`recorded ${entry.kind}`, { runId: entry.runId, kind: entry.kind, summary });
  };
  const store = runStoreFromEnv(env, () => createS3Objects(clientConfig()));
  return createRecordTask({ record, log: (message) => logLine(message), ...(store ? { store } : {}) });
});
