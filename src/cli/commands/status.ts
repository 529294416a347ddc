/**
 * `efs-reconciler status`: one line per manifest object (kind, name, in sync or not, open drift,
 * last reconciled), or the status document as JSON. The objects are those of the manifests
 * (`--manifests`, or `./desired-state` when it exists), each with what the record holds of it; with
 * neither, the last recorded run's. Reads the local record (`--state-dir`) or the deployed DynamoDB
 * table (`--table`). Exit 0, or 1 on an error (invalid manifests included).
 */
import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import type { DesiredState } from "../../desired-state/types";
import { plural } from "../../render/report-view";
import { type CommandContext, type CommandFactory, runCommand } from "../command-context";
import { EXIT } from "../exit-codes";
import { logLine, useColor } from "../io";
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

/**
 * The manifests whose objects to list: the directory passed (invalid: reported, exit 1), else the
 * default one when it exists and holds valid manifests; else none (the last run's objects).
 */
async function manifestsToList(
  ctx: CommandContext,
  opts: StatusOptions,
): Promise<{ dir: string; state: DesiredState } | "invalid" | undefined> {
  if (opts.manifests !== undefined) {
    const loaded = await loadManifests(ctx.io, opts.manifests, "status");
    return loaded ? { dir: opts.manifests, state: loaded.state } : "invalid";
  }
  if (!existsSync(DEFAULT_MANIFESTS_DIR)) return undefined;
  const { loadDesiredState } = await import("../../desired-state/index");
  const result = await loadDesiredState(DEFAULT_MANIFESTS_DIR);
  if (result.ok) return { dir: DEFAULT_MANIFESTS_DIR, state: result.state };
  logLine(
    ctx.io,
    `warning: ${DEFAULT_MANIFESTS_DIR} holds no valid manifests (${plural(result.errors.length, "error")}; efs-reconciler validate lists them), so status lists the last run's objects`,
  );
  return undefined;
}

async function showStatus(ctx: CommandContext, opts: StatusOptions): Promise<number> {
  const manifests = await manifestsToList(ctx, opts);
  if (manifests === "invalid") return EXIT.ERROR;
  const [{ statusJson, statusMarkdown, statusText }, { manifestView, recordedView }] = await Promise.all([
    import("../../events/render-record"),
    import("../../events/status-view"),
  ]);
  const [doc, where] = await withRecordStore(
    opts,
    async (store, where) => [await store.readStatus(), where] as const,
  );
  const view = manifests ? manifestView(doc, manifests.state, manifests.dir) : recordedView(doc);
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
