/** The JSON Schema of a manifest document, for editors (yaml-language-server) and other tools. */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { DEFAULT_TIMEOUT_SECONDS, manifestSchema, timeoutSecondsSchema } from "./schema";

/**
 * Draft-07 JSON Schema of the input form of one manifest document (defaults are documented, not
 * required), one `oneOf` branch per kind. Rules that need the whole set (references, duplicates)
 * are checked only by the loader.
 */
export function buildManifestJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(manifestSchema, {
    target: "draft-07",
    io: "input",
    override: (ctx) => {
      // zod leaves out a default that is given in the output form (after a transform).
      if (ctx.zodSchema === timeoutSecondsSchema) ctx.jsonSchema.default = { ...DEFAULT_TIMEOUT_SECONDS };
    },
  }) as Record<string, unknown>;
  const { $schema, title, description, ...rest } = generated;
  return { $schema, title, description, ...rest };
}

/** The schema file's exact text: two-space indented JSON and a final newline. */
export function renderManifestJsonSchema(): string {
  return `${JSON.stringify(buildManifestJsonSchema(), null, 2)}\n`;
}

export type SchemaFileState = "up-to-date" | "stale" | "missing";

/** Whether `file` holds exactly what `renderManifestJsonSchema()` produces. */
export async function manifestJsonSchemaFileState(file: string): Promise<SchemaFileState> {
  let current: string;
  try {
    current = await readFile(file, "utf8");
  } catch {
    return "missing";
  }
  return current === renderManifestJsonSchema() ? "up-to-date" : "stale";
}
