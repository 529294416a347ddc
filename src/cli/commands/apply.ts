/**
 * `efs-reconciler apply`: plan, then remediate every `auto` drift through the workflow definition
 * (run in-process), then observe again and report what remains. Exit 0 no drift left, 1 an error
 * or a failed action, 2 only manual drift left, 3 refused (more actions than --max-changes).
 */
import { Command, Option } from "commander";
import type { ApplyReport, Plan } from "../../plan/types";
import { renderReport } from "../../render/index";
import { plural } from "../../render/report-view";
import type { ProgressEvent } from "../../statemachine/progress";
import { DEFAULT_MAX_CHANGES } from "../../statemachine/tasks";
import { type CommandContext, type CommandFactory, runCommand } from "../command-context";
import { EXIT } from "../exit-codes";
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
  parseWholeNumber,
  type StateDirOptions,
  stateDirOption,
} from "../options";
import { withAwsClients } from "../with-aws-clients";

export type ApplyOptions = ManifestOptions &
  OutputOptions &
  AwsOptions &
  StateDirOptions &
  GlobalOptions & { maxChanges: number };

/** One stderr line per progress event, so a long apply shows where it is. */
export function progressLine(event: ProgressEvent): string | undefined {
  switch (event.type) {
    case "planned":
      return undefined; // the plan task logs its own line
    case "phaseStarted":
      return `phase ${event.phase}: ${plural(event.actions, "action")}`;
    case "actionStarted":
      return `  started  ${event.actionType}: ${event.description}`;
    case "actionRetrying":
      return `  retrying action ${event.actionId} (attempt ${event.attempt})`;
    case "actionFinished":
      return `  ${event.status.padEnd(8)} ${event.message ?? event.error ?? event.actionId}`;
    case "waiting":
      return `waiting for ${plural(event.resources, "resource")} to become ready (check ${event.check})`;
    case "verifying":
      return "verifying: observing again";
  }
}

/** Exit code of contract §3 for a finished apply. */
export function applyExitCode(report: ApplyReport | Plan, refused: boolean): number {
  if (refused) return EXIT.REFUSED;
  const results = "results" in report ? report.results : [];
  const remaining = "remaining" in report ? report.remaining : report.drift;
  if (results.some((r) => r.status === "failed")) return EXIT.ERROR;
  if (remaining.some((d) => d.remediation === "auto")) return EXIT.ERROR;
  return remaining.length > 0 ? EXIT.DRIFT : EXIT.OK;
}

async function apply(ctx: CommandContext, opts: ApplyOptions): Promise<number> {
  const { io } = ctx;
  const loaded = await loadManifests(io, opts.manifests, "apply");
  if (!loaded) return EXIT.ERROR;
  await checkStateDir(opts.stateDir);
  const { state } = loaded;
  const [
    { runWorkflow },
    { WORKFLOW_ERRORS },
    { createRunRecorder },
    { LocalRecordStore },
    { createFileLease },
  ] = await Promise.all([
    import("../../statemachine/local-engine"),
    import("../../statemachine/definition"),
    import("../../events/run-recorder"),
    import("../../events/local-store"),
    import("../../lock/file-lease"),
  ]);
  const started = performance.now();
  const { result, calls, mutating } = await withAwsClients(opts, io, async ({ clients, recorder }) => {
    const run = await runWorkflow(
      { mode: "apply", maxChanges: opts.maxChanges },
      {
        loadDesired: async () => state,
        clients,
        // Drift events and status go to the local ledger under --state-dir (see `events`, `status`).
        record: createRunRecorder(
          { store: new LocalRecordStore(opts.stateDir) },
          { loadDesired: async () => state },
        ),
        // One apply at a time per state directory: another one exits 1 as skipped (RunSkippedError).
        lease: createFileLease(opts.stateDir),
        log: (m) => logLine(io, m),
        onProgress: (event) => {
          const line = progressLine(event);
          if (line) logLine(io, line);
        },
      },
    );
    return { result: run, calls: recorder.count(), mutating: recorder.mutating().length };
  });
  const refused = result.error === WORKFLOW_ERRORS.maxChangesExceeded;
  const refusal = `the plan has ${plural(result.report.actions.length, "action")}, more than --max-changes ${opts.maxChanges}; nothing was changed (raise --max-changes to proceed)`;
  if (refused) logLine(io, `refused: ${refusal}`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  logLine(
    io,
    `apply took ${seconds} s: ${plural(calls, "API call")} (${mutating} mutating), ${plural(result.stateTransitions, "state transition")}`,
  );
  io.stdout.write(
    renderReport(result.report, opts.output, {
      color: useColor(io, opts.color),
      ...(refused ? { refused: refusal } : {}),
    }),
  );
  return applyExitCode(result.report, refused);
}

export const applyCommand: CommandFactory = (ctx: CommandContext) => {
  const cmd = new Command("apply")
    .description(
      "plan, remediate every auto drift (make before break), observe again and report what remains",
    )
    .addOption(manifestsOption())
    .addOption(outputOption());
  for (const o of awsOptions()) cmd.addOption(o);
  return cmd
    .addOption(
      new Option("--max-changes <n>", "refuse (exit 3, nothing changed) when the plan has more actions")
        .argParser(parseWholeNumber)
        .default(DEFAULT_MAX_CHANGES),
    )
    .addOption(stateDirOption())
    .action((_opts: unknown, c: Command) => runCommand<ApplyOptions>(ctx, c, (opts) => apply(ctx, opts)));
};
