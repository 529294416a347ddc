/**
 * `efs-reconciler status`: one line per manifest object (kind, name, in sync or not, open drift,
 * last reconciled), or the status document as JSON. The objects are those of the manifests
 * (`--manifests`, or `./desired-state` when it exists), each with what the record holds of it; with
 * neither, the last recorded run's. Reads the local record (`--state-dir`) or the deployed DynamoDB
 * table (`--table`). Exit 0, or 1 on an error (invalid manifests included).
 */
import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import { type CommandContext, type CommandFactory, runCommand } from "../command-context";
import { EXIT } from "../exit-codes";
import { useColor } from "../io";
import { loadManifests } from "../load-manifests";
import { DEFAULT_MANIFESTS_DIR, type GlobalOptions } from "../options";
import {
  addRecordSourceOptions,
  type RecordOutputFormat,
  type RecordSourceOptions,
  recordOutputOption,
  withRecordStore,
} from "./events";

type StatusOptions = RecordSourceOptions & GlobalOptions & { output: RecordOutputFormat; manifests?: string };

/** The manifest directory to list: the one passed, or the default one when it exists. */
function manifestDirOf(opts: StatusOptions): string | undefined {
  return opts.manifests ?? (existsSync(DEFAULT_MANIFESTS_DIR) ? DEFAULT_MANIFESTS_DIR : undefined);
}

async function showStatus(ctx: CommandContext, opts: StatusOptions): Promise<number> {
  const dir = manifestDirOf(opts);
  const loaded = dir === undefined ? undefined : await loadManifests(ctx.io, dir, "status");
  if (dir !== undefined && !loaded) return EXIT.ERROR;
  const [{ statusJson, statusMarkdown, statusText }, { manifestView, recordedView }] = await Promise.all([
    import("../../events/render-record"),
    import("../../events/status-view"),
  ]);
  const [doc, where] = await withRecordStore(
    opts,
    async (store, where) => [await store.readStatus(), where] as const,
  );
  const view = loaded && dir !== undefined ? manifestView(doc, loaded.state, dir) : recordedView(doc);
  ctx.io.stdout.write(
    opts.output === "json"
      ? statusJson(doc, view)
      : opts.output === "markdown"
        ? statusMarkdown(doc, where, view)
        : statusText(doc, where, { color: useColor(ctx.io, opts.color) }, view),
  );
  return EXIT.OK;
}

export const statusCommand: CommandFactory = (ctx: CommandContext) =>
  addRecordSourceOptions(
    new Command("status")
      .description("one line per manifest object: in sync or not, open drift, last reconciled")
      .addOption(
        new Option(
          "--manifests <dir>",
          `list the objects of the manifests in this directory (default: ${DEFAULT_MANIFESTS_DIR} when it exists, otherwise the last run's objects)`,
        ),
      )
      .addOption(recordOutputOption()),
  ).action((_opts: unknown, c: Command) =>
    runCommand<StatusOptions>(ctx, c, (opts) => showStatus(ctx, opts)),
  );
