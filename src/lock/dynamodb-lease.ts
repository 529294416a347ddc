/**
 * The deployed lease: one item of the runs table, written with a condition so exactly one
 * execution holds it. The holder is the Step Functions execution ARN; a lease whose execution is
 * no longer RUNNING (it failed, timed out or was stopped before it got to the end) is taken over
 * with a compare-and-swap on the holder, and an expired lease is taken over whatever happened.
 *
 * Item (runs table, keys `pk`/`sk`, TTL attribute `expiresAt`):
 *   pk = "LEASE", sk = "run", holder, runId, mode, acquiredAt (ISO 8601),
 *   leaseExpiresAt (epoch seconds, checked by the condition), expiresAt (epoch seconds, TTL).
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type CreateTableCommandInput,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { DescribeExecutionCommand, ExecutionDoesNotExist, type SFNClient } from "@aws-sdk/client-sfn";
import type { WorkflowMode } from "../statemachine/workflow-types";
import {
  LEASE_SECONDS,
  type LeaseHolder,
  type LeaseOutcome,
  newLeaseHolder,
  type RunLease,
} from "./run-lease";

/** The partition key of the lease item: the take-lease function's role may write only this partition. */
export const LEASE_PARTITION = "LEASE";
export const LEASE_KEY = { pk: { S: LEASE_PARTITION }, sk: { S: "run" } } satisfies Record<
  string,
  AttributeValue
>;
/** The runs table's keys (the stack's template declares the same; local runs and tests create it). */
export function runsTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
  };
}

/** The runs table's TTL attribute (epoch seconds). */
export const RUNS_TTL_ATTRIBUTE = "expiresAt";
/** Days an expired lease item is kept (for "who ran last") before TTL removes it. */
const KEEP_DAYS = 7;

export interface DynamoLeaseOptions {
  dynamo: DynamoDBClient;
  tableName: string;
  /** Asks whether the holding execution still runs; without it only expiry frees a lease. */
  sfn?: SFNClient;
  now?: () => Date;
  leaseSeconds?: number;
}

function item(lease: LeaseHolder): Record<string, AttributeValue> {
  const expires = Math.floor(Date.parse(lease.expiresAt) / 1000);
  return {
    ...LEASE_KEY,
    holder: { S: lease.holder },
    runId: { S: lease.runId },
    mode: { S: lease.mode },
    acquiredAt: { S: lease.acquiredAt },
    leaseExpiresAt: { N: String(expires) },
    [RUNS_TTL_ATTRIBUTE]: { N: String(expires + KEEP_DAYS * 86_400) },
  };
}

function holderOf(found: Record<string, AttributeValue> | undefined): LeaseHolder | undefined {
  if (!found) return undefined;
  const seconds = Number(found.leaseExpiresAt?.N);
  return {
    holder: found.holder?.S ?? "unknown",
    runId: found.runId?.S ?? "unknown",
    mode: (found.mode?.S as WorkflowMode | undefined) ?? "apply",
    acquiredAt: found.acquiredAt?.S ?? "an unknown time",
    expiresAt: Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : "an unknown time",
  };
}

const UNKNOWN_HOLDER: LeaseHolder = {
  holder: "unknown",
  runId: "unknown",
  mode: "apply",
  acquiredAt: "an unknown time",
  expiresAt: "an unknown time",
};

function conditionFailed(err: unknown): boolean {
  return (
    err instanceof ConditionalCheckFailedException ||
    (err as { name?: string }).name === "ConditionalCheckFailedException"
  );
}

export function createDynamoLease(options: DynamoLeaseOptions): RunLease {
  const { dynamo, tableName, sfn } = options;
  const now = options.now ?? (() => new Date());
  const leaseMs = (options.leaseSeconds ?? LEASE_SECONDS) * 1000;
  const where = `in DynamoDB table ${tableName}`;

  async function read(): Promise<LeaseHolder | undefined> {
    const out = await dynamo.send(
      new GetItemCommand({ TableName: tableName, Key: LEASE_KEY, ConsistentRead: true }),
    );
    return holderOf(out.Item);
  }

  /** Whether the holding execution has ended (or no longer exists). */
  async function holderEnded(holder: string): Promise<boolean> {
    if (!sfn || !holder.startsWith("arn:")) return false;
    try {
      const out = await sfn.send(new DescribeExecutionCommand({ executionArn: holder }));
      return out.status !== "RUNNING";
    } catch (err) {
      if (
        err instanceof ExecutionDoesNotExist ||
        (err as { name?: string }).name === "ExecutionDoesNotExist"
      ) {
        return true;
      }
      throw err;
    }
  }

  async function put(
    lease: LeaseHolder,
    condition: string,
    values: Record<string, AttributeValue>,
  ): Promise<boolean> {
    try {
      await dynamo.send(
        new PutItemCommand({
          TableName: tableName,
          Item: item(lease),
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  return {
    async acquire(request): Promise<LeaseOutcome> {
      const at = now();
      const lease = newLeaseHolder(request, at, leaseMs);
      const free = "attribute_not_exists(pk) OR leaseExpiresAt <= :now OR holder = :holder";
      const freeValues = {
        ":now": { N: String(Math.floor(at.getTime() / 1000)) },
        ":holder": { S: request.holder },
      };
      for (let attempt = 0; attempt < 2; attempt++) {
        if (await put(lease, free, freeValues)) return { acquired: true };
        const current = await read();
        // Released in between: try again.
        if (!current) continue;
        if (!(await holderEnded(current.holder))) return { acquired: false, heldBy: current, where };
        const taken = await put(lease, "holder = :old AND acquiredAt = :oldAt", {
          ":old": { S: current.holder },
          ":oldAt": { S: current.acquiredAt },
        });
        if (taken) return { acquired: true };
        // Another run took it over first: look again.
      }
      const last = await read();
      return { acquired: false, heldBy: last ?? UNKNOWN_HOLDER, where };
    },

    async release(holder) {
      try {
        await dynamo.send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: LEASE_KEY,
            ConditionExpression: "holder = :holder",
            ExpressionAttributeValues: { ":holder": { S: holder } },
          }),
        );
      } catch (err) {
        if (!conditionFailed(err)) throw err;
      }
    },
  };
}
