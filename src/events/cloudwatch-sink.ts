/**
 * CloudWatch, through the Lambda function's log stream: one structured log line per drift event
 * (Powertools Logger), and Embedded Metric Format documents (Powertools Metrics) that CloudWatch
 * turns into metrics — per drift code and severity: `DriftDetected`, `DriftRemediated`,
 * `RemediationFailed` (counts) and `TimeToRemediate` (seconds, one value per remediation).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { chunk } from "../aws/chunk";
import type { EventSink } from "./sink";
import type { DriftEvent } from "./types";

export const METRICS_NAMESPACE = "EfsReconciler";

/**
 * `TimeToRemediate` values per EMF document: EMF takes at most 100 values of a metric in one
 * document, and Powertools Metrics publishes by itself (to stdout, its dimensions then cleared) once
 * a metric holds 100, so each document stays below.
 */
const TIME_TO_REMEDIATE_PER_DOCUMENT = 99;
export const SERVICE_NAME = "efs-reconciler";

/** What the sink needs of a logger; a Powertools `Logger` is one. */
export interface StructuredLogger {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface CloudWatchSinkOptions {
  /** Default: a Powertools Logger for the service (JSON lines on stdout). */
  logger?: StructuredLogger;
  /** Receives each EMF document as one line; default: stdout (CloudWatch Logs in Lambda). */
  emit?: (line: string) => void;
  namespace?: string;
}

interface MetricGroup {
  code: string;
  severity: string;
  detected: number;
  remediated: number;
  failed: number;
  timeToRemediate: number[];
}

function groupByCodeAndSeverity(events: readonly DriftEvent[]): MetricGroup[] {
  const groups = new Map<string, MetricGroup>();
  for (const e of events) {
    const key = `${e.drift.code}/${e.drift.severity}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        code: e.drift.code,
        severity: e.drift.severity,
        detected: 0,
        remediated: 0,
        failed: 0,
        timeToRemediate: [],
      };
      groups.set(key, g);
    }
    if (e.type === "DriftDetected") g.detected++;
    if (e.type === "RemediationFailed") g.failed++;
    if (e.type === "DriftRemediated") {
      g.remediated++;
      if (e.timeToRemediateSeconds !== undefined) g.timeToRemediate.push(e.timeToRemediateSeconds);
    }
  }
  return [...groups.values()].filter((g) => g.detected + g.remediated + g.failed > 0);
}

export class CloudWatchSink implements EventSink {
  readonly name = "cloudwatch";
  private readonly logger: StructuredLogger;
  private readonly emit: (line: string) => void;
  private readonly namespace: string;

  constructor(options: CloudWatchSinkOptions = {}) {
    this.logger = options.logger ?? new Logger({ serviceName: SERVICE_NAME });
    this.emit = options.emit ?? ((line) => process.stdout.write(`${line}\n`));
    this.namespace = options.namespace ?? METRICS_NAMESPACE;
  }

  /**
   * The EMF documents for the events: per drift code and severity, one with the counts and up to
   * TIME_TO_REMEDIATE_PER_DOCUMENT `TimeToRemediate` values, and one more per further such values.
   */
  metricDocuments(events: readonly DriftEvent[]): Record<string, unknown>[] {
    return groupByCodeAndSeverity(events).flatMap((g) => {
      const chunks = chunk(g.timeToRemediate, TIME_TO_REMEDIATE_PER_DOCUMENT);
      return (chunks.length > 0 ? chunks : [[]]).map((values, i) => {
        const metrics = new Metrics({
          namespace: this.namespace,
          serviceName: SERVICE_NAME,
          logger: this.logger,
        });
        metrics.addDimension("Code", g.code);
        metrics.addDimension("Severity", g.severity);
        if (i === 0 && g.detected > 0) metrics.addMetric("DriftDetected", MetricUnit.Count, g.detected);
        if (i === 0 && g.remediated > 0) metrics.addMetric("DriftRemediated", MetricUnit.Count, g.remediated);
        if (i === 0 && g.failed > 0) metrics.addMetric("RemediationFailed", MetricUnit.Count, g.failed);
        for (const seconds of values) metrics.addMetric("TimeToRemediate", MetricUnit.Seconds, seconds);
        return metrics.serializeMetrics() as Record<string, unknown>;
      });
    });
  }

  async put(events: readonly DriftEvent[]): Promise<void> {
    for (const e of events) {
      this.logger.info(`${e.type} ${e.drift.code} ${e.drift.resource.id}`, {
        eventId: e.eventId,
        eventType: e.type,
        runId: e.runId,
        mode: e.mode,
        code: e.drift.code,
        severity: e.drift.severity,
        resource: e.drift.resource,
        manifest: e.drift.manifest,
        ...(e.error ? { error: e.error } : {}),
        ...(e.executionArn ? { executionArn: e.executionArn } : {}),
      });
    }
    for (const doc of this.metricDocuments(events)) this.emit(JSON.stringify(doc));
  }
}
