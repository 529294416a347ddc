/**
 * `efs-reconciler status`: one line per manifest object of the last recorded run (kind, name,
 * in sync or not, open drift, last reconciled), or the status document as JSON. Reads the local
 * record (`--state-dir`) or the deployed DynamoDB table (`--table`). Exit 0, or 1 on an error.
 */
import { Command } from "commander";
import { type CommandContext, type CommandFactory, runCommand } from "../command-context";
import { EXIT } from "../exit-codes";
import { useColor } from "../io";
import type { GlobalOptions } from "../options";
import {
  addRecordSourceOptions,
  type RecordOutputFormat,
  type RecordSourceOptions,
  recordOutputOption,
  withRecordStore,
} from "./events";

type StatusOptions = RecordSourceOptions & GlobalOptions & { output: RecordOutputFormat };

async function showStatus(ctx: CommandContext, opts: StatusOptions): Promise<number> {
  const { statusJson, statusMarkdown, statusText } = await import("../../events/render-record");
  const [doc, where] = await withRecordStore(
    opts,
    async (store, where) => [await store.readStatus(), where] as const,
  );
  ctx.io.stdout.write(
    opts.output === "json"
      ? statusJson(doc)
      : opts.output === "markdown"
        ? statusMarkdown(doc, where)
        : statusText(doc, where, { color: useColor(ctx.io, opts.color) }),
  );
  return EXIT.OK;
}

export const statusCommand: CommandFactory = (ctx: CommandContext) =>
  addRecordSourceOptions(
    new Command("status")
      .description("one line per manifest object: in sync or not, open drift, last reconciled")
      .addOption(recordOutputOption()),
  ).action((_opts: unknown, c: Command) =>
    runCommand<StatusOptions>(ctx, c, (opts) => showStatus(ctx, opts)),
  );
