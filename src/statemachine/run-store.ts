/**
 * Where a run keeps documents too large for a Step Functions payload (256 KiB): the plan, each
 * phase's actions, the action results of a phase, the verified report. A stored document is named
 * like an S3 object (`Bucket`, `Key`), so a Distributed Map's ItemReader and ResultWriter can read
 * and write them directly. The local engine keeps them in memory; a deployment backs the same
 * interface with its S3 bucket.
 */

/** A stored document: an S3 object, or its in-memory stand-in. */
export interface StoredRef {
  Bucket: string;
  Key: string;
}

export interface RunStore {
  /** Stores `value` (JSON) under `key`; returns where it is. */
  put(key: string, value: unknown): Promise<StoredRef>;
  /** The stored JSON document; throws `StoredDocumentMissingError` when there is none. */
  get<T>(ref: StoredRef): Promise<T>;
}

/** What reading a run's documents back needs (the CLI reads, only the workflow's tasks write). */
export type RunStoreReader = Pick<RunStore, "get">;

export class StoredDocumentMissingError extends Error {
  override name = "StoredDocumentMissingError";
  constructor(ref: StoredRef) {
    super(
      `no stored document s3://${ref.Bucket}/${ref.Key}: it was deleted or never written; run the workflow again`,
    );
  }
}

/** A run store in this process's memory (local runs); documents are kept as JSON text. */
export function createMemoryRunStore(bucket = "efs-reconciler-local"): RunStore {
  const documents = new Map<string, string>();
  return {
    async put(key, value) {
      documents.set(key, JSON.stringify(value));
      return { Bucket: bucket, Key: key };
    },
    async get<T>(ref: StoredRef): Promise<T> {
      const text = ref.Bucket === bucket ? documents.get(ref.Key) : undefined;
      if (text === undefined) throw new StoredDocumentMissingError(ref);
      return JSON.parse(text) as T;
    },
  };
}
