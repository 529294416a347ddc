/**
 * The S3 run store over a recording S3 object client: documents are JSON objects under the
 * configured prefix; a missing key is a StoredDocumentMissingError, and every other S3 error
 * reaches the caller unchanged (the workflow's Retry/Catch match it by name).
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  type ObjectInput,
  type PutObjectInput,
  type S3Metadata,
  type S3Objects,
  S3ServiceError,
} from "../../../src/aws/s3-objects";
import { StoredDocumentMissingError } from "../../../src/statemachine/run-store";
import { createS3RunStore, runStoreFromEnv } from "../../../src/statemachine/s3-run-store";
import { isStoredPlanStep, storeLargeStep } from "../../../src/statemachine/stored-documents";
import type { PlanStep } from "../../../src/statemachine/workflow-types";
import { action, plan } from "../../workflow/fake-world";

const BUCKET = "efs-reconciler-runs-123456789012";
const OK: S3Metadata = { httpStatusCode: 200, attempts: 1 };

/** What the S3 client was asked, and how it answers (every S3 client of a test shares them). */
const s3 = {
  puts: [] as PutObjectInput[],
  gets: [] as ObjectInput[],
  /** GetObject's answer: the object's text, or an error to throw. */
  onGet: (_input: ObjectInput): string | Error => new Error("no GetObject answer set"),
  onPut: (_input: PutObjectInput): Error | undefined => undefined,
  reset() {
    s3.puts = [];
    s3.gets = [];
    s3.onGet = () => new Error("no GetObject answer set");
    s3.onPut = () => undefined;
  },
};

function client(): S3Objects {
  return {
    async putObject(input) {
      s3.puts.push(input);
      const error = s3.onPut(input);
      if (error) throw error;
      return { $metadata: OK };
    },
    async getObject(input) {
      s3.gets.push(input);
      const answer = s3.onGet(input);
      if (answer instanceof Error) throw answer;
      return { Body: answer, $metadata: OK };
    },
    destroy: () => undefined,
  };
}

beforeEach(() => s3.reset());

