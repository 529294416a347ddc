#!/usr/bin/env node
/**
 * Bundles the TypeScript sources with esbuild.
 *
 *   node scripts/build.mjs                   the CLI, every Lambda handler and the manifests layer
 *   node scripts/build.mjs --cli-only        the CLI only (run by `npm ci` through the `prepare` script)
 *   node scripts/build.mjs --handlers-only   the Lambda handlers only
 *   node scripts/build.mjs --out-dir DIR     write the handler bundles under DIR instead of dist/lambda
 *   node scripts/build.mjs --list-handlers   print the handler bundles and their esbuild options as JSON
 *
 * The CLI is one ES module with a source map (dist/cli.mjs). Each Lambda handler is one minified
 * ES module with a source map (dist/lambda/<name>/index.mjs), the AWS SDK bundled in, built with
 * the options `sam build` uses for infra-sam/template.yaml (Metadata BuildProperties; a test keeps
 * the two the same). The committed desired-state/ directory, when present, is packaged as the
 * manifests layer (dist/manifests-layer/desired-state) the way `sam build` packages it. A size
 * report lists every handler bundle in bytes (and gzipped).
 */
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** A `createRequire` banner gives bundled CommonJS dependencies a working `require`. */
const BANNER = [
  'import { createRequire as __efsReconcilerCreateRequire } from "node:module";',
  "const require = __efsReconcilerCreateRequire(import.meta.url);",
].join("\n");

/** The command line: `bin/efs-reconciler.mjs` imports it. */
const CLI_ENTRIES = [{ name: "cli", entry: "src/cli/bin.ts", outfile: "dist/cli.mjs" }];

/**
 * What SAM's esbuild builder is told for every function (infra-sam/template.yaml, Metadata
 * BuildProperties): minified ES modules for Node 22 with source maps, ES module entry points of
 * packages preferred, nothing external (the SDK is bundled, not taken from the runtime).
 */
export const HANDLER_BUILD = {
  minify: true,
  sourcemap: true,
  target: "node22",
  format: "esm",
  mainFields: ["module", "main"],
  external: [],
  banner:
    "import { createRequire as __efsReconcilerCreateRequire } from 'node:module'; const require = __efsReconcilerCreateRequire(import.meta.url);",
};

/** Lambda handlers of the state machine, one bundle each (the template's functions, same entries). */
export const HANDLER_ENTRIES = [
  "plan",
  "record",
  "check-pending",
  "verify",
  "execute-mount-target-action",
  "execute-security-group-action",
  "execute-access-point-action",
  "execute-file-system-action",
  "execute-function-action",
].map((name) => ({
  name,
  entry: `src/statemachine/lambda/${name}.ts`,
  outfile: `dist/lambda/${name}/index.mjs`,
}));

const MANIFESTS_DIR = "desired-state";
const MANIFESTS_LAYER_DIR = "dist/manifests-layer/desired-state";

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

async function loadEsbuild() {
  try {
    return await import("esbuild");
  } catch {
    console.error("esbuild is not installed: run `npm ci` (with dev dependencies) and build again");
    process.exit(1);
  }
}

async function bundleCli(esbuild, target) {
  const outfile = path.join(root, target.outfile);
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [target.entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "esm",
    sourcemap: true,
    banner: { js: BANNER },
    logLevel: "warning",
  });
  for (const file of [outfile, `${outfile}.map`]) {
    const { size } = await stat(file);
    console.log(
      `  ${path.relative(root, file).padEnd(40)} ${formatSize(size).padStart(10)}   (${target.name})`,
    );
  }
}

