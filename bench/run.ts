/**
 * `npm run bench`: seeds synthetic fleets in a local AWS emulator of its own and measures, side by
 * side in one run, the API economy, scale, diff speed, bundles and state transitions of
 * efs-reconciler. Writes bench/results.json and bench/RESULTS.md; see bench/README.md for what
 * each figure means and how it is computed.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { AwsClients } from "../src/aws/clients";
import type { DesiredState } from "../src/desired-state/types";
import { startEmulator, warmUp } from "../src/emulator/launcher";
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from "../src/emulator/warm-up";
import { runsTableDefinition } from "../src/lock/dynamodb-lease";
import { planChanges } from "../src/plan/index";
import {
  type BundleVariant,
  buildBundleVariant,
  buildProjectBundles,
  type MeasuredBundle,
  measureBundles,
  projectNode,
} from "./lib/bundles";
import { CallStats } from "./lib/call-stats";
import { benchClients, destroyClients } from "./lib/clients";
import {
  APP_AZS,
  APPS_PER_VPC,
  emptyFleet,
  type Fleet,
  FUNCTIONS_PER_APP,
  fleetCounts,
  growFleet,
  writeFleetManifests,
} from "./lib/fleet";
import { deployedFunctionEnvironment } from "./lib/function-env";
import { measureLargePlan } from "./lib/large-plan";
import { machineInfo } from "./lib/machine";
import { loadManifests, measurePlan, type PlanMeasurement } from "./lib/measure-plan";
import { minimumReadCalls } from "./lib/minimum-calls";
import { naiveObserve } from "./lib/naive-observer";
import { measurePureDiff } from "./lib/pure-diff";
import { measureRateLimited, rateLimitedSecondsAtLeast } from "./lib/rate-limits";
import { judgeGoals, renderResultsMarkdown } from "./lib/report";
import type {
  BenchResults,
  BundleOption,
  BundleResult,
  ConvergedResult,
  ScaleResult,
  TransitionRun,
} from "./lib/results";
import { observeInStages, sampleEventFor } from "./lib/sample-events";
import { round } from "./lib/stats";
import { driftLifecycle, runLocalWorkflow } from "./lib/workflow-runs";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, "..");

/** Fleet sizes (file systems) and measured observe + plan passes at each (the median is reported). */
const SCALES = [
  { fileSystems: 10, passes: 3 },
  { fileSystems: 100, passes: 3 },
  { fileSystems: 500, passes: 3 },
] as const;
/** Where the converged run is compared with the minimum and the naive baseline. */
const CONVERGED_AT = 100;
/** Apps observed under the default rate limits (a subset of the converged fleet). */
const RATE_LIMITED_APPS = 40;
/** Drifted runs: this many file systems lose their lifecycle policy (one action each), per fleet. */
const DRIFTED_ACTIONS: Record<number, readonly number[]> = { 10: [1, 5, 10], 100: [10] };
/** Apps of the pure diff: 8 resources each. */
const PURE_DIFF_APPS = 1250;

const benchStarted = performance.now();

function log(message: string): void {
  process.stderr.write(`[bench ${((performance.now() - benchStarted) / 1000).toFixed(1)}s] ${message}\n`);
}

function pickMedian(passes: PlanMeasurement[]): PlanMeasurement {
  const sorted = [...passes].sort((a, b) => a.planSeconds - b.planSeconds);
  return sorted[Math.floor((sorted.length - 1) / 2)] as PlanMeasurement;
}

function minimumFor(n: number) {
  const c = fleetCounts(n);
  return minimumReadCalls({
    fileSystemsInRegion: c.fileSystems,
    accessPointsInRegion: c.accessPoints,
    functionsInRegion: c.functions,
    fileSystemsManaged: c.fileSystems,
    fileSystemsWithBackupManaged: c.backupManaged,
    fileSystemsBound: c.fileSystems,
    securityGroups: c.securityGroups,
    securityGroupRules: c.securityGroupRules,
    mountTargets: c.mountTargets,
    subnets: c.subnets,
    vpcs: c.vpcs,
    alarms: c.alarms,
    roles: c.roles,
  });
}

interface Context {
  work: string;
  fleet: Fleet;
  seedClients: AwsClients;
  clients: AwsClients;
  stats: CallStats;
}

