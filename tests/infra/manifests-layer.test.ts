/**
 * The manifests packaged with the deployment: `sam build` runs infra-sam/manifests-layer/Makefile,
 * which copies the manifests into the layer (at /opt/desired-state in the functions that read
 * them) with a revision stamp and compiles them to the JSON the functions read, so plans made in Lambda — where there is no git — record the
 * git commit of the manifests, and a content hash whenever the files are not exactly that commit.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPILED_MANIFESTS_FILE, readCompiledManifests } from "../../src/desired-state/compiled";
import { loadDesiredState } from "../../src/desired-state/index";
import { REVISION_STAMP_FILE } from "../../src/desired-state/revision";
import { importClosure, loadTemplate, OBSERVE_AND_PLAN_FUNCTIONS, ROOT } from "./template";

const FIXTURE = join(ROOT, "tests/fixtures/cli/valid");
let dir: string;

function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { ...options, timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} failed: ${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

async function revisionOf(manifests: string): Promise<string> {
  const loaded = await loadDesiredState(manifests);
  if (!loaded.ok) throw new Error(`the packaged manifests do not load: ${JSON.stringify(loaded.errors)}`);
  return loaded.state.revision;
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "efsr-layer-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("manifests layer", () => {
  it("is what sam build makes with the Makefile: the manifests and their revision at desired-state/", async () => {
    const scratch = join(dir, "scratch");
    const artifacts = join(dir, "artifacts");
    await mkdir(scratch, { recursive: true });
    await run(
      "make",
      ["--makefile", join(ROOT, "infra-sam/manifests-layer/Makefile"), "build-ManifestsLayer"],
      {
        cwd: scratch,
        env: { ...process.env, ARTIFACTS_DIR: artifacts, MANIFESTS: FIXTURE },
      },
    );
    const packaged = join(artifacts, "desired-state");
    expect(await listFiles(packaged)).toEqual(
      [REVISION_STAMP_FILE, COMPILED_MANIFESTS_FILE, ...(await listFiles(FIXTURE))].sort(),
    );

    const stamp = JSON.parse(await readFile(join(packaged, REVISION_STAMP_FILE), "utf8")) as {
      revision: string | null;
      contentRevision: string;
    };
    const inRepository = await revisionOf(FIXTURE);
    // The fixture is committed: the packaged copy reports the same git commit as the checkout.
    expect(inRepository).toMatch(/^git:[0-9a-f]{40,64}$/);
    expect(stamp.revision).toBe(inRepository);
    expect(await revisionOf(packaged)).toBe(inRepository);

    // What the functions read: the same desired state, validated at build time.
    const compiled = await readCompiledManifests(packaged);
    const loaded = await loadDesiredState(FIXTURE);
    if (!loaded.ok) throw new Error("the fixture does not load");
    expect(compiled.revision).toBe(inRepository);
    const withoutSources = (objects: { source: unknown }[]) => objects.map(({ source: _, ...rest }) => rest);
    expect(withoutSources(compiled.fileSystems)).toEqual(withoutSources(loaded.state.fileSystems));
    expect(withoutSources(compiled.accessPoints)).toEqual(withoutSources(loaded.state.accessPoints));
    expect(withoutSources(compiled.functions)).toEqual(withoutSources(loaded.state.functions));
    expect(compiled.fileSystems[0]?.source.file).toBe("desired-state/efs.yaml");

    await writeFile(
      join(packaged, "efs.yaml"),
      `${await readFile(join(packaged, "efs.yaml"), "utf8")}# edited\n`,
    );
    const edited = await revisionOf(packaged);
    expect(edited).toMatch(/^sha256:/);
    expect(edited).not.toBe(stamp.contentRevision);
  });

  it("records only the content hash for manifests that are not committed, and skips what the loader skips", async () => {
    const source = join(dir, "uncommitted");
    await mkdir(join(source, "team", ".hidden"), { recursive: true });
    await writeFile(join(source, "team", "efs.yaml"), await readFile(join(FIXTURE, "efs.yaml")));
    await writeFile(join(source, "functions.yml"), await readFile(join(FIXTURE, "functions.yaml")));
    await writeFile(join(source, "team", ".hidden", "ignored.yaml"), "not: loaded\n");
    await writeFile(join(source, "README.md"), "# not a manifest\n");
    await symlink(join(dir, "nonexistent"), join(source, "NOTES")); // a broken link the loader ignores
    const out = join(dir, "uncommitted-layer");
    await run(process.execPath, [join(ROOT, "scripts/package-manifests.mjs"), source, out], { cwd: dir });

    expect(await listFiles(out)).toEqual([REVISION_STAMP_FILE, "functions.yml", "team/efs.yaml"].sort());
    const stamp = JSON.parse(await readFile(join(out, REVISION_STAMP_FILE), "utf8")) as {
      revision: string | null;
      contentRevision: string;
    };
    expect(stamp.revision).toBeNull();
    expect(await revisionOf(out)).toBe(stamp.contentRevision);
    expect(await revisionOf(source)).toBe(stamp.contentRevision);
  });

  it("fails the build on invalid manifests with their located errors, and compiles nothing", async () => {
    const source = join(dir, "invalid");
    await mkdir(source, { recursive: true });
    await writeFile(
      join(source, "efs.yaml"),
      "apiVersion: efs-reconciler.io/v1alpha1\nkind: FileSystem\nmetadata:\n  name: data\nspec:\n  fileSystemId: fs-0123456789abcdef0\n  bogus: 1\n",
    );
    const artifacts = join(dir, "invalid-artifacts");
    const failure = run(
      "make",
      ["--makefile", join(ROOT, "infra-sam/manifests-layer/Makefile"), "build-ManifestsLayer"],
      { cwd: dir, env: { ...process.env, ARTIFACTS_DIR: artifacts, MANIFESTS: source } },
    );
    await expect(failure).rejects.toThrow(
      /desired-state\/efs\.yaml:7:3: FileSystem\/data: spec\.bogus: unknown field/,
    );
    await expect(failure).rejects.toThrow(/nothing was compiled/);
    expect(await listFiles(join(artifacts, "desired-state"))).not.toContain(COMPILED_MANIFESTS_FILE);
  });

  it("fails the build with what to do when there is no manifest directory", async () => {
    await expect(
      run(
        process.execPath,
        [join(ROOT, "scripts/package-manifests.mjs"), join(dir, "nowhere"), join(dir, "x")],
        {
          cwd: dir,
        },
      ),
    ).rejects.toThrow(/no manifest directory at .*nowhere: commit the desired-state manifests there/);
  });

  it("is attached to the functions that load manifests, at the directory they read", () => {
    const template = loadTemplate();
    const layer = template.Resources.ManifestsLayer;
    expect(layer?.Type).toBe("AWS::Serverless::LayerVersion");
    expect(layer?.Metadata).toEqual({ BuildMethod: "makefile", BuildArchitecture: "arm64" });
    expect(layer?.Properties?.ContentUri).toBe("manifests-layer/");
    // An entry reads the manifests when its code (its import closure) calls the loader.
    const callsLoader = (file: string) =>
      /(?<!function )compiledManifestsLoader\(/.test(readFileSync(file, "utf8"));
    const readers = readdirSync(join(ROOT, "src/statemachine/lambda"))
      .filter((f) => importClosure(join(ROOT, "src/statemachine/lambda", f)).some(callsLoader))
      .map(
        (f) =>
          `${f.replace(/\.ts$/, "").replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}Function`,
      )
      .sort();
    expect(readers).toEqual([...OBSERVE_AND_PLAN_FUNCTIONS, "RecordFunction"].sort());
    for (const id of readers) {
      const props = template.Resources[id]?.Properties as {
        Layers: unknown[];
        Environment: { Variables: Record<string, unknown> };
      };
      expect(props.Layers, id).toEqual([{ Ref: "ManifestsLayer" }]);
      expect(props.Environment.Variables.MANIFEST_DIR, id).toBe("/opt/desired-state");
    }
  });
});
