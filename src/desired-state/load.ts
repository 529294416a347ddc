/**
 * Loading a manifest directory: find the YAML files, parse every document with positions, validate
 * each against its kind's schema, then check the set as a whole. Every problem of every file is
 * collected before returning, each located at the YAML node it is about.
 */
import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  visit,
} from "yaml";
import type { z } from "zod";
import { crossReferenceErrors, type DocumentIdentity, type LocatedValue } from "./cross-references";
import { displayPath } from "./display-path";
import { compareManifestErrors } from "./errors";
import { manifestErrorMap } from "./issue-messages";
import { findManifestFiles, type ManifestFile, type ReadResult, readManifestFile } from "./manifest-files";
import { manifestRevision, type RevisionInput } from "./revision";
import { isRecord, manifestSchemaByKind, unknownKindManifestSchema } from "./schema";
import { schemaIssuesToErrors } from "./schema-issues";
import type {
  AccessPointManifest,
  DesiredState,
  FileSystemManifest,
  Kind,
  LambdaFunctionManifest,
  ManifestError,
  ManifestObject,
  SourceLocation,
} from "./types";
import { describeValue } from "./wording";
import { positionOfPath } from "./yaml-position";

export type LoadResult =
  | { ok: true; state: DesiredState; files: string[] }
  | { ok: false; errors: ManifestError[] };

/** Alias expansions allowed per document before it counts as an alias bomb (the `yaml` default). */
export const MAX_ALIAS_COUNT = 100;
const READ_CONCURRENCY = 16;

function isKind(value: unknown): value is Kind {
  return typeof value === "string" && Object.hasOwn(manifestSchemaByKind, value);
}

async function readAll(files: readonly ManifestFile[]): Promise<ReadResult[]> {
  const results: ReadResult[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      results[index] = await readManifestFile(files[index]!.absolute);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, worker));
  return results;
}

/** Everything learnt while going through the documents of the directory. */
class Collector {
  readonly errors: ManifestError[] = [];
  readonly identities: DocumentIdentity[] = [];
  readonly fileSystems: FileSystemManifest[] = [];
  readonly accessPoints: AccessPointManifest[] = [];
  readonly functions: LambdaFunctionManifest[] = [];
  /**
   * Some object is unknown (a file that could not be read, a document without a known kind and a
   * name): references that point nowhere may point at it, so they are not reported yet.
   */
  incomplete = false;

  identify(parsed: ParsedFile): void {
    const identity = identify(parsed);
    if (identity === undefined) this.incomplete = true;
    else this.identities.push(identity);
  }

  error(file: string, position: { line: number; col: number }, object: string, message: string): void {
    this.errors.push({ file, line: position.line, col: position.col, object, message });
  }
}

interface ValidDocument<S> {
  metadata: { name: string; labels: Record<string, string> };
  spec: S;
}

interface ParsedFile {
  file: string;
  doc: Document;
  lineCounter: LineCounter;
}

/** The first alias of the document whose anchor does not come before it. */
function unresolvedAlias(doc: Document): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

/** The node at `keyPath`, following aliases at every step (`metadata: *m` names what `&m` holds). */
function nodeAt(doc: Document, keyPath: readonly string[]): unknown {
  let node: unknown = doc.contents;
  for (const key of keyPath) {
    const at = isAlias(node) ? node.resolve(doc) : node;
    if (!isMap(at)) return undefined;
    node = at.get(key, true);
  }
  return isAlias(node) ? node.resolve(doc) : node;
}

function plainString(doc: Document, keyPath: readonly string[]): string | undefined {
  const node = nodeAt(doc, keyPath);
  return isScalar(node) && typeof node.value === "string" && node.value !== "" ? node.value : undefined;
}

function located(parsed: ParsedFile, keyPath: readonly string[]): LocatedValue | undefined {
  const value = plainString(parsed.doc, keyPath);
  if (value === undefined) return undefined;
  const { line, col } = positionOfPath(parsed.doc, parsed.lineCounter, keyPath, "value");
  return { value, location: { file: parsed.file, line, col } };
}