/** Observe + plan passes over a converged fleet of `n`; converges it first if the seeder left drift. */
async function measureScale(
  ctx: Context,
  n: number,
  passes: number,
): Promise<{ entry: ScaleResult; median: PlanMeasurement; desired: DesiredState }> {
  const seedStarted = performance.now();
  await growFleet(ctx.seedClients, ctx.fleet, n);
  log(`seeded ${n} apps in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
  const dir = join(ctx.work, `manifests-${n}`);
  await writeFleetManifests(dir, ctx.fleet, n);
  const { desired, seconds: loadSeconds } = await loadManifests(dir);
  const measured: PlanMeasurement[] = [await measurePlan(desired, ctx.clients, ctx.stats)];
  if (measured[0]?.plan.summary.auto) {
    // What the seeder did not make, the product makes (a check newer than the seeder).
    const converging = await runLocalWorkflow(desired, ctx.clients, "apply", 100_000);
    log(
      `converged ${n} apps with ${converging.result.report.actions.length} actions (${converging.result.status})`,
    );
    measured.length = 0;
  }
  while (measured.length < passes) measured.push(await measurePlan(desired, ctx.clients, ctx.stats));
  const m = pickMedian(measured);
  if (m.plan.summary.drift !== 0) {
    const codes = [...new Set(m.plan.drift.map((d) => d.code))].join(", ");
    throw new Error(
      `the fleet of ${n} is not converged (${m.plan.summary.drift} drift items: ${codes}); first: ${m.plan.drift[0]?.message}; teach bench/lib/fleet.ts to seed what the check wants`,
    );
  }
  const counts = fleetCounts(n);
  const observedRules = Object.values(m.observed.securityGroups).reduce((k, g) => k + g.rules.length, 0);
  if (observedRules !== counts.securityGroupRules) {
    throw new Error(
      `expected ${counts.securityGroupRules} security-group rules in the fleet, observed ${observedRules}`,
    );
  }
  const minimum = minimumFor(n);
  const entry: ScaleResult = {
    fileSystems: n,
    functions: counts.functions,
    accessPoints: counts.accessPoints,
    mountTargets: counts.mountTargets,
    planSeconds: round(m.planSeconds),
    cpuSeconds: round(m.cpuSeconds),
    cpuSecondsPerFileSystem: round(m.cpuSeconds / n, 5),
    observeSeconds: round(m.observeSeconds),
    diffSeconds: round(m.diffSeconds, 4),
    loadSeconds: round(loadSeconds),
    apiCalls: m.calls.calls,
    minimumApiCalls: minimum.total,
    secondsPerFileSystem: round(m.planSeconds / n, 5),
    callsPerFileSystem: round(m.calls.calls / n, 3),
    peakInFlight: m.calls.peakInFlight,
    passes: measured.map((x) => round(x.planSeconds)),
    rateLimitedSecondsAtLeast: round(rateLimitedSecondsAtLeast(m.calls.byCommand), 1),
    meanMsByCommand: m.calls.meanMsByCommand,
    byCommand: m.calls.byCommand,
  };
  log(
    `${n} FS: ${entry.apiCalls} calls (minimum ${entry.minimumApiCalls}), CPU ${entry.cpuSeconds} s, wall ${entry.planSeconds} s (passes ${entry.passes.join(", ")})`,
  );
  return { entry, median: m, desired };
}

async function measureConverged(
  desired: DesiredState,
  m: PlanMeasurement,
  clients: AwsClients,
  stats: CallStats,
): Promise<ConvergedResult> {
  stats.reset();
  const started = performance.now();
  const naive = await naiveObserve(desired, clients);
  const naivePlan = planChanges(desired, naive, { mode: "dry-run", runId: "bench" });
  const baselineSeconds = (performance.now() - started) / 1000;
  const baseline = stats.summary();
  const minimum = minimumFor(desired.fileSystems.length);
  return {
    fileSystems: desired.fileSystems.length,
    apiCalls: m.calls.calls,
    minimumApiCalls: minimum.total,
    mutatingCalls: m.calls.mutatingCalls + baseline.mutatingCalls,
    seconds: round(m.planSeconds),
    baselineApiCalls: baseline.calls,
    baselineSeconds: round(baselineSeconds),
    ratioToMinimum: round(m.calls.calls / minimum.total, 3),
    fewerCallsThanBaseline: round(baseline.calls / m.calls.calls, 2),
    samePlanAsBaseline:
      JSON.stringify(naivePlan.drift) === JSON.stringify(m.plan.drift) &&
      JSON.stringify(naivePlan.actions) === JSON.stringify(m.plan.actions),
    byCommand: m.calls.byCommand,
    minimumByCommand: minimum.terms,
    baselineByCommand: baseline.byCommand,
  };
}

/** A converged apply run, then drifted runs of growing numbers of actions (each remediated). */
async function measureTransitions(
  ctx: Context,
  desired: DesiredState,
  actions: readonly number[],
): Promise<{ converged: number; runs: TransitionRun[] }> {
  ctx.stats.reset();
  const runs: TransitionRun[] = [];
  const first = await runLocalWorkflow(desired, ctx.clients, "apply", 1000);
  if (ctx.stats.summary().mutatingCalls !== 0) throw new Error("a converged apply run sent a mutating call");
  const record = (r: Awaited<ReturnType<typeof runLocalWorkflow>>) =>
    runs.push({
      fileSystems: desired.fileSystems.length,
      actions: r.result.report.actions.length,
      transitions: r.result.stateTransitions,
      status: r.result.status,
    });
  record(first);
  for (const k of actions) {
    await driftLifecycle(ctx.seedClients, ctx.fleet.apps.slice(0, k));
    record(await runLocalWorkflow(desired, ctx.clients, "apply", 1000));
  }
  log(
    `state transitions at ${desired.fileSystems.length} FS: ${runs.map((t) => `${t.actions}→${t.transitions}`).join(", ")}`,
  );
  return { converged: first.result.stateTransitions, runs };
}

/** A runs table like the template's (keys pk/sk) in the emulator, where take-lease takes the lease. */
async function createRunsTable(endpoint: string): Promise<string> {
  const name = "bench-runs";
  const dynamo = new DynamoDBClient({ endpoint, region: EMULATOR_REGION, credentials: EMULATOR_CREDENTIALS });
  try {
    await dynamo.send(new CreateTableCommand(runsTableDefinition(name)));
  } finally {
    dynamo.destroy();
  }
  return name;
}

async function measureHandlerBundles(
  ctx: Context,
  endpoint: string,
  mountTargetId: string,
): Promise<{ bundles: BundleResult[]; note: string; options: BundleOption[] }> {
  const files = await buildProjectBundles(ROOT);
  if (files.length === 0) throw new Error("npm run build wrote no handler bundles under dist/lambda");
  const functionEnv = await deployedFunctionEnvironment(ROOT);
  const note = `Bundles: what \`npm run build\` writes (dist/lambda/<name>/index.mjs), which is what \`sam build\` deploys (infra-sam/functions/Makefile runs the same build). Timed with the functions' environment from template.yaml (NODE_OPTIONS=${functionEnv.NODE_OPTIONS ?? ""}).`;
  const app = ctx.fleet.apps[0];
  if (!app) throw new Error("the fleet has no apps");
  const sampleDir = join(ctx.work, "sample-manifests");
  const stateDir = join(ctx.work, "sample-state");
  await writeFleetManifests(sampleDir, ctx.fleet, 1);
  // The functions read compiled manifests, as the manifests layer ships them.
  const compiled = spawnSync(projectNode(ROOT), [join(ROOT, "dist/compile-manifests.mjs"), sampleDir], {
    encoding: "utf8",
  });
  if (compiled.status !== 0) throw new Error(`compile-manifests failed: ${compiled.stderr}`);
  const runsTable = await createRunsTable(endpoint);
  // What the observation stages pass on, read as the workflow's stages read it: the later stages'
  // and Plan's and Verify's sample events carry it.
  const observation = await observeInStages((await loadManifests(sampleDir)).desired, ctx.seedClients);
  const sample = (name: string) =>
    sampleEventFor(name, {
      endpoint,
      manifestDir: sampleDir,
      stateDir,
      app,
      mountTargetId,
      runsTable,
      observation,
    });
  const measured = await measureBundles(ROOT, files, sample, ctx.work, functionEnv, 9, 5);
  const bundles = measured.map((b) => ({
    name: b.name,
    bytes: b.bytes,
    gzipBytes: b.gzipBytes,
    initMs: round(b.initMs, 1),
    importMs: round(b.importMs, 1),
    secondAnswerMs: round(b.secondAnswerMs, 1),
    bareNodeMs: round(b.bareNodeMs, 1),
    answered: b.answered,
    ...(b.error ? { error: b.error } : {}),
    source: "npm run build",
    file: b.file,
  }));
  log(`bundles: ${bundles.map((b) => `${b.name} ${b.bytes} B, ${b.initMs} ms`).join("; ")}`);

  // Design options, built from the same entries: without the build's plugins (what esbuild makes
  // of the SDK on its own), and with the AWS SDK taken from the Lambda runtime.
  const options: BundleOption[] = [];
  const variantsDir = join(ROOT, "dist", "bench-bundles");
  const variants: { option: string; description: string; variant: BundleVariant }[] = [
    {
      option: "no-plugins",
      description:
        "without the build's plugins: every shape of each SDK client, the SDK's default credential chain",
      variant: { withoutPlugins: true },
    },
    {
      option: "runtime-sdk",
      description: "AWS SDK from the Lambda runtime (`external: @aws-sdk/*, @smithy/*`; versions not pinned)",
      variant: { external: SDK_EXTERNAL },
    },
  ];
  const optionBundle = (b: MeasuredBundle): BundleOption["bundles"][number] => ({
    name: b.name,
    bytes: b.bytes,
    initMs: round(b.initMs, 1),
    bareNodeMs: round(b.bareNodeMs, 1),
  });
  const measuredOption = (option: string, description: string, timed: MeasuredBundle[]): BundleOption => {
    // A timing is only worth reporting for a bundle that answered its event.
    const failed = timed.find((b) => !b.answered);
    if (failed)
      throw new Error(`design option ${option}: ${failed.name} did not answer: ${failed.error ?? ""}`);
    return { option, description, bundles: timed.map(optionBundle) };
  };
  try {
    for (const { option, description, variant } of variants) {
      const built = await buildBundleVariant(ROOT, join(variantsDir, option), variant);
      const timed = await measureBundles(ROOT, built, sample, ctx.work, functionEnv, 2, 0);
      options.push(measuredOption(option, description, timed));
    }
  } finally {
    await rm(variantsDir, { recursive: true, force: true });
  }
  return { bundles, note, options };
}

const SDK_EXTERNAL = ["@aws-sdk/*", "@smithy/*"];

async function main(): Promise<void> {
  const machine = machineInfo();
  const work = await mkdtemp(join(tmpdir(), "efs-reconciler-bench-"));
  log(`machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage}`);
  const emulator = await startEmulator();
  const stats = new CallStats();
  const ctx: Context = {
    work,
    fleet: emptyFleet(),
    seedClients: benchClients(emulator.endpoint, { maxAttempts: 3 }),
    clients: benchClients(emulator.endpoint, { stats }),
    stats,
  };
  const baselineStats = new CallStats();
  const baselineClients = benchClients(emulator.endpoint, { stats: baselineStats });
  try {
    await warmUp(emulator.endpoint);
    log(`emulator ready at ${emulator.endpoint}`);

    const scale: ScaleResult[] = [];
    const transitionRuns: TransitionRun[] = [];
    let converged: ConvergedResult | undefined;
    let rateLimit: BenchResults["rateLimit"] | undefined;
    let largePlan: BenchResults["largePlan"] | undefined;
    let bundles: Awaited<ReturnType<typeof measureHandlerBundles>> | undefined;
    let convergedTransitions = -1;

    for (const { fileSystems: n, passes } of SCALES) {
      const { entry, median, desired } = await measureScale(ctx, n, passes);
      scale.push(entry);

      const actions = DRIFTED_ACTIONS[n];
      if (actions) {
        const t = await measureTransitions(ctx, desired, actions);
        if (convergedTransitions < 0) convergedTransitions = t.converged;
        transitionRuns.push(...t.runs);
      }
      if (!bundles) {
        // While the region is small: a handler's sample event then reads little.
        const fs0 = Object.values(median.observed.fileSystems)[0];
        const mountTargetId = fs0?.found ? (fs0.fileSystem.mountTargets[0]?.mountTargetId ?? "") : "";
        bundles = await measureHandlerBundles(ctx, emulator.endpoint, mountTargetId);
      }
      if (n === CONVERGED_AT) {
        converged = await measureConverged(desired, median, baselineClients, baselineStats);
        log(`baseline: ${converged.baselineApiCalls} calls in ${converged.baselineSeconds} s`);
        const subset = join(work, "manifests-rate-limited");
        await writeFleetManifests(subset, ctx.fleet, RATE_LIMITED_APPS);
        rateLimit = await measureRateLimited((await loadManifests(subset)).desired, ctx.clients, stats);
        log(
          `rate-limited pass: ${rateLimit.seconds} s, sustained ${JSON.stringify(rateLimit.sustainedPerSecond)}`,
        );
      }
      if (n === SCALES[SCALES.length - 1]?.fileSystems) {
        largePlan = await measureLargePlan({
          desired,
          clients: ctx.clients,
          seedClients: ctx.seedClients,
          fleet: ctx.fleet,
        });
        log(
          `large plan: ${largePlan.planBytes} B, ${largePlan.actions} actions, ${largePlan.status}, largest state ${largePlan.maxStatePayloadBytes} B`,
        );
      }
    }

    const pureDiff = measurePureDiff(PURE_DIFF_APPS);
    log(`pure diff: ${pureDiff.resources} resources in ${pureDiff.seconds.toFixed(3)} s`);

    if (!converged || !rateLimit || !largePlan || !bundles) throw new Error("a measurement did not run");
    const from = scale.at(-2);
    const to = scale.at(-1);
    if (!from || !to) throw new Error("need two scales");
    const drifted = transitionRuns.filter((t) => t.actions > 0).sort((a, b) => b.actions - a.actions);
    const most = drifted[0];
    const least = drifted.at(-1);
    const perAction =
      most && least && most.actions !== least.actions
        ? (most.transitions - least.transitions) / (most.actions - least.actions)
        : 0;
    const partial: Omit<BenchResults, "goals"> = {
      formatVersion: "1",
      machine,
      benchSeconds: round((performance.now() - benchStarted) / 1000, 1),
      fleet: `per app one file system (2 mount targets in ${APP_AZS} AZs), one access point, ${FUNCTIONS_PER_APP} VPC functions mounting it (JSON logs), its own mount-target security group, lifecycle policy, PercentIOLimit alarm, backup policy managed on every 4th; per ${APPS_PER_VPC} apps (a team) one VPC, one function security group and one execution role granting EFS client access on exactly its apps' file systems. Region sweeps page like AWS (bench/lib/clients.ts).`,
      converged,
      scale,
      scaleGrowth: {
        from: from.fileSystems,
        to: to.fileSystems,
        cpuSecondsPerFileSystemRatio: round(to.cpuSecondsPerFileSystem / from.cpuSecondsPerFileSystem, 3),
        callsPerFileSystemRatio: round(to.callsPerFileSystem / from.callsPerFileSystem, 3),
        secondsPerFileSystemRatio: round(to.secondsPerFileSystem / from.secondsPerFileSystem, 3),
      },
      rateLimit,
      pureDiff: {
        resources: pureDiff.resources,
        seconds: round(pureDiff.seconds, 4),
        runs: pureDiff.runs.map((x) => round(x, 4)),
        drift: pureDiff.drift,
        actions: pureDiff.actions,
      },
      bundles: bundles.bundles,
      bundlesNote: bundles.note,
      bundleOptions: bundles.options,
      stateTransitions: {
        converged: convergedTransitions,
        drifted: most?.transitions ?? 0,
        actions: most?.actions ?? 0,
        perAction: round(perAction, 2),
        runs: transitionRuns,
      },
      largePlan,
    };
    const results: BenchResults = { ...partial, goals: judgeGoals(partial) };
    await writeFile(join(BENCH_DIR, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(join(BENCH_DIR, "RESULTS.md"), renderResultsMarkdown(results));
    log(`wrote bench/results.json and bench/RESULTS.md in ${results.benchSeconds} s`);
    for (const g of results.goals) log(`${g.pass ? "pass" : "MISS"}  ${g.goal}: ${g.measured}`);
  } finally {
    destroyClients(ctx.seedClients);
    destroyClients(ctx.clients);
    destroyClients(baselineClients);
    await emulator.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