async function bundleHandler(esbuild, target, outfile) {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [target.entry],
    outfile,
    bundle: true,
    platform: "node",
    target: HANDLER_BUILD.target,
    format: HANDLER_BUILD.format,
    minify: HANDLER_BUILD.minify,
    sourcemap: HANDLER_BUILD.sourcemap,
    mainFields: HANDLER_BUILD.mainFields,
    external: HANDLER_BUILD.external,
    banner: { js: HANDLER_BUILD.banner },
    logLevel: "warning",
  });
  const code = await readFile(outfile);
  const { size: mapBytes } = await stat(`${outfile}.map`);
  return { name: target.name, file: outfile, bytes: code.length, gzipBytes: gzipSync(code).length, mapBytes };
}

function parseArgs(argv) {
  const options = { cliOnly: false, handlersOnly: false, listHandlers: false, outDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--cli-only") options.cliOnly = true;
    else if (arg === "--handlers-only") options.handlersOnly = true;
    else if (arg === "--list-handlers") options.listHandlers = true;
    else if (arg === "--out-dir" && argv[i + 1]) options.outDir = path.resolve(argv[++i]);
    else {
      console.error(
        `unknown argument ${arg}: usage: node scripts/build.mjs [--cli-only | --handlers-only] [--out-dir DIR] [--list-handlers]`,
      );
      process.exit(1);
    }
  }
  return options;
}

async function packageLayer() {
  const source = path.join(root, MANIFESTS_DIR);
  const exists = await stat(source).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) {
    console.log(
      `  (no ${MANIFESTS_DIR}/ directory: the manifests layer is not packaged; sam build needs one, or MANIFESTS=DIR)`,
    );
    return;
  }
  const { packageManifests } = await import("./package-manifests.mjs");
  const packaged = await packageManifests(source, path.join(root, MANIFESTS_LAYER_DIR));
  console.log(
    `  ${MANIFESTS_LAYER_DIR.padEnd(40)} ${String(packaged.files.length).padStart(4)} files   revision ${packaged.revision ?? packaged.contentRevision}`,
  );
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.listHandlers) {
    process.stdout.write(`${JSON.stringify({ build: HANDLER_BUILD, handlers: HANDLER_ENTRIES }, null, 2)}\n`);
    return;
  }
  const esbuild = await loadEsbuild();
  const started = Date.now();
  if (!options.handlersOnly) {
    console.log(`building ${CLI_ENTRIES.map((t) => t.name).join(", ")}`);
    for (const target of CLI_ENTRIES) await bundleCli(esbuild, target);
  }
  if (options.cliOnly) {
    console.log(`built the CLI in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return;
  }

  const outDir = options.outDir ?? path.join(root, "dist", "lambda");
  console.log(
    `building ${HANDLER_ENTRIES.length} Lambda handler bundles into ${path.relative(root, outDir) || "."}`,
  );
  const sizes = [];
  for (const target of HANDLER_ENTRIES) {
    const outfile = path.join(outDir, target.name, "index.mjs");
    await mkdir(path.dirname(outfile), { recursive: true });
    sizes.push(await bundleHandler(esbuild, target, outfile));
  }
  const width = Math.max(...sizes.map((s) => s.name.length)) + 12;
  console.log(
    `  ${"bundle".padEnd(width)} ${"bytes".padStart(10)} ${"gzip".padStart(10)} ${"source map".padStart(11)}`,
  );
  for (const s of sizes) {
    console.log(
      `  ${`${s.name}/index.mjs`.padEnd(width)} ${String(s.bytes).padStart(10)} ${String(s.gzipBytes).padStart(10)} ${String(s.mapBytes).padStart(11)}`,
    );
  }
  await writeFile(
    path.join(outDir, "bundle-sizes.json"),
    `${JSON.stringify(
      sizes.map(({ name, bytes, gzipBytes, mapBytes }) => ({ name, bytes, gzipBytes, mapBytes })),
      null,
      2,
    )}\n`,
  );
  if (!options.handlersOnly) await packageLayer();
  const count = (options.handlersOnly ? 0 : CLI_ENTRIES.length) + HANDLER_ENTRIES.length;
  console.log(`built ${count} bundles in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`build failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
