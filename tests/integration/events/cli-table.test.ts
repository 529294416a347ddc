import { tmpdir } from "node:os";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EMULATOR_REGION } from "../../../src/emulator/warm-up";
import { createEventsTable, DynamoRecordStore } from "../../../src/events/dynamodb-store";
import { createDynamoClient } from "../../../src/events/record-target";
import type { DriftEvent } from "../../../src/events/types";
import { emulatorEndpoint, resetEmulator } from "../../support/emulator";
import { runCli } from "../../unit/cli/run-cli";
import { recordHistory } from "../../unit/events/record-history";

const TABLE = "efs-reconciler-events";
let dynamodb: DynamoDBClient;

function tableArgs(): string[] {
  return ["--table", TABLE, "--endpoint-url", emulatorEndpoint(), "--region", EMULATOR_REGION];
}

beforeAll(() => {
  dynamodb = createDynamoClient({ endpoint: emulatorEndpoint(), region: EMULATOR_REGION, maxAttempts: 1 });
});

afterAll(() => {
  dynamodb.destroy();
});

beforeEach(async () => {
  await resetEmulator();
});

describe("status and events read from the deployed DynamoDB table", () => {
  it("prints the status and filtered events of the table", async () => {
    await createEventsTable(dynamodb, TABLE);
    await recordHistory(new DynamoRecordStore(dynamodb, TABLE), { runs: 2 });

    const status = await runCli(["status", ...tableArgs(), "--output", "json"], { cwd: tmpdir() });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      lastRun: { runId: "r2", stage: "verified" },
      summary: { objects: 3, inSync: 1, openDrift: 2 },
    });

    const events = await runCli(["events", ...tableArgs(), "--code", "FN_TIMEOUT", "--output", "json"]);
    expect(events.code).toBe(0);
    expect((JSON.parse(events.stdout) as DriftEvent[]).map((e) => `${e.runId} ${e.type}`)).toEqual([
      "r2 RemediationFailed",
      "r2 DriftDetected",
    ]);

    const byResource = await runCli(["events", ...tableArgs(), "--resource", "fs-0abc", "--output", "json"]);
    const onFileSystem = JSON.parse(byResource.stdout) as DriftEvent[];
    expect(onFileSystem.map((e) => e.drift.resource.id)).toEqual(Array(4).fill("fs-0abc"));
    // r2 applies: the lifecycle drift it sees again is remediated, the manual one persists.
    expect(onFileSystem.map((e) => `${e.runId} ${e.type} ${e.drift.code}`).sort()).toEqual([
      "r1 DriftDetected FS_LIFECYCLE_POLICY",
      "r1 DriftDetected FS_PERFORMANCE_MODE",
      "r2 DriftPersists FS_PERFORMANCE_MODE",
      "r2 DriftRemediated FS_LIFECYCLE_POLICY",
    ]);

    const text = await runCli(["status", ...tableArgs()], { cwd: tmpdir() });
    expect(text.stdout).toContain(`1 of 3 objects in sync; last run r2 (apply, verified)`);
  });

  it("exits 1 and names the option when the table does not exist", async () => {
    const run = await runCli(["events", ...tableArgs()]);
    expect(run.code).toBe(1);
    expect(run.stderrLines).toEqual([
      `error: DynamoDB table ${TABLE} was not found in ${EMULATOR_REGION}: pass the events table of the deployed stack with --table (and its --region)`,
    ]);
  });
});
