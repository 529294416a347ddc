import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { formatManifestError, type LoadResult, loadDesiredState } from "../../../src/desired-state";

const created: string[] = [];

/** Temporary directories made through `tempDir` are removed after each test. */
afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "efs-reconciler-manifests-"));
  created.push(dir);
  return dir;
}

/** Writes `files` (relative path → content) under `dir`, creating subdirectories. */
export async function writeFiles(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(dir, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

/** Loads `files` from a fresh directory; error lines have the directory shown as `DIR`. */
export async function loadFiles(
  files: Record<string, string | Uint8Array>,
): Promise<{ dir: string; result: LoadResult; lines: string[] }> {
  const dir = await tempDir();
  await writeFiles(dir, files);
  const result = await loadDesiredState(dir);
  const lines = result.ok ? [] : result.errors.map((e) => formatManifestError(e).split(dir).join("DIR"));
  return { dir, result, lines };
}

export async function loadOk(files: Record<string, string | Uint8Array>) {
  const { result } = await loadFiles(files);
  if (!result.ok)
    throw new Error(`expected valid manifests, got:\n${result.errors.map(formatManifestError).join("\n")}`);
  return result;
}
