/**
 * `efs-reconciler report --html FILE`: writes one self-contained HTML page of the record (current
 * status, open drift by severity, drift found vs remediated per run, mean time to remediate per
 * code, latest events). Reads `--state-dir` or `--table`. Exit 0, or 1 on an error.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { Command, Option } from "commander";
import { plural } from "../../render/report-view";
import { CliUsageError } from "../cli-error";
import { type CommandContext, type CommandFactory, runCommand } from "../command-context";
import { EXIT } from "../exit-codes";
import { logLine } from "../io";
import type { GlobalOptions } from "../options";
import {
  addRecordSourceOptions,
  type RecordSourceOptions,
  reportStoreWarnings,
  withRecordStore,
} from "./events";

type ReportOptions = RecordSourceOptions & GlobalOptions & { html: string };

async function writeReport(ctx: CommandContext, opts: ReportOptions): Promise<number> {
  const [{ buildReportModel }, { renderHtmlReport }] = await Promise.all([
    import("../../events/report-model"),
    import("../../events/report-html"),
  ]);
  const model = await withRecordStore(opts, async (store) => {
    const [status, events] = [await store.readStatus(), await store.listEvents()];
    reportStoreWarnings(ctx, store);
    return buildReportModel(status, events, new Date().toISOString());
  });
  try {
    await mkdir(dirname(opts.html), { recursive: true });
    await writeFile(opts.html, renderHtmlReport(model), "utf8");
  } catch (cause) {
    throw new CliUsageError(`cannot write ${opts.html}: check that its directory is writable`, { cause });
  }
  logLine(
    ctx.io,
    `wrote ${opts.html}: ${plural(model.objects.length, "object")}, ${plural(model.timeline.length, "run")}, ${plural(model.totalEvents, "event")}`,
  );
  return EXIT.OK;
}

export const reportCommand: CommandFactory = (ctx: CommandContext) =>
  addRecordSourceOptions(
    new Command("report")
      .description("write a self-contained HTML report of status, open drift and remediation history")
      .addOption(new Option("--html <file>", "the HTML file to write").makeOptionMandatory()),
  ).action((_opts: unknown, c: Command) =>
    runCommand<ReportOptions>(ctx, c, (opts) => writeReport(ctx, opts)),
  );
