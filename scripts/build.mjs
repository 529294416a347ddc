#!/usr/bin/env node
/**
 * Bundles the TypeScript sources with esbuild.
 *
 *   node scripts/build.mjs                   the CLI, every Lambda handler and the manifests layer
 *   node scripts/build.mjs --cli-only        the CLI only (run by `npm ci` through the `prepare` script)
 *   node scripts/build.mjs --handlers-only   the Lambda handlers only
 *   node scripts/build.mjs --out-dir DIR     write the handler bundles under DIR instead of dist/lambda
 *   node scripts/build.mjs --list-handlers   print the handler bundles and their esbuild options as JSON
 *   node scripts/build.mjs --artifacts-dir DIR --handler NAME
 *                                            one handler as DIR/NAME.mjs (what `sam build` runs:
 *                                            infra-sam/functions/Makefile)
 *
 * The CLI is one ES module with a source map (dist/cli.mjs), and so is the manifests compiler
 * (dist/compile-manifests.mjs). Each Lambda handler is one minified ES module with a source map
 * (dist/lambda/<name>/index.mjs), the AWS SDK bundled in: `sam build` runs this same script for
 * every function of infra-sam/template.yaml. The committed desired-state/ directory, when present,
 * is packaged and compiled as the manifests layer (dist/manifests-layer/desired-state) the way
 * `sam build` packages it. A size report lists every handler bundle in bytes (and gzipped).
 */
import { execFileSync } from "node:child_process";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** A `createRequire` banner gives bundled CommonJS dependencies a working `require`. */
const BANNER = [
  'import { createRequire as __efsReconcilerCreateRequire } from "node:module";',
  "const require = __efsReconcilerCreateRequire(import.meta.url);",
].join("\n");

/**
 * The command line (`bin/efs-reconciler.mjs` imports it) and the manifests compiler the manifests
 * layer's Makefile runs (src/desired-state/compile-main.ts).
 */
const CLI_ENTRIES = [
  { name: "cli", entry: "src/cli/bin.ts", outfile: "dist/cli.mjs" },
  {
    name: "compile-manifests",
    entry: "src/desired-state/compile-main.ts",
    outfile: "dist/compile-manifests.mjs",
  },
];

/**
 * How every function is bundled (`sam build` runs this script: infra-sam/functions/Makefile):
 * minified ES modules for Node 22 with source maps, ES module entry points of packages preferred,
 * nothing external (the SDK is bundled, not taken from the runtime), and the plugins below. The
 * source maps leave the sources' text out: a function maps an error's stack when the error leaves
 * it (src/statemachine/error-stack.ts), which needs only the mappings and file names.
 */
export const HANDLER_BUILD = {
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  target: "node22",
  format: "esm",
  mainFields: ["module", "main"],
  external: [],
  banner:
    "import { createRequire as __efsReconcilerCreateRequire } from 'node:module'; const require = __efsReconcilerCreateRequire(import.meta.url);",
};

/**
 * The AWS SDK's clients describe every shape of their service in one schema module, in object
 * literals with computed keys (`{ [_xN]: _m }`, the keys being module constants). esbuild cannot
 * prove such literals free of side effects, so it keeps every shape: the EC2 client alone brings
 * 550 KB for the dozen EC2 calls the product makes. This plugin writes those keys as the string
 * literals they are, and esbuild then keeps only the shapes the bundled commands reach. The schema
 * is the same (tests/infra/bundles.test.ts runs the bundles against the emulator).
 */
export const literalSchemaKeys = {
  name: "literal-schema-keys",
  setup(build) {
    build.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-([^\\/]+)[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ },
      async (args) => {
        const source = await readFile(args.path, "utf8");
        const constants = new Map();
        for (const m of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) constants.set(m[1], m[2]);
        const literal = source.replace(/\[(_\w+)\]:/g, (key, name) => {
          const value = constants.get(name);
          return value ? `${value}:` : key;
        });
        const service = /client-([^\\/]+)[\\/]dist-es/.exec(args.path)?.[1] ?? "";
        const contents = NAMED_ERRORS_ON_THE_WIRE.has(service) ? withoutModeledErrors(literal) : literal;
        return { contents, loader: "js" };
      },
    );
  },
};

/**
 * Services whose protocol (restJson1) names an error on the wire exactly as its modeled class is
 * named (`x-amzn-errortype: ResourceNotFoundException`), so an error without its class reaches the
 * caller with the same `name`, `message`, `$fault`, `$metadata` and body fields (the SDK's
 * fallback: the service's base exception, `name` set to the wire name). efs-reconciler tells AWS
 * errors apart by name only (src/aws/errors.ts, never `instanceof` on these services' errors), so
 * the functions' bundles leave those classes out: the Lambda client models 57 errors (17 KB), EFS 33
 * (8 KB). Query-protocol services (IAM, CloudWatch) keep theirs: their classes rename wire codes.
 */
export const NAMED_ERRORS_ON_THE_WIRE = new Set(["efs", "lambda"]);

/** A client's schema module without its modeled errors' registrations (the base exception stays). */
export function withoutModeledErrors(source) {
  return source.replace(/^(\w+)_registry\.registerError\((\w+)\$, \2\);$/gm, (line, registry) =>
    registry === "_s" ? line : "",
  );
}

/**
 * In Lambda the runtime hands the function's role credentials over in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), or a container credentials
 * endpoint: the SDK's default chain (profiles, SSO, web identity, process, instance metadata) and
 * its nested STS/SSO clients are never reached there. The function bundles take their credentials
 * from src/aws/lambda-credentials.ts instead (about 90 KB less per bundle).
 */
