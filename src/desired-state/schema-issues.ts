/** Turns zod issues of one YAML document into located manifest errors. */
import type { Document, LineCounter } from "yaml";
import { z } from "zod";
import type { ManifestError } from "./types";
import { formatFieldPath, suggestClosest } from "./wording";
import { type PathTarget, positionOfPath } from "./yaml-position";

export interface DocumentContext {
  doc: Document;
  lineCounter: LineCounter;
  file: string;
  /** `KIND/NAME` or `-`. */
  object: string;
  /** The schema the document was validated against (to list the fields it allows). */
  schema: z.ZodType;
}

type Schema = z.core.$ZodType;

function unwrap(schema: Schema): Schema {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodOptional) current = current.unwrap();
    else if (current instanceof z.ZodPipe) current = current.in;
    else return current;
  }
}

function objectsIn(schema: Schema): z.ZodObject[] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) return [inner];
  if (inner instanceof z.ZodUnion) return inner.options.flatMap((option) => objectsIn(option));
  return [];
}

function childOf(schema: Schema, segment: PropertyKey): Schema | undefined {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodArray) return inner.element;
  if (inner instanceof z.ZodRecord) return inner.valueType;
  for (const object of objectsIn(inner)) {
    const field = object.shape[String(segment)];
    if (field !== undefined) return field;
  }
  return undefined;
}

/** The field names the mapping at `path` allows. */
export function fieldsAt(schema: Schema, path: readonly PropertyKey[]): string[] {
  let current: Schema | undefined = schema;
  for (const segment of path) {
    if (current === undefined) return [];
    current = childOf(current, segment);
  }
  if (current === undefined) return [];
  return objectsIn(current).flatMap((object) => Object.keys(object.shape));
}

function unknownFieldMessage(key: string, allowed: readonly string[]): string {
  const suggestion = suggestClosest(key, allowed);
  if (suggestion !== undefined) return `unknown field: did you mean ${suggestion}?`;
  if (allowed.length === 0) return "unknown field: remove it";
  return `unknown field: allowed fields are ${allowed.join(", ")}`;
}

function locatedError(
  ctx: DocumentContext,
  path: readonly PropertyKey[],
  target: PathTarget,
  message: string,
): ManifestError {
  const { line, col } = positionOfPath(ctx.doc, ctx.lineCounter, path, target);
  const field = formatFieldPath(path);
  return {
    file: ctx.file,
    line,
    col,
    object: ctx.object,
    message: field === "" ? message : `${field}: ${message}`,
  };
}

/** A union fails as a whole; report the issues of the one branch whose shape the value has, if any. */
function branchIssues(issue: z.core.$ZodIssueInvalidUnion): z.core.$ZodIssue[] | undefined {
  const shaped = issue.errors.filter(
    (branch) =>
      !branch.some((i) => i.path.length === 0 && (i.code === "invalid_type" || i.code === "invalid_union")),
  );
  if (shaped.length !== 1) return undefined;
  return shaped[0]!.map((i) => ({ ...i, path: [...issue.path, ...i.path] }));
}

export function schemaIssuesToErrors(
  issues: readonly z.core.$ZodIssue[],
  ctx: DocumentContext,
): ManifestError[] {
  const errors: ManifestError[] = [];
  const visit = (issue: z.core.$ZodIssue) => {
    const path = issue.path as PropertyKey[];
    if (issue.code === "unrecognized_keys") {
      const allowed = fieldsAt(ctx.schema, path);
      for (const key of issue.keys) {
        errors.push(locatedError(ctx, [...path, key], "key", unknownFieldMessage(key, allowed)));
      }
      return;
    }
    if (issue.code === "invalid_union") {
      const inner = branchIssues(issue);
      if (inner !== undefined) {
        for (const i of inner) visit(i);
        return;
      }
    }
    errors.push(locatedError(ctx, path, "value", issue.message));
  };
  for (const issue of issues) visit(issue);
  return errors;
}