describe("createS3RunStore", () => {
  it("puts a document as JSON under the prefix and returns its whole key", async () => {
    const store = createS3RunStore({ s3: client(), bucket: BUCKET, prefix: "efs-reconciler" });
    const ref = await store.put("runs/r1/plan.json", { runId: "r1", n: 1 });

    expect(ref).toEqual({ Bucket: BUCKET, Key: "efs-reconciler/runs/r1/plan.json" });
    const [call] = s3.puts;
    expect(call).toEqual({
      Bucket: BUCKET,
      Key: "efs-reconciler/runs/r1/plan.json",
      Body: '{"runId":"r1","n":1}',
      ContentType: "application/json",
    });
  });

  it("keeps a prefix ending in / as it is, and puts keys as they are without one", async () => {
    const slash = createS3RunStore({ s3: client(), bucket: BUCKET, prefix: "team/" });
    expect((await slash.put("a.json", 1)).Key).toBe("team/a.json");
    const none = createS3RunStore({ s3: client(), bucket: BUCKET });
    expect((await none.put("a.json", 1)).Key).toBe("a.json");
  });

  it("reads a document back by its reference (the bucket and whole key it names)", async () => {
    s3.onGet = (input) =>
      input.Bucket === "other-bucket" && input.Key === "x/manifest.json"
        ? '{"ResultFiles":{"SUCCEEDED":[]}}'
        : new S3ServiceError("NoSuchKey", "The specified key does not exist.", { attempts: 1 });
    const store = createS3RunStore({ s3: client(), bucket: BUCKET, prefix: "ignored-on-read" });
    await expect(store.get({ Bucket: "other-bucket", Key: "x/manifest.json" })).resolves.toEqual({
      ResultFiles: { SUCCEEDED: [] },
    });
  });

  it("turns NoSuchKey, and any other 404 on the key, into StoredDocumentMissingError", async () => {
    const store = createS3RunStore({ s3: client(), bucket: BUCKET });
    const ref = { Bucket: BUCKET, Key: "runs/r1/report.json" };
    s3.onGet = () => new S3ServiceError("NoSuchKey", "The specified key does not exist.", { attempts: 1 });
    const missing = await store.get(ref).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(StoredDocumentMissingError);
    expect((missing as Error).message).toContain(`s3://${BUCKET}/runs/r1/report.json`);

    s3.reset();
    s3.onGet = () =>
      new S3ServiceError("NotFound", "S3 answered 404 Not Found", { httpStatusCode: 404, attempts: 1 });
    await expect(store.get(ref)).rejects.toBeInstanceOf(StoredDocumentMissingError);
  });

  it("lets every other error through unchanged: a missing bucket, access denied, throttling", async () => {
    const store = createS3RunStore({ s3: client(), bucket: BUCKET });
    const ref = { Bucket: BUCKET, Key: "runs/r1/plan.json" };
    const errors = [
      new S3ServiceError("NoSuchBucket", "The specified bucket does not exist", {
        httpStatusCode: 404,
        attempts: 1,
      }),
      new S3ServiceError("AccessDenied", "Access Denied", { httpStatusCode: 403, attempts: 1 }),
      new S3ServiceError("SlowDown", "Please reduce your request rate.", {
        httpStatusCode: 503,
        attempts: 8,
      }),
    ];
    for (const error of errors) {
      s3.reset();
      s3.onGet = () => error;
      await expect(store.get(ref), error.name).rejects.toBe(error);
    }
    s3.reset();
    const denied = new S3ServiceError("AccessDenied", "Access Denied", { attempts: 1 });
    s3.onPut = () => denied;
    await expect(store.put("runs/r1/plan.json", {})).rejects.toBe(denied);
  });

  it("fails on an answer without a body or with a body that is not JSON", async () => {
    const store = createS3RunStore({ s3: client(), bucket: BUCKET });
    s3.onGet = () => "";
    await expect(store.get({ Bucket: BUCKET, Key: "k" })).rejects.toThrow(
      `s3://${BUCKET}/k came back without a body`,
    );
    s3.reset();
    s3.onGet = () => "<html>";
    await expect(store.get({ Bucket: BUCKET, Key: "k" })).rejects.toBeInstanceOf(SyntaxError);
  });

  it("stores a large step's phases with their results prefix next to the actions, under the prefix", async () => {
    const store = createS3RunStore({ s3: client(), bucket: BUCKET, prefix: "team" });
    const [a1, b1] = [action("a1", 1), action("b1", 2)];
    const step: PlanStep = {
      plan: plan("apply", [a1, b1], []),
      maxChanges: 25,
      counts: { actions: 2, autoDrift: 0 },
      refusal: "",
      phases: [
        { phase: 1, actions: [a1] },
        { phase: 2, actions: [b1] },
      ],
      phaseCount: 2,
      cursor: { next: 0 },
      run: { results: [], pending: [], polls: 0, holding: [] },
    };
    const stored = await storeLargeStep(step, store, 1);
    if (!isStoredPlanStep(stored)) throw new Error("the step was not stored");
    const runId = step.plan.runId;
    expect(stored.phases).toEqual([
      {
        phase: 1,
        count: 1,
        items: { Bucket: BUCKET, Key: `team/runs/${runId}/phase-1/actions.json` },
        resultPrefix: `team/runs/${runId}/phase-1/results`,
      },
      {
        phase: 2,
        count: 1,
        items: { Bucket: BUCKET, Key: `team/runs/${runId}/phase-2/actions.json` },
        resultPrefix: `team/runs/${runId}/phase-2/results`,
      },
    ]);
    const keys = s3.puts.map((c) => c.Key);
    expect(keys.sort()).toEqual(
      [
        `team/runs/${runId}/plan.json`,
        `team/runs/${runId}/phase-1/actions.json`,
        `team/runs/${runId}/phase-2/actions.json`,
      ].sort(),
    );
  });
});

describe("runStoreFromEnv", () => {
  it("is no store, and makes no client, when RUN_BUCKET is unset or blank", () => {
    let made = 0;
    const factory = () => {
      made++;
      return client();
    };
    expect(runStoreFromEnv({}, factory)).toBeUndefined();
    expect(runStoreFromEnv({ RUN_BUCKET: " ", RUN_PREFIX: "p" }, factory)).toBeUndefined();
    expect(made).toBe(0);
  });

  it("stores in RUN_BUCKET under RUN_PREFIX", async () => {
    const store = runStoreFromEnv({ RUN_BUCKET: BUCKET, RUN_PREFIX: "efs" }, client);
    expect(await store?.put("runs/r/plan.json", {})).toEqual({ Bucket: BUCKET, Key: "efs/runs/r/plan.json" });
    const plain = runStoreFromEnv({ RUN_BUCKET: BUCKET }, client);
    expect(await plain?.put("runs/r/plan.json", {})).toEqual({ Bucket: BUCKET, Key: "runs/r/plan.json" });
  });
});
