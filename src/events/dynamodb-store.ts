/**
 * The record in DynamoDB (the deployed default): one table holds the events and the status.
 *
 * Keys (all strings):
 * - an event: `pk = RUN#<runId>`, `sk = EVENT#<eventId>` (the events of a run are one query);
 *   GSI `byResource`: `gsi1pk = RESOURCE#<resource id>`, `gsi1sk = <time>#<eventId>`;
 *   GSI `byTime`: `gsi2pk = EVENTS`, `gsi2sk = <time>#<eventId>` (newest first, `--since`);
 *   `expiresAt` (epoch seconds) is the table's TTL attribute.
 * - the status: `pk = STATUS`, `sk = CURRENT`, the document gzip-compressed in `document`
 *   (it can outgrow a readable item), `version` for optimistic concurrency.
 *
 * Events are written with `attribute_not_exists(pk)`: a retried write of the same event (same
 * id, so same key) is refused by DynamoDB and counts as written, so nothing is duplicated.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { selectEvents } from "./filter-events";
import { type RecordStore, StatusConflictError } from "./sink";
import type { DriftEvent, EventFilter, StatusDocument } from "./types";

export const RESOURCE_INDEX = "byResource";
export const TIME_INDEX = "byTime";
export const TTL_ATTRIBUTE = "expiresAt";
/** Days an event is kept before DynamoDB's TTL deletes it. */
export const DEFAULT_RETENTION_DAYS = 365;

const STATUS_KEY = { pk: { S: "STATUS" }, sk: { S: "CURRENT" } } satisfies Record<string, AttributeValue>;
const MANIFEST_KINDS = ["FileSystem/", "AccessPoint/", "LambdaFunction/"];
/** Parallel PutItem calls per batch. */
const PUT_CONCURRENCY = 10;
/** BatchGetItem's limit of keys per call. */
const BATCH_GET_LIMIT = 100;

/** The table's keys and indexes: the stack's template declares the same. */
export function eventsTableDefinition(tableName: string): CreateTableCommandInput {
  const index = (name: string, pk: string, sk: string) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: pk, KeyType: "HASH" as const },
      { AttributeName: sk, KeyType: "RANGE" as const },
    ],
    Projection: { ProjectionType: "ALL" as const },
  });
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"].map((name) => ({
      AttributeName: name,
      AttributeType: "S" as const,
    })),
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: [
      index(RESOURCE_INDEX, "gsi1pk", "gsi1sk"),
      index(TIME_INDEX, "gsi2pk", "gsi2sk"),
    ],
  };
}

/** Creates the table with its TTL (local runs and tests; the stack creates it in AWS). */
export async function createEventsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(eventsTableDefinition(tableName)));
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { Enabled: true, AttributeName: TTL_ATTRIBUTE },
    }),
  );
}

export function eventKey(event: Pick<DriftEvent, "runId" | "eventId">): Record<string, AttributeValue> {
  return { pk: { S: `RUN#${event.runId}` }, sk: { S: `EVENT#${event.eventId}` } };
}

function eventItem(event: DriftEvent, retentionDays: number): Record<string, AttributeValue> {
  const order = `${event.time}#${event.eventId}`;
  const expiresAt = Math.floor(Date.parse(event.time) / 1000) + retentionDays * 86_400;
  return {
    ...eventKey(event),
    gsi1pk: { S: `RESOURCE#${event.drift.resource.id}` },
    gsi1sk: { S: order },
    gsi2pk: { S: "EVENTS" },
    gsi2sk: { S: order },
    eventId: { S: event.eventId },
    type: { S: event.type },
    time: { S: event.time },
    runId: { S: event.runId },
    code: { S: event.drift.code },
    severity: { S: event.drift.severity },
    resourceType: { S: event.drift.resource.type },
    resourceId: { S: event.drift.resource.id },
    manifest: { S: `${event.drift.manifest.kind}/${event.drift.manifest.name}` },
    [TTL_ATTRIBUTE]: { N: String(expiresAt) },
    event: { S: JSON.stringify(event) },
  };
}

