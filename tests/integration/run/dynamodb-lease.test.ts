/**
 * The deployed run lease over the wire (emulator DynamoDB and Step Functions): one execution holds
 * it; another is refused while the holder's execution runs and takes it over once that execution
 * has ended; an expired lease is taken over; many executions starting at once get it exactly once.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CreateStateMachineCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { emulatorRoleArn } from "../../../src/emulator/iam-role";
import { EMULATOR_REGION } from "../../../src/emulator/warm-up";
import { createDynamoLease, LEASE_KEY, runsTableDefinition } from "../../../src/lock/dynamodb-lease";
import type { LeaseRequest } from "../../../src/lock/run-lease";
import { emulatorEndpoint, resetEmulator } from "../../support/emulator";

const TABLE = "runs";
let dynamo: DynamoDBClient;
let sfn: SFNClient;
let stateMachineArn: string;

const request = (holder: string): LeaseRequest => ({
  holder,
  runId: "20261128T120000Z-0000abcd",
  mode: "apply",
});

async function startExecution(name: string): Promise<string> {
  const out = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: "{}" }));
  return out.executionArn ?? "";
}

async function holder(): Promise<string | undefined> {
  const out = await dynamo.send(
    new GetItemCommand({ TableName: TABLE, Key: LEASE_KEY, ConsistentRead: true }),
  );
  return out.Item?.holder?.S;
}

beforeAll(async () => {
  await resetEmulator();
  const endpoint = emulatorEndpoint();
  dynamo = new DynamoDBClient({ endpoint, region: EMULATOR_REGION, maxAttempts: 1 });
  sfn = new SFNClient({ endpoint, region: EMULATOR_REGION, maxAttempts: 1 });
  const machine = await sfn.send(
    new CreateStateMachineCommand({
      name: "lease-test",
      roleArn: emulatorRoleArn("efs-reconciler-states"),
      definition: JSON.stringify({ StartAt: "W", States: { W: { Type: "Wait", Seconds: 600, End: true } } }),
    }),
  );
  stateMachineArn = machine.stateMachineArn ?? "";
});

beforeEach(async () => {
  await dynamo.send(new DeleteTableCommand({ TableName: TABLE })).catch(() => undefined);
  await dynamo.send(new CreateTableCommand(runsTableDefinition(TABLE)));
});

afterAll(() => {
  dynamo?.destroy();
  sfn?.destroy();
});

describe("DynamoDB run lease", () => {
  it("is held by one running execution; another is refused, then takes over once it has ended", async () => {
    const lease = createDynamoLease({ dynamo, sfn, tableName: TABLE });
    const first = await startExecution("first");
    expect(await lease.acquire(request(first))).toEqual({ acquired: true });

    const second = await startExecution("second");
    const refused = await lease.acquire(request(second));
    expect(refused.acquired).toBe(false);
    if (!refused.acquired) {
      expect(refused.heldBy.holder).toBe(first);
      expect(refused.where).toBe(`in DynamoDB table ${TABLE}`);
    }
    expect(await holder()).toBe(first);

    await sfn.send(new StopExecutionCommand({ executionArn: first }));
    expect(await lease.acquire(request(second))).toEqual({ acquired: true });
    expect(await holder()).toBe(second);
  });

  it("takes over a lease whose execution does not exist, and releases only for its holder", async () => {
    const lease = createDynamoLease({ dynamo, sfn, tableName: TABLE });
    const gone = stateMachineArn.replace(":stateMachine:", ":execution:").concat(":never-started");
    expect(await lease.acquire(request(gone))).toEqual({ acquired: true });
    const next = await startExecution("next");
    expect(await lease.acquire(request(next))).toEqual({ acquired: true });
    await lease.release(gone);
    expect(await holder()).toBe(next);
    await lease.release(next);
    expect(await holder()).toBeUndefined();
  });

  it("takes over an expired lease without asking Step Functions", async () => {
    const start = new Date();
    const early = createDynamoLease({ dynamo, tableName: TABLE, now: () => start });
    expect(await early.acquire(request("local-holder"))).toEqual({ acquired: true });
    expect((await early.acquire(request("other"))).acquired).toBe(false);
    const late = createDynamoLease({
      dynamo,
      tableName: TABLE,
      now: () => new Date(start.getTime() + 3601_000),
    });
    expect(await late.acquire(request("other"))).toEqual({ acquired: true });
    expect(await holder()).toBe("other");
  });

  it("gives a free lease to exactly one of many executions starting at once", async () => {
    const lease = createDynamoLease({ dynamo, sfn, tableName: TABLE });
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => lease.acquire(request(`holder-${i}`))),
    );
    expect(outcomes.filter((o) => o.acquired)).toHaveLength(1);
  });
});
