/**
 * The durable record of runs: drift events, Kubernetes-style status, their stores and sinks,
 * and the HTML report. `recordRun` is what the workflow's record step calls.
 */
export { CloudWatchSink, type CloudWatchSinkOptions, METRICS_NAMESPACE } from "./cloudwatch-sink";
export { computeObjectStatus, isInSync, manifestRefs } from "./compute-status";
export { deriveRunLifecycle, eventId, type RunInput } from "./derive-events";
export { createEventsTable, DynamoRecordStore, eventsTableDefinition } from "./dynamodb-store";
export { EVENT_SOURCE, EventBridgeSink, type EventBridgeSinkOptions } from "./eventbridge-sink";
export { selectEvents } from "./filter-events";
export { LocalRecordStore } from "./local-store";
export { nextRecord } from "./next-record";
export { type RecordRunInput, type RecordRunResult, type RecordTarget, recordRun } from "./record-run";
export {
  createRecordStore,
  createRecordTarget,
  type RecordTargetOptions,
  recordTargetFromEnv,
} from "./record-target";
export { renderHtmlReport } from "./report-html";
export { buildReportModel } from "./report-model";
export { createRunRecorder, type RunRecorderOptions } from "./run-recorder";
export type { EventSink, RecordStore } from "./sink";
export type * from "./types";