/** Kind and name of a document, from its YAML nodes (works on documents that are otherwise invalid). */
function identify(parsed: ParsedFile): DocumentIdentity | undefined {
  const kind = plainString(parsed.doc, ["kind"]);
  if (!isKind(kind)) return undefined;
  const name = located(parsed, ["metadata", "name"]);
  if (name === undefined) return undefined;
  const identity: DocumentIdentity = { kind, name, object: `${kind}/${name.value}` };
  if (kind === "FileSystem") identity.fileSystemId = located(parsed, ["spec", "fileSystemId"]);
  if (kind === "AccessPoint") identity.fileSystem = located(parsed, ["spec", "fileSystem"]);
  if (kind === "LambdaFunction") {
    identity.accessPoint = located(parsed, ["spec", "accessPoint"]);
    identity.functionName = located(parsed, ["spec", "functionName"]);
  }
  return identity;
}

/** `KIND/NAME` when the document says both, else `-`. */
function objectLabel(doc: Document): string {
  const kind = plainString(doc, ["kind"]);
  const name = plainString(doc, ["metadata", "name"]);
  return kind !== undefined && name !== undefined ? `${kind}/${name}` : "-";
}

/** What a document that is not a mapping holds, without expanding aliases. */
function describeNode(node: unknown): string {
  if (isScalar(node)) return describeValue(node.value);
  if (isSeq(node)) return "a list";
  return "an alias";
}

function isEmptyDocument(doc: Document): boolean {
  const contents = doc.contents;
  return contents === null || (isScalar(contents) && contents.value === null);
}

/** The parser's message for the user; nesting deep enough to exhaust the stack says what to do. */
function yamlProblem(message: string): string {
  if (/Maximum call stack size exceeded/i.test(message)) {
    return "invalid YAML: nested too deeply to read: a manifest needs only a few levels of nesting, flatten this value";
  }
  return `invalid YAML: ${message}`;
}

function loadDocument(parsed: ParsedFile, out: Collector): void {
  const { doc, lineCounter, file } = parsed;
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    const object = objectLabel(doc);
    for (const problem of problems) {
      out.error(file, lineCounter.linePos(problem.pos[0]), object, yamlProblem(problem.message));
    }
    out.identify(parsed);
    return;
  }
  if (isEmptyDocument(doc)) return;
  const contents = doc.contents!;
  const start = lineCounter.linePos(contents.range?.[0] ?? 0);
  if (!isMap(contents)) {
    out.incomplete = true;
    out.error(
      file,
      start,
      "-",
      `a manifest must be a mapping with apiVersion, kind, metadata and spec, got ${describeNode(contents)}`,
    );
    return;
  }
  const object = objectLabel(doc);
  out.identify(parsed);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const unresolved = unresolvedAlias(doc);
    if (unresolved) {
      const at = lineCounter.linePos(unresolved.range?.[0] ?? 0);
      out.error(
        file,
        at,
        object,
        `alias *${unresolved.source} has no anchor &${unresolved.source} before it in this document: an anchor must come before its aliases, and anchors do not reach across documents (---)`,
      );
      return;
    }
    const message =
      error instanceof ReferenceError && /alias/i.test(error.message)
        ? `YAML aliases expand to too much data (more than ${MAX_ALIAS_COUNT} alias expansions; an alias bomb?): write the values out instead`
        : `cannot read this document: ${error instanceof Error ? error.message : String(error)}`;
    out.error(file, start, object, message);
    return;
  }
  // A string map cannot hold "__proto__" (the schema would drop it without a word): a label lost,
  // or a selector broader than written.
  const maps: (readonly string[])[] = [
    ["metadata", "labels"],
    ["spec", "selector", "tags"],
  ];
  for (const keyPath of maps) {
    const map = keyPath.reduce<unknown>((v, k) => (isRecord(v) ? v[k] : undefined), value);
    if (isRecord(map) && Object.hasOwn(map, "__proto__")) {
      const at = positionOfPath(doc, lineCounter, [...keyPath, "__proto__"], "key");
      out.error(file, at, object, `${keyPath.join(".")}: "__proto__" cannot be used as a key: rename it`);
    }
  }
  const source: SourceLocation = { file, line: start.line, col: start.col };
  const validate = <S extends z.ZodType>(schema: S): z.output<S> | undefined => {
    const result = schema.safeParse(value, { error: manifestErrorMap });
    if (result.success) return result.data;
    out.errors.push(...schemaIssuesToErrors(result.error.issues, { doc, lineCounter, file, object, schema }));
    return undefined;
  };
  const objectOf = <K extends Kind, S>(kind: K, m: ValidDocument<S>): ManifestObject<K, S> => ({
    kind,
    name: m.metadata.name,
    labels: m.metadata.labels,
    spec: m.spec,
    source,
  });
  const kind = isRecord(value) ? value.kind : undefined;
  switch (kind) {
    case "FileSystem": {
      const m = validate(manifestSchemaByKind.FileSystem);
      if (m) out.fileSystems.push(objectOf(kind, m));
      break;
    }
    case "AccessPoint": {
      const m = validate(manifestSchemaByKind.AccessPoint);
      if (m) out.accessPoints.push(objectOf(kind, m));
      break;
    }
    case "LambdaFunction": {
      const m = validate(manifestSchemaByKind.LambdaFunction);
      if (m) out.functions.push(objectOf(kind, m));
      break;
    }
    default:
      validate(unknownKindManifestSchema);
  }
}

