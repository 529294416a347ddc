import { execFileSync } from "node:child_process";
import { mkdtemp, rm, symlink, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadDesiredState } from "../../../src/desired-state";
import { tempDir, writeFiles } from "./helpers";
import { baseFiles, fileSystem } from "./manifest-texts";

async function revisionOf(dir: string): Promise<string> {
  const result = await loadDesiredState(dir);
  if (!result.ok) throw new Error("expected valid manifests");
  return result.state.revision;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync(
    "git",
    ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args],
    { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  ).trim();
}

/** A git repository with the base manifests committed under `manifests/`. */
async function committedRepo(): Promise<{ repo: string; manifests: string; head: string }> {
  const repo = await tempDir();
  const manifests = path.join(repo, "manifests");
  await writeFiles(manifests, baseFiles());
  await writeFile(path.join(repo, "README.md"), "# repo\n");
  git(repo, "init", "-q");
  git(repo, "add", ".");
  git(repo, "commit", "-q", "-m", "manifests");
  return { repo, manifests, head: git(repo, "rev-parse", "HEAD") };
}

describe("state.revision without git", () => {
  it("is a sha256 of relative paths and contents: the same for the same files anywhere", async () => {
    const a = await tempDir();
    const b = await tempDir();
    await writeFiles(a, baseFiles());
    await writeFiles(b, baseFiles());
    const revision = await revisionOf(a);
    expect(revision).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await revisionOf(b)).toBe(revision);
    expect(await revisionOf(a)).toBe(revision);
  });

  it("changes when a file's content, name or presence changes", async () => {
    const dir = await tempDir();
    await writeFiles(dir, baseFiles());
    const original = await revisionOf(dir);

    await writeFile(path.join(dir, "fs.yaml"), fileSystem("  encrypted: true\n"));
    const edited = await revisionOf(dir);
    expect(edited).not.toBe(original);

    await writeFile(path.join(dir, "fs.yaml"), fileSystem());
    expect(await revisionOf(dir)).toBe(original);

    await writeFile(path.join(dir, "empty.yaml"), "# nothing yet\n");
    expect(await revisionOf(dir)).not.toBe(original);
  });
});

describe("state.revision in a git work tree", () => {
  const savedPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = savedPath;
  });

  it("is git:<HEAD> when the manifest files are exactly what HEAD holds", async () => {
    const { manifests, head } = await committedRepo();
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect(await revisionOf(manifests)).toBe(`git:${head}`);
  });

  it("ignores changes outside the manifest directory and to files that are not manifests", async () => {
    const { repo, manifests, head } = await committedRepo();
    await writeFile(path.join(repo, "README.md"), "# changed\n");
    await writeFile(path.join(manifests, "notes.txt"), "not a manifest\n");
    expect(await revisionOf(manifests)).toBe(`git:${head}`);
  });

  it("falls back to sha256 when a manifest is modified, added or deleted", async () => {
    const { manifests, head } = await committedRepo();
    await writeFile(path.join(manifests, "fs.yaml"), fileSystem("  encrypted: true\n"));
    expect(await revisionOf(manifests)).toMatch(/^sha256:/);

    await writeFile(path.join(manifests, "fs.yaml"), fileSystem());
    expect(await revisionOf(manifests)).toBe(`git:${head}`);

    await writeFile(path.join(manifests, "extra.yaml"), "# empty\n");
    expect(await revisionOf(manifests)).toMatch(/^sha256:/);
    await unlink(path.join(manifests, "extra.yaml"));

    await unlink(path.join(manifests, "fn.yaml"));
    await writeFile(path.join(manifests, "fn.yaml.bak"), "moved away\n");
    // Without the function the access point is still valid; the set differs from HEAD.
    expect(await revisionOf(manifests)).toMatch(/^sha256:/);
  });

  it("is sha256 when a committed manifest is a symbolic link (git does not see its target change)", async () => {
    const { repo, manifests } = await committedRepo();
    const outside = await mkdtemp(path.join(os.tmpdir(), "efs-reconciler-outside-"));
    try {
      await writeFile(path.join(outside, "more.yaml"), "# nothing\n");
      await symlink(path.join(outside, "more.yaml"), path.join(manifests, "more.yaml"));
      git(repo, "add", ".");
      git(repo, "commit", "-q", "-m", "link");
      const before = await revisionOf(manifests);
      expect(before).toMatch(/^sha256:/);
      await writeFile(path.join(outside, "more.yaml"), "# changed\n");
      expect(await revisionOf(manifests)).not.toBe(before);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it("falls back to sha256 when git cannot be run", async () => {
    const { manifests } = await committedRepo();
    expect(await revisionOf(manifests)).toMatch(/^git:/);
    process.env.PATH = await tempDir();
    expect(await revisionOf(manifests)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("is sha256 in a repository without commits", async () => {
    const repo = await tempDir();
    await writeFiles(repo, baseFiles());
    git(repo, "init", "-q");
    expect(await revisionOf(repo)).toMatch(/^sha256:/);
  });
});
