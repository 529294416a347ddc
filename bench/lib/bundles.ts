/**
 * Handler bundles: their size, and how long a plain `node` process (the project's Node 22, no
 * TypeScript loader) takes to load one and answer one sample event, next to an empty `node`
 * process measured in the same loop (medians of interleaved runs).
 *
 * The bundles are what `npm run build` writes to dist/lambda/<name>/index.mjs (what `sam build`
 * deploys: infra-sam/functions/Makefile runs the same script).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import type { BuildOptions } from "esbuild";
import { median } from "./stats";

export interface SampleEvent {
  event: unknown;
  env?: Record<string, string>;
}

export interface MeasuredBundle {
  name: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  initMs: number;
  /** Load only (import, no event). */
  importMs: number;
  /** The same event answered again by the warm process: the answer's own time, no start-up cost. */
  secondAnswerMs: number;
  bareNodeMs: number;
  answered: boolean;
  error?: string;
}

/** The project's Node 22 (the `node` devDependency), never the machine's. */
export function projectNode(root: string): string {
  const local = join(root, "node_modules", ".bin", "node");
  return existsSync(local) ? local : process.execPath;
}

/** `npm run build`, then every dist/lambda/<name>/index.mjs it wrote. */
export async function buildProjectBundles(root: string): Promise<{ name: string; file: string }[]> {
  const built = spawnSync("npm", ["run", "build", "--silent"], { cwd: root, encoding: "utf8" });
  if (built.status !== 0) {
    throw new Error(`npm run build failed (exit ${built.status}): ${built.stderr.slice(-2000)}`);
  }
  const dir = join(root, "dist", "lambda");
  if (!existsSync(dir)) return [];
  const out: { name: string; file: string }[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const file = join(dir, name, "index.mjs");
    if (existsSync(file)) out.push({ name, file });
  }
  return out;
}

/** A handler's name and entry file (relative to the project). */
export interface BundleEntry {
  name: string;
  entry: string;
}

/** The project's handlers, as the build script lists them. */
function listHandlers(root: string): BundleEntry[] {
  const listed = spawnSync(projectNode(root), ["scripts/build.mjs", "--list-handlers"], {
    cwd: root,
    encoding: "utf8",
  });
  if (listed.status !== 0) throw new Error(`scripts/build.mjs --list-handlers failed: ${listed.stderr}`);
  return (JSON.parse(listed.stdout) as { handlers: BundleEntry[] }).handlers;
}

/** The build script's esbuild options of one handler (scripts/build.mjs `handlerBuildOptions`). */
type HandlerBuildOptions = (target: { name: string; entry: string }, outfile: string) => BuildOptions;

/** How a design option changes the build's own options. */
export interface BundleVariant {
  /** Packages left out of the bundle (e.g. the AWS SDK, taken from the Lambda runtime). */
  external?: string[];
  /** Without the build's esbuild plugins (SDK schema pruning, Lambda-only credentials). */
  withoutPlugins?: boolean;
}

/**
 * The project's handlers (or `entries`) built with its own esbuild options (scripts/build.mjs),
 * changed as `variant` says. Written under `outDir` inside the project, so external packages resolve
 * from its node_modules as they would from the runtime's.
 */
export async function buildBundleVariant(
  root: string,
  outDir: string,
  variant: BundleVariant,
): Promise<{ name: string; file: string }[]> {
  const handlers = listHandlers(root);
  const esbuild = await import("esbuild");
  const script = (await import(pathToFileURL(join(root, "scripts/build.mjs")).href)) as {
    handlerBuildOptions: HandlerBuildOptions;
  };
  const out: { name: string; file: string }[] = [];
  for (const h of handlers) {
    const file = join(outDir, h.name, "index.mjs");
    const options = script.handlerBuildOptions(h, file);
    await esbuild.build({
      ...options,
      sourcemap: false,
      ...(variant.external ? { external: variant.external } : {}),
      ...(variant.withoutPlugins ? { plugins: [] } : {}),
      logLevel: "error",
    });
    out.push({ name: h.name, file });
  }
  return out;
}

