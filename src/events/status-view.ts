/**
 * The rows `efs-reconciler status` prints: the recorded objects of the last run, or, given a
 * manifest directory, one row per object those manifests hold — recorded or not compared with the
 * live account yet — and the recorded objects they no longer hold. Pure.
 */
import { isInSync, type ManifestSet, manifestRefs, objectKey } from "./compute-status";
import type { ManifestRef, ObjectStatus, OpenDrift, StatusDocument } from "./types";

/** A manifest object no recorded run has compared with the live account yet. */
export interface UnreconciledObject extends ManifestRef {
  conditions: [];
  openDrift: [];
  lastReconciled: null;
  lastRunId: null;
  observedRevision: null;
}

export type StatusRow = ObjectStatus | UnreconciledObject;

export interface StatusView {
  rows: StatusRow[];
  /** The open drift of the rows' objects. */
  openDrift: OpenDrift[];
  /** Set when the rows are a manifest directory's objects. */
  manifests?: {
    dir: string;
    revision: string;
    /** Recorded objects the manifests no longer hold. */
    notInManifests: ManifestRef[];
  };
}

export function isReconciled(row: StatusRow): row is ObjectStatus {
  return row.lastReconciled !== null;
}

export function rowInSync(row: StatusRow): boolean {
  return isReconciled(row) && isInSync(row);
}

/** The last run's objects as recorded (no record: none). */
export function recordedView(doc: StatusDocument | undefined): StatusView {
  return { rows: doc?.objects ?? [], openDrift: doc?.openDrift ?? [] };
}

/** One row per object of `desired` (the manifests in `dir`), in manifest order. */
export function manifestView(
  doc: StatusDocument | undefined,
  desired: ManifestSet & { revision: string },
  dir: string,
): StatusView {
  const recorded = new Map((doc?.objects ?? []).map((o) => [objectKey(o), o]));
  const refs = manifestRefs(desired);
  const wanted = new Set(refs.map(objectKey));
  const rows = refs.map((ref): StatusRow => {
    const status = recorded.get(objectKey(ref));
    if (status) return { ...status, file: ref.file };
    return {
      ...ref,
      conditions: [],
      openDrift: [],
      lastReconciled: null,
      lastRunId: null,
      observedRevision: null,
    };
  });
  return {
    rows,
    openDrift: (doc?.openDrift ?? []).filter((o) => wanted.has(objectKey(o.drift.manifest))),
    manifests: {
      dir,
      revision: desired.revision,
      notInManifests: (doc?.objects ?? [])
        .filter((o) => !wanted.has(objectKey(o)))
        .map((o) => ({ kind: o.kind, name: o.name, file: o.file })),
    },
  };
}
