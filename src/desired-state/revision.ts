/**
 * The revision of a manifest set: `git:<commit>` when the loaded files are exactly what HEAD holds
 * for the directory, else `sha256:<hex>` of their relative paths and contents. A packaged copy
 * (the deployment's manifests layer, which has no git) keeps its commit in a stamp file written
 * at build time, trusted only while the files are exactly those it was written for.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { isManifestFileName } from "./manifest-files";

export interface RevisionInput {
  /** Path relative to the manifest directory, `/`-separated. */
  relative: string;
  /** Absolute path as reached from the manifest directory. */
  absolute: string;
  /** Real path (symbolic links resolved). */
  real: string;
  bytes: Uint8Array;
}

const GIT_TIMEOUT_MS = 10_000;
const GIT_MAX_BUFFER = 256 * 1024 * 1024;

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Content hash, independent of where the directory is and of git. */
export function contentRevision(files: readonly RevisionInput[]): string {
  const hash = createHash("sha256");
  for (const file of [...files].sort((a, b) => compareStrings(a.relative, b.relative))) {
    hash.update(`${file.relative}\0${file.bytes.length}\0`);
    hash.update(file.bytes);
  }
  return `sha256:${hash.digest("hex")}`;
}

/** The environment for git, without variables that would point it at another repository. */
function gitEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_PREFIX",
    "GIT_NAMESPACE",
  ]) {
    delete env[name];
  }
  return env;
}

function git(cwd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      [...args],
      { cwd, env: gitEnvironment(), timeout: GIT_TIMEOUT_MS, maxBuffer: GIT_MAX_BUFFER, encoding: "utf8" },
      (error, stdout) => {
        if (error) reject(error);
        else resolve(stdout);
      },
    );
  });
}

function blobId(bytes: Uint8Array, objectFormat: "sha1" | "sha256"): string {
  const hash = createHash(objectFormat);
  hash.update(`blob ${bytes.length}\0`);
  hash.update(bytes);
  return hash.digest("hex");
}

function isManifestPath(relative: string): boolean {
  const segments = relative.split("/");
  return segments.every((s) => !s.startsWith(".")) && isManifestFileName(segments[segments.length - 1] ?? "");
}

/**
 * `git:<commit>` when `directory` is in a git work tree whose HEAD holds exactly the loaded manifest
 * files with the same contents; `undefined` otherwise (not a repository, git missing, a file
 * modified, added, deleted or reached through a symbolic link).
 */
export async function gitRevision(
  directory: string,
  realDirectory: string,
  files: readonly RevisionInput[],
): Promise<string | undefined> {
  for (const file of files) {
    if (file.real !== path.join(realDirectory, ...file.relative.split("/"))) return undefined;
  }
  try {
    if ((await git(directory, ["rev-parse", "--is-inside-work-tree"])).trim() !== "true") return undefined;
    const format = (await git(directory, ["rev-parse", "--show-object-format"])).trim();
    if (format !== "sha1" && format !== "sha256") return undefined;
    const commit = (await git(directory, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])).trim();
    if (!/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
    // Run in the directory: ls-tree lists only its subtree, with paths relative to it.
    const listing = await git(directory, ["ls-tree", "-r", "-z", "HEAD"]);
    const committed = new Map<string, string>();
    for (const entry of listing.split("\0")) {
      if (entry === "") continue;
      const tab = entry.indexOf("\t");
      const [mode, type, id] = entry.slice(0, tab).split(" ");
      const relative = entry.slice(tab + 1);
      if (!isManifestPath(relative)) continue;
      if (type !== "blob" || mode === "120000" || id === undefined) return undefined;
      committed.set(relative, id);
    }
    if (committed.size !== files.length) return undefined;
    for (const file of files) {
      if (committed.get(file.relative) !== blobId(file.bytes, format)) return undefined;
    }
    return `git:${commit}`;
  } catch {
    return undefined;
  }
}

/**
 * The stamp file of a packaged copy (hidden, so never loaded as a manifest): JSON
 * `{"revision": "git:<commit>", "contentRevision": "sha256:<hex>"}`, written by
 * scripts/package-manifests.mjs.
 */
export const REVISION_STAMP_FILE = ".efs-reconciler-revision.json";

/** The stamped `git:<commit>` when the stamp was written for exactly these files; else undefined. */
export async function stampedRevision(
  directory: string,
  files: readonly RevisionInput[],
): Promise<string | undefined> {
  let stamp: { revision?: unknown; contentRevision?: unknown };
  try {
    stamp = JSON.parse(await readFile(path.join(directory, REVISION_STAMP_FILE), "utf8")) as typeof stamp;
  } catch {
    return undefined;
  }
  if (typeof stamp.revision !== "string" || !/^git:[0-9a-f]{40,64}$/.test(stamp.revision)) return undefined;
  return stamp.contentRevision === contentRevision(files) ? stamp.revision : undefined;
}

export async function manifestRevision(
  directory: string,
  realDirectory: string,
  files: readonly RevisionInput[],
): Promise<string> {
  return (
    (await stampedRevision(directory, files)) ??
    (await gitRevision(directory, realDirectory, files)) ??
    contentRevision(files)
  );
}
