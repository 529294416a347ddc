/**
 * Compiled manifests: the desired state validated once, when the deployment is built, and shipped
 * as JSON beside the manifests (the manifests layer). The Lambda functions read this file instead
 * of parsing and validating YAML on every cold start, so their bundles carry neither the YAML
 * parser nor the schema library, and invalid manifests fail `sam build`, not a scheduled run.
 *
 * Plain JSON checks only: this module must stay free of the loader's dependencies.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { DesiredState } from "./types";

/** The compiled file, in the packaged manifest directory. */
export const COMPILED_MANIFESTS_FILE = "desired-state.json";

/** Names the file's layout; a reader refuses any other. */
export const COMPILED_MANIFESTS_FORMAT = "efs-reconciler.io/compiled-manifests/v1";

export interface CompiledManifests {
  format: typeof COMPILED_MANIFESTS_FORMAT;
  /** The manifest files compiled, relative to the packaged directory, sorted. */
  files: string[];
  state: DesiredState;
}

export class CompiledManifestsError extends Error {
  override name = "CompiledManifestsError";
}

/** The document `compile-manifests` writes for a loaded desired state. */
export function compiledManifests(state: DesiredState, files: string[]): CompiledManifests {
  return { format: COMPILED_MANIFESTS_FORMAT, files: [...files].sort(), state };
}

function isStringRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads the compiled desired state of a packaged manifest directory. Throws
 * `CompiledManifestsError` (one line, what to do) when the file is missing, is not JSON, or was
 * written in another format.
 */
export async function readCompiledManifests(dir: string): Promise<DesiredState> {
  const file = path.join(dir, COMPILED_MANIFESTS_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new CompiledManifestsError(
      `no compiled manifests at ${file}: build the deployment with \`sam build\` (the manifests layer compiles them), or point MANIFEST_DIR at a packaged manifest directory`,
      { cause },
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new CompiledManifestsError(`${file} is not JSON: rebuild the manifests layer with \`sam build\``, {
      cause,
    });
  }
  if (!isStringRecord(doc) || doc.format !== COMPILED_MANIFESTS_FORMAT) {
    const format = isStringRecord(doc) ? JSON.stringify(doc.format) : "none";
    throw new CompiledManifestsError(
      `${file} has format ${format}, this efs-reconciler reads ${COMPILED_MANIFESTS_FORMAT}: rebuild the manifests layer with the same efs-reconciler version as the functions`,
    );
  }
  const state = doc.state;
  if (
    !isStringRecord(state) ||
    !Array.isArray(state.fileSystems) ||
    !Array.isArray(state.accessPoints) ||
    !Array.isArray(state.functions) ||
    typeof state.revision !== "string"
  ) {
    throw new CompiledManifestsError(
      `${file} holds no desired state: rebuild the manifests layer with \`sam build\``,
    );
  }
  return state as unknown as DesiredState;
}
