/**
 * The goals of issue 6, judged on the measured figures, and bench/RESULTS.md: one table row per
 * goal (target, measured, pass/miss), the scale table, the bundles, and the machine.
 */
import type { ServiceName } from "../../src/aws/clients";
import type { BenchResults, BundleResult, GoalResult } from "./results";

export const PAYLOAD_LIMIT_BYTES = 256 * 1024;
export const BUNDLE_LIMIT_BYTES = 400_000;
export const BUNDLE_INIT_OVER_BARE_MS = 100;
export const PURE_DIFF_LIMIT_SECONDS = 1;
export const CONVERGED_TRANSITIONS_LIMIT = 10;
/** The rate limiter's bucket holds one second of calls; the figure allows timer slack. */
const RATE_SLACK = 1.05;

const fmt = (n: number, digits = 2): string => n.toFixed(digits);
const kb = (bytes: number): string => `${(bytes / 1000).toFixed(0)} KB`;

/** What a cold start adds: load + first answer, less the answer's own time (a warm second answer), less bare node. */
function startupOverBare(b: BundleResult): number {
  return b.initMs - b.secondAnswerMs - b.bareNodeMs;
}

export function judgeGoals(r: Omit<BenchResults, "goals">): GoalResult[] {
  const c = r.converged;
  const goals: GoalResult[] = [];
  goals.push({
    goal: "Converged run: no mutating call",
    target: "0 mutating calls",
    measured: `${c.mutatingCalls} mutating of ${c.apiCalls} calls (${c.fileSystems} file systems)`,
    pass: c.mutatingCalls === 0,
  });
  goals.push({
    goal: "Converged run: read calls vs the API minimum",
    target: "≤ 1.1× minimum",
    measured: `${c.apiCalls} calls, minimum ${c.minimumApiCalls} (${fmt(c.ratioToMinimum)}×)`,
    pass: c.ratioToMinimum <= 1.1,
  });
  goals.push({
    goal: "Converged run: calls vs the naive per-resource baseline",
    target: "≥ 2× fewer",
    measured: `${c.apiCalls} vs ${c.baselineApiCalls} (${fmt(c.fewerCallsThanBaseline, 1)}× fewer; ${fmt(c.seconds)} s vs ${fmt(c.baselineSeconds)} s)`,
    pass: c.fewerCallsThanBaseline >= 2,
  });
  const g = r.scaleGrowth;
  goals.push({
    goal: `Planning cost per file system, ${g.from} → ${g.to} file systems`,
    target: "grows ≤ 1.2× (calls and CPU)",
    measured: `calls/FS ×${fmt(g.callsPerFileSystemRatio)}, CPU s/FS ×${fmt(g.cpuSecondsPerFileSystemRatio)} (wall s/FS against the emulator ×${fmt(g.secondsPerFileSystemRatio)}, see README)`,
    pass: g.cpuSecondsPerFileSystemRatio <= 1.2 && g.callsPerFileSystemRatio <= 1.2,
  });
  const rl = r.rateLimit;
  const services = Object.keys(rl.limits) as ServiceName[];
  const within = services.every((s) => (rl.sustainedPerSecond[s] ?? 0) <= (rl.limits[s] ?? 0) * RATE_SLACK);
  const largest = r.scale.at(-1);
  goals.push({
    goal: "API concurrency bounded inside the rate limits",
    target: `sustained ≤ ${services.map((s) => `${s} ${rl.limits[s]}/s`).join(", ")}; bounded in flight`,
    measured:
      `${rl.fileSystems} FS under the default limits: ${services.map((s) => `${s} ${fmt(rl.sustainedPerSecond[s] ?? 0, 1)}/s`).join(", ")} sustained; ` +
      `in flight at ${largest?.fileSystems ?? 0} FS: ${Object.entries(largest?.peakInFlight ?? {})
        .map(([s, n]) => `${s} ${n}`)
        .join(", ")}`,
    pass: within && (largest?.peakInFlight.efs ?? 0) <= 4,
  });
  goals.push({
    goal: "Pure diff + plan, no AWS",
    target: `< ${PURE_DIFF_LIMIT_SECONDS} s for ≥ 10,000 resources`,
    measured: `${fmt(r.pureDiff.seconds, 3)} s for ${r.pureDiff.resources.toLocaleString("en-US")} resources`,
    pass: r.pureDiff.seconds < PURE_DIFF_LIMIT_SECONDS && r.pureDiff.resources >= 10_000,
  });
  const biggest = [...r.bundles].sort((a, b) => b.bytes - a.bytes)[0];
  goals.push({
    goal: "Handler bundle size",
    target: `each ≤ ${kb(BUNDLE_LIMIT_BYTES)}`,
    measured: biggest
      ? `largest ${biggest.name} ${kb(biggest.bytes)} (${r.bundles.length} bundles, ${r.bundles.filter((b) => b.bytes <= BUNDLE_LIMIT_BYTES).length} within)`
      : "no bundles",
    pass: r.bundles.length > 0 && r.bundles.every((b) => b.bytes <= BUNDLE_LIMIT_BYTES),
  });
  const slowest = [...r.bundles].sort((a, b) => b.initMs - b.bareNodeMs - (a.initMs - a.bareNodeMs))[0];
  goals.push({
    goal: "Handler load + first answer vs bare node",
    target: `each ≤ bare + ${BUNDLE_INIT_OVER_BARE_MS} ms`,
    measured: slowest
      ? `slowest ${slowest.name} ${fmt(slowest.initMs, 0)} ms vs bare ${fmt(slowest.bareNodeMs, 0)} ms (+${fmt(slowest.initMs - slowest.bareNodeMs, 0)} ms, of which ${fmt(slowest.secondAnswerMs, 0)} ms is the answer itself, as a warm process answers it again: start-up +${fmt(startupOverBare(slowest), 0)} ms)`
      : "no bundles",
    pass: r.bundles.length > 0 && r.bundles.every((b) => b.initMs - b.bareNodeMs <= BUNDLE_INIT_OVER_BARE_MS),
  });
  const t = r.stateTransitions;
  goals.push({
    goal: "Converged scheduled run: state transitions",
    target: `≤ ${CONVERGED_TRANSITIONS_LIMIT}`,
    measured: `${t.converged}`,
    pass: t.converged <= CONVERGED_TRANSITIONS_LIMIT,
  });
  const byActions = new Map<number, Set<number>>();
  for (const run of t.runs) {
    if (run.actions === 0) continue;
    const set = byActions.get(run.actions) ?? new Set<number>();
    set.add(run.transitions);
    byActions.set(run.actions, set);
  }
  const independent = [...byActions.values()].every((s) => s.size === 1);
  const sizes = [...new Set(t.runs.map((x) => x.fileSystems))].join(" and ");
  goals.push({
    goal: "Drifted run: transitions grow with actions, not resources",
    target: "same actions → same transitions at any fleet size",
    measured: `${t.runs
      .filter((x) => x.actions > 0)
      .map((x) => `${x.actions}→${x.transitions}`)
      .join(", ")} (actions→transitions, fleets of ${sizes}); +${fmt(t.perAction, 0)} per action`,
    pass: independent && byActions.size > 1,
  });
  const lp = r.largePlan;
  goals.push({
    goal: "Plans larger than the 256 KiB payload limit still run",
    target: "plan > 256 KiB runs; every state payload ≤ 256 KiB",
    measured: `${kb(lp.planBytes)} plan, ${lp.actions} actions at ${lp.fileSystems} FS: ${lp.status}, largest state payload ${kb(lp.maxStatePayloadBytes)} (${lp.maxStatePayloadState})`,
    pass:
      lp.planBytes > PAYLOAD_LIMIT_BYTES &&
      lp.status === "SUCCEEDED" &&
      lp.maxStatePayloadBytes <= PAYLOAD_LIMIT_BYTES,
  });
  return goals;
}

