/**
 * `efs-reconciler plan`: validates, observes the live account read-only, prints the drift and the
 * actions `apply` would take. Exit 0 without drift, 2 with drift, 1 on an error.
 */
import { Command } from "commander";
import { renderReport } from "../../render/index";
import { plural } from "../../render/report-view";
import { type CommandContext, type CommandFactory, runCommand } from "../command-context";
import { EXIT, planExitCode } from "../exit-codes";
import { logLine, useColor } from "../io";
import { loadManifests } from "../load-manifests";
import {
  type AwsOptions,
  awsOptions,
  checkStateDir,
  type GlobalOptions,
  type ManifestOptions,
  manifestsOption,
  type OutputOptions,
  outputOption,
  type StateDirOptions,
  stateDirOption,
} from "../options";
import { withAwsClients } from "../with-aws-clients";

export type PlanOptions = ManifestOptions & OutputOptions & AwsOptions & StateDirOptions & GlobalOptions;

async function plan(ctx: CommandContext, opts: PlanOptions): Promise<number> {
  const { io } = ctx;
  const loaded = await loadManifests(io, opts.manifests, "plan");
  if (!loaded) return EXIT.ERROR;
  await checkStateDir(opts.stateDir);
  const { state } = loaded;

  // Loaded on demand: the AWS SDK is most of the CLI's start-up time, and validate needs none of it.
  const [{ observe }, { newRunId, planChanges }, { recordRun }, { LocalRecordStore }, { createFileLease }] =
    await Promise.all([
      import("../../observe/observe"),
      import("../../plan/index"),
      import("../../events/record-run"),
      import("../../events/local-store"),
      import("../../lock/file-lease"),
    ]);
  // A dry run records its drift too, under the run lease of --state-dir, so its records never
  // interleave with an apply's; while another run holds the lease it is printed, not recorded.
  const runId = newRunId();
  const lease = createFileLease(opts.stateDir);
  const holder = `plan:${runId}`;
  const taken = await lease.acquire({ holder, runId, mode: "dry-run" });
  if (!taken.acquired) {
    const by = taken.heldBy;
    logLine(
      io,
      `not recording this plan: another run (${by.mode} run ${by.runId}) has held the lease ${taken.where} since ${by.acquiredAt}, and its records would interleave with this one's`,
    );
  }
  try {
    const observed = await withAwsClients(opts, io, async ({ clients, recorder }) => {
      const region = await clients.region();
      logLine(
        io,
        `observing ${region} for ${plural(state.fileSystems.length, "file system")}, ${plural(state.accessPoints.length, "access point")} and ${plural(state.functions.length, "function")}…`,
      );
      const started = performance.now();
      const snapshot = await observe(state, clients, { log: (m) => logLine(io, m) });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      logLine(io, `observed ${region} in ${seconds} s (${plural(recorder.count(), "API call")})`);
      return snapshot;
    });

    const report = planChanges(state, observed, { mode: "dry-run", runId });
    // A dry run is a run too: its drift events and status go to the local ledger under --state-dir.
    if (taken.acquired) {
      await recordRun({ plan: report, desired: state }, { store: new LocalRecordStore(opts.stateDir) });
    }
    io.stdout.write(renderReport(report, opts.output, { color: useColor(io, opts.color) }));
    return planExitCode(report);
  } finally {
    if (taken.acquired) await lease.release(holder);
  }
}

export const planCommand: CommandFactory = (ctx: CommandContext) => {
  const cmd = new Command("plan")
    .description("observe the live account read-only; print drift and the actions apply would take")
    .addOption(manifestsOption())
    .addOption(outputOption());
  for (const o of awsOptions()) cmd.addOption(o);
  return cmd
    .addOption(stateDirOption())
    .action((_opts: unknown, c: Command) => runCommand<PlanOptions>(ctx, c, (opts) => plan(ctx, opts)));
};
