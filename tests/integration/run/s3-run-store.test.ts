/**
 * The S3 run store over the wire (emulator S3), through the product's S3 object client: documents
 * go in and come back as JSON, one far over the 256 KiB state payload limit included, and are the
 * objects the SDK's own S3 client reads and writes (keys with special characters included); a
 * missing key is StoredDocumentMissingError and a missing bucket is S3's own error; the results a ResultWriter writes are read back from S3; and a
 * plan stored by reference runs through the local engine on the S3 store exactly as inline.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createS3Objects, type S3Objects } from "../../../src/aws/s3-objects";
import { EMULATOR_REGION } from "../../../src/emulator/warm-up";
import { executeWorkflow } from "../../../src/statemachine/local-engine";
import {
  createMemoryRunStore,
  type RunStore,
  StoredDocumentMissingError,
} from "../../../src/statemachine/run-store";
import { createS3RunStore } from "../../../src/statemachine/s3-run-store";
import { loadPhaseResults } from "../../../src/statemachine/stored-documents";
import { emulatorEndpoint, resetEmulator } from "../../support/emulator";
import { action, fakeWorld, settingAction } from "../../workflow/fake-world";

const BUCKET = "efs-reconciler-runs";
/** The SDK's S3 client: sets the bucket up and looks at what the store wrote. */
let sdk: S3Client;
/** The product's S3 object client, which the store reads and writes through. */
let s3: S3Objects;

beforeAll(() => {
  sdk = new S3Client({
    endpoint: emulatorEndpoint(),
    region: EMULATOR_REGION,
    forcePathStyle: true,
    maxAttempts: 1,
  });
  s3 = createS3Objects({ endpoint: emulatorEndpoint(), region: EMULATOR_REGION, maxAttempts: 1 });
});

afterAll(() => {
  sdk.destroy();
  s3.destroy();
});

