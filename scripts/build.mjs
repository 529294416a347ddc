#!/usr/bin/env node
/**
 * Bundles the TypeScript sources with esbuild.
 *
 *   node scripts/build.mjs             the CLI and every Lambda handler
 *   node scripts/build.mjs --cli-only  the CLI only (run by `npm ci` through the `prepare` script)
 *
 * Outputs are single-file ES modules for Node 22 with source maps. A `createRequire` banner gives
 * bundled CommonJS dependencies a working `require`.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The command line: `bin/efs-reconciler.mjs` imports it. */
const CLI_ENTRIES = [{ name: "cli", entry: "src/cli/bin.ts", outfile: "dist/cli.mjs" }];

/**
 * Lambda handlers of the state machine, one bundle each, e.g.
 * `{ name: "observe", entry: "src/statemachine/handlers/observe.ts", outfile: "dist/handlers/observe/index.mjs" }`.
 */
const HANDLER_ENTRIES = [];

const BANNER = [
  'import { createRequire as __efsReconcilerCreateRequire } from "node:module";',
  "const require = __efsReconcilerCreateRequire(import.meta.url);",
].join("\n");

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

async function bundle(esbuild, target) {
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

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== "--cli-only");
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown[0]}: usage: node scripts/build.mjs [--cli-only]`);
    process.exit(1);
  }
  const cliOnly = args.includes("--cli-only");
  const targets = cliOnly ? CLI_ENTRIES : [...CLI_ENTRIES, ...HANDLER_ENTRIES];
  const esbuild = await loadEsbuild();
  const started = Date.now();
  console.log(`building ${targets.map((t) => t.name).join(", ")}`);
  for (const target of targets) await bundle(esbuild, target);
  console.log(
    `built ${targets.length} bundle${targets.length === 1 ? "" : "s"} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

main().catch((err) => {
  console.error(`build failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