/**
 * Loads a bundle (mode "load"), answers the event once ("answer"), or answers it twice and prints
 * how long the second answer took in the warm process ("twice").
 */
const SECOND_ANSWER_MARK = "efs-reconciler-bench second answer: ";

const RUNNER = `
const MARK = ${JSON.stringify(SECOND_ANSWER_MARK)};
const [file, eventJson, mode] = process.argv.slice(2);
const mod = await import(file);
if (mode !== "load") {
  const handler = mod.handler ?? mod.default;
  const answer = (id) => handler(JSON.parse(eventJson), { functionName: "bench", awsRequestId: id, getRemainingTimeInMillis: () => 900000 });
  await answer("bench");
  if (mode === "twice") {
    const started = performance.now();
    await answer("bench-2");
    process.stdout.write("\\n" + MARK + JSON.stringify({ secondAnswerMs: performance.now() - started }) + "\\n");
  }
}
process.exit(0);
`;

function timeProcess(
  node: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { ms: number; ok: boolean; stdout: string; stderr: string } {
  const started = performance.now();
  const run = spawnSync(node, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return {
    ms: performance.now() - started,
    ok: run.status === 0,
    stdout: run.stdout ?? "",
    stderr: run.stderr ?? "",
  };
}

/** The runner's own line among the handler's log lines on stdout. */
function secondAnswerOf(stdout: string): number {
  const line = stdout.split("\n").find((l) => l.startsWith(SECOND_ANSWER_MARK));
  const parsed = line
    ? (JSON.parse(line.slice(SECOND_ANSWER_MARK.length)) as { secondAnswerMs?: unknown })
    : {};
  if (typeof parsed.secondAnswerMs !== "number")
    throw new Error(`no second answer time in: ${stdout.slice(-500)}`);
  return parsed.secondAnswerMs;
}

/**
 * Sizes and start-up times of `bundles`: `runs` interleaved runs each (and `importRuns` load-only
 * runs and as many answering twice), every process (the bare one too) with `functionEnv`, the
 * deployed functions' environment.
 */
export async function measureBundles(
  root: string,
  bundles: { name: string; file: string }[],
  sample: (name: string) => SampleEvent,
  workDir: string,
  functionEnv: Record<string, string>,
  runs = 3,
  importRuns = 1,
): Promise<MeasuredBundle[]> {
  const node = projectNode(root);
  const runner = join(workDir, "answer-once.mjs");
  await writeFile(runner, RUNNER);
  const out: MeasuredBundle[] = [];
  for (const b of bundles) {
    const bytes = (await stat(b.file)).size;
    const gzipBytes = gzipSync(await readFile(b.file)).length;
    const { event, env: extra } = sample(b.name);
    const env = { ...process.env, NODE_OPTIONS: "", ...functionEnv, ...extra };
    const init: number[] = [];
    const load: number[] = [];
    const bare: number[] = [];
    const second: number[] = [];
    let answered = true;
    let error: string | undefined;
    for (let r = 0; r < runs; r++) {
      bare.push(timeProcess(node, ["-e", ""], env).ms);
      if (r < importRuns) load.push(timeProcess(node, [runner, b.file, "null", "load"], env).ms);
      const run = timeProcess(node, [runner, b.file, JSON.stringify(event), "answer"], env);
      init.push(run.ms);
      const twice =
        r < importRuns ? timeProcess(node, [runner, b.file, JSON.stringify(event), "twice"], env) : undefined;
      for (const p of twice ? [run, twice] : [run]) {
        if (!p.ok) {
          answered = false;
          error = p.stderr.trim().split("\n").slice(-3).join(" ").slice(0, 300);
        }
      }
      if (twice?.ok) second.push(secondAnswerOf(twice.stdout));
    }
    out.push({
      name: b.name,
      file: relative(root, b.file),
      bytes,
      gzipBytes,
      initMs: median(init),
      importMs: median(load),
      secondAnswerMs: median(second),
      bareNodeMs: median(bare),
      answered,
      ...(error ? { error } : {}),
    });
  }
  return out;
}