beforeEach(async () => {
  await resetEmulator();
  await sdk.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

describe("the S3 run store against the emulator", () => {
  it("stores JSON documents under the prefix and reads them back", async () => {
    const store = createS3RunStore({ s3, bucket: BUCKET, prefix: "team" });
    const ref = await store.put("runs/r1/plan.json", { runId: "r1", actions: [{ id: "a1" }] });
    expect(ref).toEqual({ Bucket: BUCKET, Key: "team/runs/r1/plan.json" });
    expect(await store.get(ref)).toEqual({ runId: "r1", actions: [{ id: "a1" }] });
    const head = await sdk.send(new HeadObjectCommand(ref));
    expect(head.ContentType).toBe("application/json");
  });

  it("round-trips a document far over the 256 KiB payload limit", async () => {
    const store = createS3RunStore({ s3, bucket: BUCKET });
    const actions = Array.from({ length: 3000 }, (_, i) => ({
      id: `action-${i}`,
      description: `authorize NFS from the functions' group on sg-${i.toString(16).padStart(17, "0")} — ünïcödé`,
    }));
    expect(Buffer.byteLength(JSON.stringify(actions))).toBeGreaterThan(256 * 1024);
    const ref = await store.put("runs/r1/phase-1/actions.json", actions);
    expect(await store.get(ref)).toEqual(actions);
  });

  it("writes a 300 KB document the SDK's client reads back byte for byte, and reads one the SDK wrote", async () => {
    const store = createS3RunStore({ s3, bucket: BUCKET });
    const document = {
      runId: "r1",
      text: "é".repeat(150_000),
      items: Array.from({ length: 1500 }, (_, i) => `item-${i}`),
    };
    const json = JSON.stringify(document);
    expect(Buffer.byteLength(json)).toBeGreaterThan(300 * 1000);
    const ref = await store.put("runs/r1/large.json", document);
    const read = await sdk.send(new GetObjectCommand(ref));
    expect(read.ContentType).toBe("application/json");
    expect(read.ContentLength).toBe(Buffer.byteLength(json));
    expect(await read.Body?.transformToString("utf-8")).toBe(json);

    await sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: "runs/r1/by-sdk.json", Body: json }));
    expect(await store.get({ Bucket: BUCKET, Key: "runs/r1/by-sdk.json" })).toEqual(document);
  });

  it("stores under keys with spaces, unicode, + and = exactly the key the SDK's client names", async () => {
    const store = createS3RunStore({ s3, bucket: BUCKET, prefix: "team a+b" });
    for (const key of ["runs/r 1/plan=1+2.json", "runs/ünïcödé/€ 100%.json", "runs/(x)!*'~/a&b;c,d.json"]) {
      const ref = await store.put(key, { key });
      const read = await sdk.send(new GetObjectCommand(ref));
      expect(JSON.parse((await read.Body?.transformToString()) ?? "null"), key).toEqual({ key });
      expect(await store.get(ref), key).toEqual({ key });
    }
  });

  it("a missing key is StoredDocumentMissingError; a missing bucket is S3's NoSuchBucket", async () => {
    const store = createS3RunStore({ s3, bucket: BUCKET });
    const missing = await store
      .get({ Bucket: BUCKET, Key: "runs/gone/report.json" })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(StoredDocumentMissingError);
    expect((missing as Error).message).toContain(`s3://${BUCKET}/runs/gone/report.json`);

    const noBucket = await store.get({ Bucket: "no-such-bucket", Key: "k" }).catch((e: unknown) => e);
    expect(noBucket).not.toBeInstanceOf(StoredDocumentMissingError);
    expect((noBucket as Error).name).toBe("NoSuchBucket");
  });

  it("reads a phase's results from the files and manifest a ResultWriter put in S3", async () => {
    const folder = "runs/r1/phase-1/results/6dbfba93-bcff-410b-9b5c-abf41ae9eddb";
    const put = (key: string, value: unknown) =>
      sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify(value) }));
    const result = (id: string) => ({ actionId: id, status: "succeeded", error: null, pending: [] });
    await put(`${folder}/SUCCEEDED_0.json`, [
      {
        Input: JSON.stringify({ action: { id: "a1" } }),
        Output: JSON.stringify(result("a1")),
        Status: "SUCCEEDED",
      },
    ]);
    await put(`${folder}/FAILED_0.json`, [
      {
        Input: JSON.stringify({ action: { id: "a2" } }),
        Status: "FAILED",
        Error: "Lambda.Unknown",
        Cause: "OOM",
      },
    ]);
    await put(`${folder}/manifest.json`, {
      DestinationBucket: BUCKET,
      MapRunArn: "arn:aws:states:us-east-1:123456789012:mapRun:sm/RunStoredActions:6dbfba93",
      ResultFiles: {
        FAILED: [{ Key: `${folder}/FAILED_0.json`, Size: 120 }],
        PENDING: [],
        SUCCEEDED: [{ Key: `${folder}/SUCCEEDED_0.json`, Size: 140 }],
      },
    });
    const store = createS3RunStore({ s3, bucket: BUCKET });
    const results = await loadPhaseResults(
      { ResultWriterDetails: { Bucket: BUCKET, Key: `${folder}/manifest.json` } },
      store,
    );
    expect(results).toEqual([
      result("a1"),
      { actionId: "a2", status: "failed", error: { Error: "Lambda.Unknown", Cause: "OOM" }, pending: [] },
    ]);
  });

  it("runs a plan stored by reference on the S3 store like an inline one", async () => {
    const actions = [action("a1", 1), action("a2", 1), action("b1", 2), action("c1", 3)];
    const run = async (store: RunStore, limit: number) => {
      const world = fakeWorld({ actions, store, inlineStepLimitBytes: limit });
      return executeWorkflow(world.tasks, { mode: "apply", maxChanges: 25 }, { fastWaits: true, store });
    };
    const inline = await run(createMemoryRunStore(), 10_000_000);
    const stored = await run(createS3RunStore({ s3, bucket: BUCKET }), 1);

    expect(stored.status).toBe("SUCCEEDED");
    expect(stored.report).toEqual(inline.report);
    const runId = stored.report.runId;
    const plan = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: `runs/${runId}/plan.json` }));
    expect(JSON.parse((await plan.Body?.transformToString()) ?? "null").actions).toHaveLength(actions.length);
  });

  it("a failed setting in a plan stored on S3 fails alone: the later phases run, as inline", async () => {
    const actions = [settingAction("s1"), action("a1", 1), action("b1", 2), action("c1", 3)];
    const run = async (store: RunStore, limit: number) => {
      const world = fakeWorld({
        actions,
        store,
        inlineStepLimitBytes: limit,
        behaviours: { s1: { kind: "terminal", message: "denied" } },
      });
      const result = await executeWorkflow(
        world.tasks,
        { mode: "apply", maxChanges: 25 },
        { fastWaits: true, store },
      );
      return { result, calls: world.calls };
    };
    const inline = await run(createMemoryRunStore(), 10_000_000);
    const stored = await run(createS3RunStore({ s3, bucket: BUCKET }), 1);

    expect(stored.result.status).toBe("FAILED");
    expect(stored.result.report).toEqual(inline.result.report);
    expect([stored.calls.b1, stored.calls.c1]).toEqual([1, 1]);
  });
});
