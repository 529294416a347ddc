/** Checks that need the whole manifest set: unique names, resolvable references, one manifest per function. */
import { functionNameOf } from "./function-name";
import type { ManifestError, SourceLocation } from "./types";
import { suggestClosest } from "./wording";

/** A field value and where it is written. */
export interface LocatedValue {
  value: string;
  location: SourceLocation;
}

/** What the cross-object checks need to know about one document. */
export interface DocumentIdentity {
  kind: string;
  name: LocatedValue;
  /** `KIND/NAME`. */
  object: string;
  /** AccessPoint: `spec.fileSystem`. */
  fileSystem?: LocatedValue;
  /** LambdaFunction: `spec.accessPoint`. */
  accessPoint?: LocatedValue;
  /** LambdaFunction: `spec.functionName`. */
  functionName?: LocatedValue;
  /** FileSystem: `spec.fileSystemId`, when it names one. */
  fileSystemId?: LocatedValue;
}

function at(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.col}`;
}

function missingReference(field: string, kind: string, ref: LocatedValue, known: readonly string[]): string {
  const suggestion = suggestClosest(ref.value, known);
  const next =
    suggestion !== undefined
      ? `did you mean "${suggestion}"?`
      : `add ${/^[AEIOU]/.test(kind) ? "an" : "a"} ${kind} manifest with metadata.name: ${ref.value}, or fix the name`;
  return `${field}: no ${kind} named "${ref.value}" in the manifests: ${next}`;
}

/**
 * Errors of the whole set, in document order. `checkReferences: false` skips the reference checks
 * (when some file could not be read, its objects are unknown and references to them are not wrong).
 */
export function crossReferenceErrors(
  documents: readonly DocumentIdentity[],
  options: { checkReferences: boolean },
): ManifestError[] {
  const errors: ManifestError[] = [];
  const error = (location: SourceLocation, object: string, message: string) =>
    errors.push({ ...location, object, message });

  const firstByKindAndName = new Map<string, DocumentIdentity>();
  const namesByKind = new Map<string, string[]>();
  for (const doc of documents) {
    const key = `${doc.kind}\0${doc.name.value}`;
    const first = firstByKindAndName.get(key);
    if (first !== undefined) {
      error(
        doc.name.location,
        doc.object,
        `metadata.name: duplicate ${doc.kind} "${doc.name.value}", first defined at ${at(first.name.location)}: rename one of them`,
      );
      continue;
    }
    firstByKindAndName.set(key, doc);
    const names = namesByKind.get(doc.kind) ?? [];
    names.push(doc.name.value);
    namesByKind.set(doc.kind, names);
  }

  const has = (kind: string, name: string) => firstByKindAndName.has(`${kind}\0${name}`);
  if (options.checkReferences) {
    for (const doc of documents) {
      if (doc.fileSystem !== undefined && !has("FileSystem", doc.fileSystem.value)) {
        const known = namesByKind.get("FileSystem") ?? [];
        error(
          doc.fileSystem.location,
          doc.object,
          missingReference("spec.fileSystem", "FileSystem", doc.fileSystem, known),
        );
      }
      if (doc.accessPoint !== undefined && !has("AccessPoint", doc.accessPoint.value)) {
        const known = namesByKind.get("AccessPoint") ?? [];
        error(
          doc.accessPoint.location,
          doc.object,
          missingReference("spec.accessPoint", "AccessPoint", doc.accessPoint, known),
        );
      }
    }
  }

  // One manifest per AWS resource: two would fight over its settings.
  const onePerTarget = (
    field: "functionName" | "fileSystemId",
    key: (value: string) => string,
    message: (target: string, first: DocumentIdentity, location: SourceLocation) => string,
  ) => {
    const firstByTarget = new Map<string, { doc: DocumentIdentity; location: SourceLocation }>();
    for (const doc of documents) {
      const located = doc[field];
      if (located === undefined) continue;
      const target = key(located.value);
      const first = firstByTarget.get(target);
      if (first === undefined) firstByTarget.set(target, { doc, location: located.location });
      else error(located.location, doc.object, message(target, first.doc, first.location));
    }
  };
  onePerTarget(
    "functionName",
    functionNameOf,
    (fn, first, location) =>
      `spec.functionName: function "${fn}" is already managed by ${first.object} at ${at(location)}: keep one manifest per function`,
  );
  onePerTarget(
    "fileSystemId",
    (id) => id,
    (id, first, location) =>
      `spec.fileSystemId: file system ${id} is already managed by ${first.object} at ${at(location)}: keep one manifest per file system`,
  );
  return errors;
}
