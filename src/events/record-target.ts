/**
 * Builds where a run's record goes from configuration: the store (a DynamoDB table when one is
 * named, else the local state directory) and the extra sinks (EventBridge, CloudWatch).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { type ClientOptions, clientConfig } from "../aws/clients";
import { CloudWatchSink, type CloudWatchSinkOptions } from "./cloudwatch-sink";
import { DynamoRecordStore } from "./dynamodb-store";
import { EventBridgeSink } from "./eventbridge-sink";
import { LocalRecordStore } from "./local-store";
import type { RecordTarget } from "./record-run";
import type { EventSink, RecordStore } from "./sink";

export type RecordClientOptions = Pick<
  ClientOptions,
  "region" | "endpoint" | "profile" | "maxAttempts" | "credentials" | "requestHandler"
>;

export function createDynamoClient(options: RecordClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(clientConfig(options));
}

export function createEventBridgeClient(options: RecordClientOptions = {}): EventBridgeClient {
  return new EventBridgeClient(clientConfig(options));
}

export interface RecordTargetOptions {
  /** The local state directory; the store when no table is named. */
  stateDir?: string;
  /** DynamoDB table of events and status: the store when set. */
  tableName?: string;
  /** Publish events to this EventBridge bus (`default` for the account's default bus). */
  eventBusName?: string;
  /** Log events and emit EMF metrics (in Lambda: to CloudWatch). */
  cloudWatch?: boolean | CloudWatchSinkOptions;
  aws?: RecordClientOptions;
}

export class RecordConfigError extends Error {
  override name = "RecordConfigError";
}

/** The store to read and write; throws when neither a table nor a state directory is named. */
export function createRecordStore(
  options: Pick<RecordTargetOptions, "stateDir" | "tableName" | "aws">,
): RecordStore {
  if (options.tableName) return new DynamoRecordStore(createDynamoClient(options.aws), options.tableName);
  if (options.stateDir) return new LocalRecordStore(options.stateDir);
  throw new RecordConfigError(
    "no place to record runs: set a DynamoDB table (EVENTS_TABLE) or a state directory (STATE_DIR, --state-dir)",
  );
}

export function createRecordTarget(options: RecordTargetOptions): RecordTarget {
  const sinks: EventSink[] = [];
  if (options.eventBusName) {
    sinks.push(
      new EventBridgeSink(createEventBridgeClient(options.aws), {
        ...(options.eventBusName === "default" ? {} : { eventBusName: options.eventBusName }),
      }),
    );
  }
  if (options.cloudWatch) {
    sinks.push(new CloudWatchSink(options.cloudWatch === true ? {} : options.cloudWatch));
  }
  return { store: createRecordStore(options), sinks };
}

/**
 * The deployed configuration: `EVENTS_TABLE` (DynamoDB store), `STATE_DIR` (local store when no
 * table), `EVENT_BUS_NAME` (EventBridge), and CloudWatch logs and metrics inside Lambda
 * (`AWS_LAMBDA_FUNCTION_NAME` set) unless `EVENT_METRICS=off`.
 */
export function recordTargetFromEnv(env: Record<string, string | undefined>): RecordTarget {
  return createRecordTarget({
    ...(env.EVENTS_TABLE ? { tableName: env.EVENTS_TABLE } : {}),
    ...(env.STATE_DIR ? { stateDir: env.STATE_DIR } : {}),
    ...(env.EVENT_BUS_NAME ? { eventBusName: env.EVENT_BUS_NAME } : {}),
    cloudWatch: Boolean(env.AWS_LAMBDA_FUNCTION_NAME) && env.EVENT_METRICS !== "off",
  });
}
