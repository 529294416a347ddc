/**
 * Compiles a packaged manifest directory (scripts/package-manifests.mjs) for the Lambda functions:
 * loads and validates it with the same loader as `efs-reconciler validate` and writes
 * `desired-state.json` into it (src/desired-state/compiled.ts). Bundled as
 * dist/compile-manifests.mjs by scripts/build.mjs; the manifests layer's Makefile runs it.
 *
 *   node dist/compile-manifests.mjs DIR
 *
 * Invalid manifests: every error on stderr (`FILE:LINE:COL: KIND/NAME: message`), exit 1, nothing
 * written.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { COMPILED_MANIFESTS_FILE, compiledManifests } from "./compiled";
import { formatManifestError } from "./errors";
import { loadDesiredState } from "./load";

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

async function main(args: string[]): Promise<number> {
  const [dir, ...rest] = args;
  if (!dir || rest.length > 0) {
    process.stderr.write("usage: node dist/compile-manifests.mjs DIR (a packaged manifest directory)\n");
    return 2;
  }
  const result = await loadDesiredState(dir);
  if (!result.ok) {
    for (const error of result.errors) process.stderr.write(`${formatManifestError(error)}\n`);
    process.stderr.write(`the manifests in ${dir} are invalid: nothing was compiled\n`);
    return 1;
  }
  const root = path.resolve(dir);
  const files = result.files.map((f) => path.relative(root, path.resolve(f)).split(path.sep).join("/"));
  const out = path.join(root, COMPILED_MANIFESTS_FILE);
  await writeFile(out, `${JSON.stringify(compiledManifests(result.state, files))}\n`);
  const { fileSystems, accessPoints, functions, revision } = result.state;
  process.stdout.write(
    `compiled ${count(files.length, "manifest file", "manifest files")} (${count(fileSystems.length, "file system", "file systems")}, ${count(accessPoints.length, "access point", "access points")}, ${count(functions.length, "function", "functions")}; revision ${revision}) into ${out}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`compile-manifests failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
