/**
 * Messages for the generic zod issues (wrong type, enum value, size); rule-specific messages
 * live on the schemas themselves and take precedence.
 */
import type { z } from "zod";
import { describeValue } from "./wording";

const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
  record: "a mapping",
};

const NUMERIC = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;

function typeHint(expected: string, input: unknown): string {
  if (
    (expected === "number" || expected === "int") &&
    typeof input === "string" &&
    NUMERIC.test(input.trim())
  ) {
    return ": remove the quotes";
  }
  if (expected === "string" && (typeof input === "number" || typeof input === "boolean")) {
    return `: quote it ("${String(input)}")`;
  }
  if (expected === "boolean" && (input === "true" || input === "false")) return ": remove the quotes";
  return "";
}

function originLabel(origin: string): string {
  if (origin === "array" || origin === "set") return "items";
  if (origin === "string") return "characters";
  return "";
}

export const manifestErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined) return "required field is missing";
      const format = (issue.inst as { format?: unknown } | undefined)?.format;
      const integer = issue.expected === "number" && typeof format === "string" && format.includes("int");
      const expected = integer ? EXPECTED.int : (EXPECTED[issue.expected] ?? issue.expected);
      return `expected ${expected}, got ${describeValue(issue.input)}${typeHint(issue.expected, issue.input)}`;
    }
    case "invalid_value": {
      if (issue.input === undefined) return "required field is missing";
      const allowed = issue.values.map((v) => String(v));
      if (allowed.length === 1) return `${describeValue(issue.input)} is not allowed: use ${allowed[0]}`;
      return `${describeValue(issue.input)} is not allowed: use one of ${allowed.join(", ")}`;
    }
    case "too_small": {
      if (issue.origin === "array" && Number(issue.minimum) === 1) return "must not be empty";
      if (issue.origin === "string" && Number(issue.minimum) === 1) return "must not be empty";
      const unit = originLabel(issue.origin);
      const bound = issue.inclusive === false ? "greater than" : "at least";
      return `${describeValue(issue.input)} is too small: must be ${bound} ${String(issue.minimum)}${unit === "" ? "" : ` ${unit}`}`;
    }
    case "too_big": {
      const unit = originLabel(issue.origin);
      const bound = issue.inclusive === false ? "less than" : "at most";
      return `too big: must be ${bound} ${String(issue.maximum)}${unit === "" ? "" : ` ${unit}`}`;
    }
    case "invalid_format":
      return `${describeValue(issue.input)} has the wrong format`;
    case "invalid_union":
      return `${describeValue(issue.input)} does not match any allowed form`;
    case "unrecognized_keys":
      return "unknown field";
    default:
      return undefined;
  }
};
