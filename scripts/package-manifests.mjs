#!/usr/bin/env node
/**
 * Packages a manifest directory with the deployment (the manifests layer, /opt/desired-state in
 * the functions):
 *
 *   node scripts/package-manifests.mjs SOURCE_DIR OUT_DIR
 *
 * Copies the files the loader reads (`*.yaml` / `*.yml`, recursively, hidden files and
 * directories skipped, symbolic links followed, a file reached twice copied once) and writes
 * `.efs-reconciler-revision.json` beside them: the git commit whose tree holds exactly these files
 * (`git:<commit>`, or null when they are not all committed) and their content hash. The loader
 * (src/desired-state/revision.ts) reports the commit as the revision while the files are
 * unchanged; without git in Lambda it could only report the content hash.
 *
 * Plain JavaScript without dependencies: `sam build` runs it (infra-sam/manifests-layer/Makefile)
 * with whatever Node is on the PATH.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Must match REVISION_STAMP_FILE in src/desired-state/revision.ts. */
export const REVISION_STAMP_FILE = ".efs-reconciler-revision.json";

function isManifestFileName(name) {
  return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml"));
}

function compareStrings(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The manifest files under `root` as the loader finds them: `{ relative, absolute, real }`, sorted. */
async function findFiles(root) {
  const visited = new Set();
  const found = [];
  const walk = async (directory, relative, real) => {
    if (visited.has(real)) return;
    visited.add(real);
    const entries = (await readdir(directory, { withFileTypes: true })).sort((a, b) =>
      compareStrings(a.name, b.name),
    );
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const absolute = path.join(directory, entry.name);
      const childRelative = relative === "" ? entry.name : `${relative}/${entry.name}`;
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        // As the loader: a broken link is an error only when it bears a manifest file name.
        const target = await stat(absolute).catch((err) => {
          if (isManifestFileName(entry.name))
            throw new Error(`${absolute}: broken symbolic link (${err.code})`);
          return undefined;
        });
        if (!target) continue;
        isDirectory = target.isDirectory();
        isFile = target.isFile();
      }
      if (isDirectory) await walk(absolute, childRelative, await realpath(absolute));
      else if (isFile && isManifestFileName(entry.name)) {
        found.push({ absolute, relative: childRelative, real: await realpath(absolute) });
      }
    }
  };
  await walk(root, "", await realpath(root));
  found.sort((a, b) => compareStrings(a.relative, b.relative));
  const seen = new Set();
  return found.filter((f) => (seen.has(f.real) ? false : seen.add(f.real)));
}

/** As contentRevision in src/desired-state/revision.ts. */
function contentRevision(files) {
  const hash = createHash("sha256");
  for (const file of [...files].sort((a, b) => compareStrings(a.relative, b.relative))) {
    hash.update(`${file.relative}\0${file.bytes.length}\0`);
    hash.update(file.bytes);
  }
  return `sha256:${hash.digest("hex")}`;
}

function git(cwd, args) {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
}

/** As gitRevision in src/desired-state/revision.ts: HEAD when it holds exactly these files. */
function gitRevision(root, realRoot, files) {
  if (files.some((f) => f.real !== path.join(realRoot, ...f.relative.split("/")))) return null;
  try {
    if (git(root, ["rev-parse", "--is-inside-work-tree"]).trim() !== "true") return null;
    const format = git(root, ["rev-parse", "--show-object-format"]).trim();
    if (format !== "sha1" && format !== "sha256") return null;
    const commit = git(root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]).trim();
    if (!/^[0-9a-f]{40,64}$/.test(commit)) return null;
    const committed = new Map();
    for (const entry of git(root, ["ls-tree", "-r", "-z", "HEAD"]).split("\0")) {
      if (entry === "") continue;
      const tab = entry.indexOf("\t");
      const [mode, type, id] = entry.slice(0, tab).split(" ");
      const relative = entry.slice(tab + 1);
      const segments = relative.split("/");
      if (!segments.every((s) => !s.startsWith(".")) || !isManifestFileName(segments.at(-1) ?? "")) continue;
      if (type !== "blob" || mode === "120000") return null;
      committed.set(relative, id);
    }
    if (committed.size !== files.length) return null;
    for (const file of files) {
      const blob = createHash(format).update(`blob ${file.bytes.length}\0`).update(file.bytes).digest("hex");
      if (committed.get(file.relative) !== blob) return null;
    }
    return `git:${commit}`;
  } catch {
    return null;
  }
}

export class PackageManifestsError extends Error {
  name = "PackageManifestsError";
}

/** Copies the manifests of `source` into `out` (emptied first) with the revision stamp. */
export async function packageManifests(source, out) {
  const root = path.resolve(source);
  let info;
  try {
    info = await stat(root);
  } catch {
    throw new PackageManifestsError(
      `no manifest directory at ${root}: commit the desired-state manifests there, or point MANIFESTS at them (MANIFESTS=DIR sam build)`,
    );
  }
  if (!info.isDirectory()) throw new PackageManifestsError(`${root} is not a directory of manifests`);
  const found = await findFiles(root);
  if (found.length === 0) {
    throw new PackageManifestsError(`no *.yaml or *.yml manifests under ${root}: nothing to deploy`);
  }
  const files = await Promise.all(found.map(async (f) => ({ ...f, bytes: await readFile(f.absolute) })));
  const stamp = {
    revision: gitRevision(root, await realpath(root), files),
    contentRevision: contentRevision(files),
  };
  await rm(out, { recursive: true, force: true });
  for (const file of files) {
    const target = path.join(out, ...file.relative.split("/"));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.bytes);
  }
  await writeFile(path.join(out, REVISION_STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
  return { files: files.map((f) => f.relative), ...stamp };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [source, out] = process.argv.slice(2);
  if (!source || !out) {
    console.error("usage: node scripts/package-manifests.mjs SOURCE_DIR OUT_DIR");
    process.exit(1);
  }
  try {
    const packaged = await packageManifests(source, out);
    console.log(
      `packaged ${packaged.files.length} manifest file(s) from ${source} into ${out}: revision ${packaged.revision ?? packaged.contentRevision}`,
    );
  } catch (err) {
    console.error(`packaging manifests failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
