/**
 * Compiled manifests: what the Lambda functions read instead of YAML. The compiler refuses invalid
 * manifests and writes nothing; the reader refuses a missing, broken or foreign file with one line
 * that says what to do, and returns exactly the state the loader produced.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  COMPILED_MANIFESTS_FILE,
  COMPILED_MANIFESTS_FORMAT,
  CompiledManifestsError,
  compiledManifests,
  readCompiledManifests,
} from "../../../src/desired-state/compiled";
import { loadDesiredState } from "../../../src/desired-state/index";

const ROOT = join(import.meta.dirname, "../../..");
const FIXTURE = join(ROOT, "tests/fixtures/cli/valid");
let dir: string;

function compile(target: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        join(ROOT, "node_modules/tsx/dist/cli.mjs"),
        join(ROOT, "src/desired-state/compile-main.ts"),
        ...(target ? [target] : []),
      ],
      { cwd: dir, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "efsr-compiled-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readCompiledManifests", () => {
  it("returns the desired state the loader produced", async () => {
    const loaded = await loadDesiredState(FIXTURE);
    if (!loaded.ok) throw new Error("the fixture does not load");
    const target = join(dir, "ok");
    await import("node:fs/promises").then((fs) => fs.mkdir(target));
    await writeFile(
      join(target, COMPILED_MANIFESTS_FILE),
      JSON.stringify(compiledManifests(loaded.state, ["functions.yaml", "efs.yaml"])),
    );
    expect(await readCompiledManifests(target)).toEqual(loaded.state);
  });

  it.each([
    [
      "missing",
      undefined,
      /no compiled manifests at .*desired-state\.json: build the deployment with `sam build`/,
    ],
    ["not JSON", "{not json", /desired-state\.json is not JSON: rebuild the manifests layer/],
    [
      "another format",
      JSON.stringify({ format: "efs-reconciler.io/compiled-manifests/v0", state: {} }),
      /has format "efs-reconciler\.io\/compiled-manifests\/v0", this efs-reconciler reads efs-reconciler\.io\/compiled-manifests\/v1: rebuild/,
    ],
    [
      "no state",
      JSON.stringify({ format: COMPILED_MANIFESTS_FORMAT, state: { fileSystems: [] } }),
      /holds no desired state/,
    ],
  ])("refuses a file that is %s, in one line", async (name, content, message) => {
    const target = join(dir, name.replaceAll(" ", "-"));
    await import("node:fs/promises").then((fs) => fs.mkdir(target));
    if (content !== undefined) await writeFile(join(target, COMPILED_MANIFESTS_FILE), content);
    const failure = readCompiledManifests(target);
    await expect(failure).rejects.toBeInstanceOf(CompiledManifestsError);
    await expect(failure).rejects.toThrow(message);
    await failure.catch((err: Error) => expect(err.message).not.toContain("\n"));
  });
});

describe("compile-manifests", () => {
  it("compiles a valid directory into desired-state.json and says what it compiled", async () => {
    const target = join(dir, "valid");
    await import("node:fs/promises").then((fs) => fs.cp(FIXTURE, target, { recursive: true }));
    const result = await compile("valid");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^compiled 2 manifest files \(1 file system, 1 access point, 2 functions; revision sha256:[0-9a-f]{64}\) into /,
    );
    const state = await readCompiledManifests(target);
    expect(state.fileSystems.map((f) => f.name)).toEqual(["ml-data"]);
    expect(state.fileSystems[0]?.source.file).toBe("valid/efs.yaml");
  });

  it("refuses invalid manifests with located errors, exit 1, and writes nothing", async () => {
    const target = join(dir, "invalid");
    await import("node:fs/promises").then((fs) => fs.mkdir(target));
    await writeFile(
      join(target, "efs.yaml"),
      "apiVersion: efs-reconciler.io/v1alpha1\nkind: FileSystem\nmetadata:\n  name: data\nspec:\n  fileSystemId: fs-0123456789abcdef0\n  bogus: 1\n",
    );
    const result = await compile("invalid");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("invalid/efs.yaml:7:3: FileSystem/data: spec.bogus: unknown field");
    expect(result.stderr).toContain("the manifests in invalid are invalid: nothing was compiled");
    expect(await readdir(target)).toEqual(["efs.yaml"]);
  });

  it("prints its usage and exits 2 without a directory", async () => {
    const result = await compile("");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("usage: node dist/compile-manifests.mjs DIR");
  });
});