export function renderResultsMarkdown(r: BenchResults): string {
  const m = r.machine;
  const lines: string[] = [];
  lines.push("# Benchmark results");
  lines.push("");
  lines.push(
    `Measured by \`npm run bench\` on ${m.date.slice(0, 10)}: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform}, ${m.memoryGiB} GiB, load average ${m.loadAverage} at start; the run took ${fmt(r.benchSeconds, 0)} s. How each figure is measured: [README.md](README.md). Raw figures: [results.json](results.json).`,
  );
  lines.push("");
  lines.push(`Fleet: ${r.fleet}`);
  lines.push("");
  lines.push("| goal | target | measured | result |");
  lines.push("|---|---|---|---|");
  for (const g of r.goals)
    lines.push(`| ${g.goal} | ${g.target} | ${g.measured} | ${g.pass ? "pass" : "**miss**"} |`);
  lines.push("");
  lines.push("## Scale (observe + diff + plan against the local emulator, median of the passes)");
  lines.push("");
  lines.push(
    "| file systems | functions | access points | mount targets | API calls | minimum | calls per FS | CPU s | CPU ms per FS | wall s (emulator) | wall ms per FS | at AWS rate limits ≥ s |",
  );
  lines.push("|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const s of r.scale) {
    lines.push(
      `| ${s.fileSystems} | ${s.functions} | ${s.accessPoints} | ${s.mountTargets} | ${s.apiCalls} | ${s.minimumApiCalls} | ${fmt(s.callsPerFileSystem)} | ${fmt(s.cpuSeconds)} | ${fmt(s.cpuSecondsPerFileSystem * 1000, 1)} | ${fmt(s.planSeconds)} | ${fmt(s.secondsPerFileSystem * 1000, 1)} | ${fmt(s.rateLimitedSecondsAtLeast, 0)} |`,
    );
  }
  lines.push("");
  lines.push("## Converged run, call by call");
  lines.push("");
  lines.push("| call | efs-reconciler | minimum | naive baseline |");
  lines.push("|---|---|---|---|");
  const c = r.converged;
  const keys = [
    ...new Set([
      ...Object.keys(c.byCommand),
      ...Object.keys(c.minimumByCommand),
      ...Object.keys(c.baselineByCommand),
    ]),
  ].sort();
  for (const k of keys) {
    lines.push(
      `| ${k} | ${c.byCommand[k] ?? 0} | ${c.minimumByCommand[k] ?? 0} | ${c.baselineByCommand[k] ?? 0} |`,
    );
  }
  lines.push(`| **total** | **${c.apiCalls}** | **${c.minimumApiCalls}** | **${c.baselineApiCalls}** |`);
  lines.push("");
  lines.push("## Handler bundles");
  lines.push("");
  lines.push(`${r.bundlesNote}`);
  lines.push("");
  lines.push(
    "| bundle | bytes | gzip | load + answer ms | bare node ms | over bare | load only ms (over bare) | answer again, warm ms | start-up over bare |",
  );
  lines.push("|---|---|---|---|---|---|---|---|---|");
  for (const b of r.bundles) {
    lines.push(
      `| ${b.name} | ${b.bytes.toLocaleString("en-US")} | ${b.gzipBytes.toLocaleString("en-US")} | ${fmt(b.initMs, 0)} | ${fmt(b.bareNodeMs, 0)} | +${fmt(b.initMs - b.bareNodeMs, 0)} ms | ${fmt(b.importMs, 0)} (+${fmt(b.importMs - b.bareNodeMs, 0)} ms) | ${fmt(b.secondAnswerMs, 0)} | +${fmt(startupOverBare(b), 0)} ms |`,
    );
  }
  lines.push("");
  lines.push(
    "`answer again, warm`: the same event answered a second time by the process that answered it first — the answer's own time (for the observation stages mostly the emulator answering their calls, one at a time). `start-up over bare` = load + answer − that − bare node: what a cold start adds. The goal is judged on `over bare`, the whole.",
  );
  lines.push("");
  if (r.bundleOptions.length > 0) {
    lines.push("Design options, measured alongside (the same handlers built another way):");
    lines.push("");
    lines.push(
      "| option | largest bundle | bundles ≤ 400 KB | slowest load + answer over bare | each over bare |",
    );
    lines.push("|---|---|---|---|---|");
    for (const o of r.bundleOptions) {
      const largest = Math.max(...o.bundles.map((b) => b.bytes));
      const overs = o.bundles.flatMap((b) =>
        b.initMs !== undefined && b.bareNodeMs !== undefined
          ? [{ name: b.name, ms: b.initMs - b.bareNodeMs }]
          : [],
      );
      const over = overs.length > 0 ? Math.max(...overs.map((x) => x.ms)) : undefined;
      const each = overs.map((x) => `${x.name} +${fmt(x.ms, 0)}`).join(", ");
      lines.push(
        `| ${o.description} | ${kb(largest)} | ${o.bundles.filter((b) => b.bytes <= BUNDLE_LIMIT_BYTES).length} of ${o.bundles.length} | ${over === undefined ? "not measured" : `+${fmt(over, 0)} ms`} | ${each || "not measured"} |`,
      );
    }
    lines.push("");
  }
  lines.push("## State transitions (real definition, local engine)");
  lines.push("");
  lines.push("| fleet (file systems) | actions | transitions | status |");
  lines.push("|---|---|---|---|");
  for (const t of r.stateTransitions.runs)
    lines.push(`| ${t.fileSystems} | ${t.actions} | ${t.transitions} | ${t.status} |`);
  lines.push("");
  return `${lines.join("\n")}\n`;
}