function loadFile(file: string, read: ReadResult, out: Collector): void {
  if (!read.ok) {
    out.error(file, read.position ?? { line: 1, col: 1 }, "-", read.message);
    out.incomplete = true;
    return;
  }
  const lineCounter = new LineCounter();
  let docs: Document[];
  try {
    docs = parseAllDocuments(read.text, { lineCounter, prettyErrors: false }) as Document[];
  } catch (error) {
    out.error(
      file,
      { line: 1, col: 1 },
      "-",
      `cannot parse this file: ${error instanceof Error ? error.message : String(error)}`,
    );
    out.incomplete = true;
    return;
  }
  for (const doc of docs) loadDocument({ file, doc, lineCounter }, out);
}

function failure(errors: ManifestError[]): LoadResult {
  return { ok: false, errors: [...errors].sort(compareManifestErrors) };
}

/**
 * Loads and validates every manifest under `dir`. On success, the desired state with all defaults
 * applied; otherwise every error found, sorted by file, line and column.
 */
export async function loadDesiredState(dir: string): Promise<LoadResult> {
  const root = path.resolve(dir);
  const shown = (absolute: string) => displayPath(dir, absolute);
  const atRoot = (message: string): LoadResult =>
    failure([{ file: shown(root), line: 1, col: 1, object: "-", message }]);

  try {
    if (!(await stat(root)).isDirectory()) {
      return atRoot("not a directory: point to the directory that holds the manifests");
    }
  } catch {
    return atRoot(
      "manifest directory not found: create it, or point to the directory that holds the manifests",
    );
  }
  const realRoot = await realpath(root);
  const { files, problems } = await findManifestFiles(root);
  const out = new Collector();
  for (const problem of problems)
    out.error(shown(problem.absolute), { line: 1, col: 1 }, "-", problem.message);
  if (problems.length > 0) out.incomplete = true;
  if (files.length === 0 && problems.length === 0) {
    return atRoot("no manifests found: add *.yaml or *.yml files to this directory (subdirectories count)");
  }

  const reads = await readAll(files);
  files.forEach((f, i) => {
    loadFile(shown(f.absolute), reads[i]!, out);
  });
  out.errors.push(...crossReferenceErrors(out.identities, { checkReferences: !out.incomplete }));
  if (out.errors.length > 0) return failure(out.errors);
  if (out.fileSystems.length + out.accessPoints.length + out.functions.length === 0) {
    // As an empty directory: nothing to reconcile is almost always a mistake (all commented out).
    return atRoot(
      `no manifests found: the ${files.length === 1 ? "file holds" : `${files.length} files hold`} only comments or empty documents; add FileSystem, AccessPoint and LambdaFunction manifests`,
    );
  }

  const revisionInputs: RevisionInput[] = files.map((f, i) => {
    const read = reads[i]!;
    return { ...f, bytes: read.ok ? read.bytes : new Uint8Array() };
  });
  return {
    ok: true,
    files: files.map((f) => shown(f.absolute)),
    state: {
      fileSystems: out.fileSystems,
      accessPoints: out.accessPoints,
      functions: out.functions,
      revision: await manifestRevision(root, realRoot, revisionInputs),
    },
  };
}
