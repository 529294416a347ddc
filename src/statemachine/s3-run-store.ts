/**
 * The run store of a deployment: each document a JSON object in the stack's run bucket, where the
 * RunStoredActions Distributed Map reads a phase's actions (ItemReader) and writes their results
 * (ResultWriter). A document that is not there (expired by the bucket's lifecycle rule, or deleted)
 * is a `StoredDocumentMissingError`; every other S3 error reaches the caller unchanged, so the
 * workflow's Retry and Catch see it as S3 reported it.
 */
import type { S3Objects } from "../aws/s3-objects";
import { type RunStore, StoredDocumentMissingError, type StoredRef } from "./run-store";

/** The functions' environment variable naming the run bucket (infra-sam/template.yaml). */
export const RUN_BUCKET_ENV = "RUN_BUCKET";
/** Optional key prefix of every document the functions store. */
export const RUN_PREFIX_ENV = "RUN_PREFIX";

export interface S3RunStoreOptions {
  s3: S3Objects;
  /** Where documents are put. A document is read from the bucket its reference names. */
  bucket: string;
  /** Put before every key stored (a `/` is added when it has none); references carry the whole key. */
  prefix?: string;
}

/** GetObject of a key that does not exist (S3 says 404 only to a caller allowed s3:ListBucket). */
function isMissingKey(err: unknown): boolean {
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  if (e?.name === "NoSuchKey") return true;
  return e?.$metadata?.httpStatusCode === 404 && e.name !== "NoSuchBucket";
}

export function createS3RunStore(options: S3RunStoreOptions): RunStore {
  const { s3, bucket } = options;
  const prefix =
    options.prefix && !options.prefix.endsWith("/") ? `${options.prefix}/` : (options.prefix ?? "");
  return {
    async put(key, value) {
      const ref: StoredRef = { Bucket: bucket, Key: `${prefix}${key}` };
      await s3.putObject({ ...ref, Body: JSON.stringify(value), ContentType: "application/json" });
      return ref;
    },
    async get<T>(ref: StoredRef): Promise<T> {
      let text: string;
      try {
        text = (await s3.getObject({ Bucket: ref.Bucket, Key: ref.Key })).Body;
      } catch (err) {
        if (isMissingKey(err)) throw new StoredDocumentMissingError(ref);
        throw err;
      }
      if (text === "") throw new Error(`s3://${ref.Bucket}/${ref.Key} came back without a body`);
      return JSON.parse(text) as T;
    },
  };
}

/**
 * The run store a function's environment configures: the `RUN_BUCKET` bucket (keys under
 * `RUN_PREFIX`, if set), or none when `RUN_BUCKET` is unset. The S3 client is made only then.
 */
export function runStoreFromEnv(
  env: Record<string, string | undefined>,
  s3Factory: () => S3Objects,
): RunStore | undefined {
  const bucket = env[RUN_BUCKET_ENV]?.trim();
  if (!bucket) return undefined;
  const prefix = env[RUN_PREFIX_ENV]?.trim();
  return createS3RunStore({ s3: s3Factory(), bucket, ...(prefix ? { prefix } : {}) });
}