export const lambdaCredentials = {
  name: "lambda-credentials",
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
      path: path.join(root, "src/aws/lambda-credentials.ts"),
    }));
  },
};

/**
 * Each SDK client imports its whole package.json (scripts, dependencies, build tooling: about 2 KB
 * per client) for one field, the version its user agent reports. The bundles get a package.json
 * holding only the name and version.
 */
export const clientVersionOnly = {
  name: "client-version-only",
  setup(build) {
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]package\.json$/ }, async (args) => {
      const { name, version } = JSON.parse(await readFile(args.path, "utf8"));
      return { contents: JSON.stringify({ name, version }), loader: "json" };
    });
  },
};

/**
 * An ES module that imports a Node builtin gets the builtin's ES module facade, which reads every
 * export once: `node:http`'s facade thereby loads Node's bundled undici (its lazy `WebSocket`
 * getters), about 20 ms of a cold start for a module the functions never use. The bundles take
 * their builtins from `process.getBuiltinModule` (Node 22.3 and later) instead, through esbuild's
 * CommonJS interop, which reads an export only when the code uses it.
 */
export const builtinsWithoutFacade = {
  name: "builtins-without-facade",
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) =>
      (args.kind === "import-statement" || args.kind === "dynamic-import") && isBuiltin(args.path)
        ? { path: args.path.startsWith("node:") ? args.path : `node:${args.path}`, namespace: "node-builtin" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "node-builtin" }, (args) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  },
};

/** Lambda handlers of the state machine, one bundle each (the template's functions, same entries). */
export const HANDLER_ENTRIES = [
  "take-lease",
  "observe-sources",
  "observe-network",
  "observe-checklist",
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

/** The esbuild options of a handler bundle (also what the bench builds its variants from). */
export function handlerBuildOptions(target, outfile) {
  return {
    absWorkingDir: root,
    entryPoints: [target.entry],
    outfile,
    bundle: true,
    platform: "node",
    target: HANDLER_BUILD.target,
    format: HANDLER_BUILD.format,
    minify: HANDLER_BUILD.minify,
    sourcemap: HANDLER_BUILD.sourcemap,
    sourcesContent: HANDLER_BUILD.sourcesContent,
    mainFields: HANDLER_BUILD.mainFields,
    external: HANDLER_BUILD.external,
    banner: { js: HANDLER_BUILD.banner },
    plugins: [literalSchemaKeys, lambdaCredentials, clientVersionOnly, builtinsWithoutFacade],
    logLevel: "warning",
  };
}

async function bundleHandler(esbuild, target, outfile) {
  await esbuild.build(handlerBuildOptions(target, outfile));
  const code = await readFile(outfile);
  const { size: mapBytes } = await stat(`${outfile}.map`);
  return { name: target.name, file: outfile, bytes: code.length, gzipBytes: gzipSync(code).length, mapBytes };
}

function parseArgs(argv) {
  const options = {
    cliOnly: false,
    handlersOnly: false,
    listHandlers: false,
    outDir: undefined,
    handler: undefined,
    artifactsDir: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--cli-only") options.cliOnly = true;
    else if (arg === "--handlers-only") options.handlersOnly = true;
    else if (arg === "--list-handlers") options.listHandlers = true;
    else if (arg === "--out-dir" && argv[i + 1]) options.outDir = path.resolve(argv[++i]);
    else if (arg === "--handler" && argv[i + 1]) options.handler = argv[++i];
    else if (arg === "--artifacts-dir" && argv[i + 1]) options.artifactsDir = path.resolve(argv[++i]);
    else {
      console.error(
        `unknown argument ${arg}: usage: node scripts/build.mjs [--cli-only | --handlers-only] [--out-dir DIR] [--list-handlers] [--artifacts-dir DIR --handler NAME]`,
      );
      process.exit(1);
    }
  }
  if ((options.handler === undefined) !== (options.artifactsDir === undefined)) {
    console.error(
      "--handler and --artifacts-dir go together: node scripts/build.mjs --artifacts-dir DIR --handler NAME",
    );
    process.exit(1);
  }
  if (options.handler !== undefined && !HANDLER_ENTRIES.some((t) => t.name === options.handler)) {
    console.error(
      `unknown handler ${options.handler}: one of ${HANDLER_ENTRIES.map((t) => t.name).join(", ")}`,
    );
    process.exit(1);
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
  // Compiled as the layer's Makefile compiles them, from the layer's root (paths read desired-state/…).
  execFileSync(process.execPath, [path.join(root, "dist/compile-manifests.mjs"), "desired-state"], {
    cwd: path.dirname(path.join(root, MANIFESTS_LAYER_DIR)),
    stdio: "inherit",
  });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.listHandlers) {
    process.stdout.write(`${JSON.stringify({ build: HANDLER_BUILD, handlers: HANDLER_ENTRIES }, null, 2)}\n`);
    return;
  }
  const esbuild = await loadEsbuild();
  const started = Date.now();
  if (options.handler !== undefined) {
    const target = HANDLER_ENTRIES.find((t) => t.name === options.handler);
    await mkdir(options.artifactsDir, { recursive: true });
    const built = await bundleHandler(esbuild, target, path.join(options.artifactsDir, `${target.name}.mjs`));
    console.log(
      `built ${target.name}.mjs: ${built.bytes} bytes (${built.gzipBytes} gzipped) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return;
  }
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
