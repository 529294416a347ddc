/**
 * Loads and validates the manifest directory for a command; on invalid manifests prints every
 * error as `FILE:LINE:COL: KIND/NAME: message` and a summary line on stderr.
 */
import { stat } from "node:fs/promises";
import { formatManifestError, loadDesiredState } from "../desired-state/index";
import type { DesiredState, ManifestError } from "../desired-state/types";
import { plural } from "../render/report-view";
import { CliUsageError } from "./cli-error";
import { type CliIo, logLine } from "./io";

export interface LoadedManifests {
  state: DesiredState;
  /** Manifest files read, relative to the current directory. */
  files: string[];
}

export function objectCount(state: DesiredState): number {
  return state.fileSystems.length + state.accessPoints.length + state.functions.length;
}

async function ensureDirectory(dir: string): Promise<void> {
  try {
    await stat(dir);
  } catch (cause) {
    throw new CliUsageError(`manifest directory ${dir} does not exist: pass --manifests DIR`, { cause });
  }
}

/** The loaded manifests, or undefined after reporting why they are invalid. */
export async function loadManifests(
  io: CliIo,
  dir: string,
  command: string,
): Promise<LoadedManifests | undefined> {
  const result = await loadManifestResult(io, dir, command);
  return result.ok ? { state: result.state, files: result.files } : undefined;
}

/** Loads the manifest directory; invalid manifests are reported on stderr, and their errors returned. */
export async function loadManifestResult(
  io: CliIo,
  dir: string,
  command: string,
): Promise<{ ok: true; state: DesiredState; files: string[] } | { ok: false; errors: ManifestError[] }> {
  await ensureDirectory(dir);
  const result = await loadDesiredState(dir);
  if (result.ok) return { ok: true, state: result.state, files: result.files };
  for (const e of result.errors) logLine(io, formatManifestError(e));
  const files = new Set(result.errors.map((e) => e.file)).size;
  const consequence =
    command === "validate"
      ? ""
      : command === "status" || command === "events"
        ? ", so no record was read"
        : ", so nothing was read from AWS";
  logLine(
    io,
    `${plural(result.errors.length, "error")} in ${plural(files, "file")}: the manifests in ${dir} are invalid${consequence}. Fix them and run ${command} again.`,
  );
  return { ok: false, errors: result.errors };
}
