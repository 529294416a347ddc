/**
 * The run store inside a real function bundle: the check-pending bundle, built by
 * `scripts/build.mjs` as `sam build` builds it and run in a plain `node` process with only a
 * function's environment (role credentials in the environment, the Lambda credentials module in
 * place of the SDK's chain), reads a phase's results from the run bucket (emulator S3) through the
 * product's S3 object client, and names a document gone from the bucket. The bundle holds none of
 * the SDK's S3 client.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_REGION } from "../../src/emulator/warm-up";
import { emptyRun } from "../../src/statemachine/run-state";
import { emulatorEndpoint, resetEmulator } from "../support/emulator";
import { action, settingAction } from "../workflow/fake-world";
import { ROOT } from "./template";

const BUILD_TIMEOUT_MS = 300_000;
const BUCKET = "efs-reconciler-runs-bundle";

/** Loads the bundle, calls its handler with the event, and writes the outcome to a file. */
const HARNESS = `
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [bundle, eventJson, out] = process.argv.slice(2);
const mod = await import(pathToFileURL(bundle).href);
const report = {};
try {
  report.result = await mod.handler(JSON.parse(eventJson), {});
} catch (err) {
  report.error = { name: err?.name, message: err?.message };
}
writeFileSync(out, JSON.stringify(report));
`;

let dir: string;
let bundle: string;

function node(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: dir, env, timeout: BUILD_TIMEOUT_MS }, (error, _out, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(),
    );
  });
}

async function invoke(
  event: unknown,
): Promise<{ result?: unknown; error?: { name: string; message: string } }> {
  const out = join(dir, `out-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
  await node([join(dir, "harness.mjs"), bundle, JSON.stringify(event), out], {
    PATH: process.env.PATH,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_SESSION_TOKEN: "token",
    AWS_REGION: EMULATOR_REGION,
    AWS_ENDPOINT_URL: emulatorEndpoint(),
    AWS_MAX_ATTEMPTS: "1",
    RUN_BUCKET: BUCKET,
  });
  return JSON.parse(await readFile(out, "utf8"));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "efsr-run-store-bundle-"));
  await writeFile(join(dir, "harness.mjs"), HARNESS);
  await node(
    [join(ROOT, "scripts/build.mjs"), "--artifacts-dir", dir, "--handler", "check-pending"],
    process.env,
  );
  bundle = join(dir, "check-pending.mjs");
  await resetEmulator();
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Creates the run bucket (if need be) in the emulator's S3 and puts each document there as JSON. */
async function putInRunBucket(documents: Record<string, unknown>): Promise<void> {
  const s3 = new S3Client({
    endpoint: emulatorEndpoint(),
    region: EMULATOR_REGION,
    forcePathStyle: true,
    maxAttempts: 1,
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    for (const [key, value] of Object.entries(documents)) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify(value) }));
    }
  } finally {
    s3.destroy();
  }
}

describe("the check-pending bundle's run store", () => {
  it("holds the product's S3 object client, not the SDK's S3 client", async () => {
    const code = await readFile(bundle, "utf8");
    expect(code).not.toContain("AmazonS3");
    expect(code).not.toContain("x-amz-checksum-crc32");
    expect(code).toContain("x-amz-content-sha256");
  });

  it("reads a phase's results from the run bucket, and names a manifest gone from it", async () => {
    const folder = "runs/r 1/phase-1/results/6dbfba93";
    const result = { actionId: "a+1", status: "succeeded", error: null, pending: [] };
    await putInRunBucket({
      [`${folder}/SUCCEEDED_0.json`]: [
        {
          Input: JSON.stringify({ action: { id: "a+1" } }),
          Output: JSON.stringify(result),
          Status: "SUCCEEDED",
        },
      ],
      [`${folder}/manifest.json`]: {
        ResultFiles: { SUCCEEDED: [{ Key: `${folder}/SUCCEEDED_0.json`, Size: 1 }], FAILED: [], PENDING: [] },
      },
    });

    const read = await invoke({
      run: emptyRun(),
      phaseResults: { ResultWriterDetails: { Bucket: BUCKET, Key: `${folder}/manifest.json` } },
    });
    expect(read.error).toBeUndefined();
    expect(read.result).toMatchObject({
      polls: 0,
      results: [{ actionId: "a+1", status: "succeeded", error: null }],
    });

    const gone = await invoke({
      run: emptyRun(),
      phaseResults: { ResultWriterDetails: { Bucket: BUCKET, Key: "runs/gone/manifest.json" } },
    });
    expect(gone.error?.name).toBe("StoredDocumentMissingError");
    expect(gone.error?.message).toContain(`s3://${BUCKET}/runs/gone/manifest.json`);
  });

  it("reads a stored phase's actions from the run bucket: a failed rule holds the later phases back, a failed setting does not", async () => {
    const folder = "runs/r2/phase-1";
    const failed = (id: string) => ({ actionId: id, status: "failed", error: "denied", pending: [] });
    await putInRunBucket({ [`${folder}/actions.json`]: [settingAction("s1"), action("a1", 1)] });
    const phase = {
      phase: 1,
      count: 2,
      items: { Bucket: BUCKET, Key: `${folder}/actions.json` },
      resultPrefix: `${folder}/results`,
    };

    const setting = await invoke({ run: emptyRun(), phaseResults: [failed("s1")], phase });
    expect(setting.error).toBeUndefined();
    expect(setting.result).toMatchObject({ holding: [], results: [{ actionId: "s1", status: "failed" }] });

    const both = await invoke({ run: emptyRun(), phaseResults: [failed("s1"), failed("a1")], phase });
    expect(both.result).toMatchObject({ holding: ["a1"] });
  });
});