function parseEvent(item: Record<string, AttributeValue>): DriftEvent | undefined {
  const text = item.event?.S;
  return text === undefined ? undefined : (JSON.parse(text) as DriftEvent);
}

export interface DynamoRecordStoreOptions {
  retentionDays?: number;
}

export class DynamoRecordStore implements RecordStore {
  readonly name = "dynamodb";
  private readonly retentionDays: number;

  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
    options: DynamoRecordStoreOptions = {},
  ) {
    this.retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  }

  async unrecorded(events: readonly DriftEvent[]): Promise<DriftEvent[]> {
    const known = new Set<string>();
    for (let i = 0; i < events.length; i += BATCH_GET_LIMIT) {
      let keys: Record<string, AttributeValue>[] = events.slice(i, i + BATCH_GET_LIMIT).map(eventKey);
      while (keys.length > 0) {
        const out = await this.client.send(
          new BatchGetItemCommand({
            // Strongly consistent: an event written a moment ago (a retried step) must count as recorded.
            RequestItems: {
              [this.tableName]: { Keys: keys, ProjectionExpression: "eventId", ConsistentRead: true },
            },
          }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) {
          if (item.eventId?.S) known.add(item.eventId.S);
        }
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return events.filter((e) => !known.has(e.eventId));
  }

  private async putOne(event: DriftEvent): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: eventItem(event, this.retentionDays),
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (err) {
      // Written before (a retry, or the run recorded again): the same event, kept as first written.
      if (err instanceof ConditionalCheckFailedException) return;
      throw err;
    }
  }

  async put(events: readonly DriftEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += PUT_CONCURRENCY) {
      await Promise.all(events.slice(i, i + PUT_CONCURRENCY).map((e) => this.putOne(e)));
    }
  }

  private async queryAll(input: Omit<QueryCommandInput, "TableName">): Promise<DriftEvent[]> {
    const events: DriftEvent[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          ...input,
          TableName: this.tableName,
          ScanIndexForward: false,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        const e = parseEvent(item);
        if (e) events.push(e);
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return events;
  }

  /** One query chosen by the most selective filter; the rest are applied to its results. */
  async listEvents(filter: EventFilter = {}): Promise<DriftEvent[]> {
    let events: DriftEvent[];
    if (filter.runId) {
      events = await this.queryAll({
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :event)",
        ExpressionAttributeValues: { ":pk": { S: `RUN#${filter.runId}` }, ":event": { S: "EVENT#" } },
      });
    } else if (filter.resource && !MANIFEST_KINDS.some((k) => filter.resource?.startsWith(k))) {
      events = await this.queryAll({
        IndexName: RESOURCE_INDEX,
        KeyConditionExpression: "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": { S: `RESOURCE#${filter.resource}` } },
      });
    } else {
      events = await this.queryAll({
        IndexName: TIME_INDEX,
        KeyConditionExpression: filter.since ? "gsi2pk = :pk AND gsi2sk >= :since" : "gsi2pk = :pk",
        ExpressionAttributeValues: {
          ":pk": { S: "EVENTS" },
          ...(filter.since ? { ":since": { S: filter.since.toISOString() } } : {}),
        },
      });
    }
    return selectEvents(events, filter);
  }

  async readStatus(): Promise<StatusDocument | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: STATUS_KEY, ConsistentRead: true }),
    );
    const blob = out.Item?.document?.B;
    if (!blob) return undefined;
    return JSON.parse(gunzipSync(blob).toString("utf8")) as StatusDocument;
  }

  async writeStatus(status: StatusDocument, expectedVersion: number): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...STATUS_KEY,
            version: { N: String(status.version) },
            runId: { S: status.lastRun.runId },
            recordedAt: { S: status.lastRun.recordedAt },
            document: { B: gzipSync(JSON.stringify(status)) },
          },
          ...(expectedVersion === 0
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : {
                ConditionExpression: "#version = :expected",
                ExpressionAttributeNames: { "#version": "version" },
                ExpressionAttributeValues: { ":expected": { N: String(expectedVersion) } },
              }),
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw new StatusConflictError(`DynamoDB table ${this.tableName}`, expectedVersion, { cause: err });
      }
      throw err;
    }
  }
}
