/**
 * `efs-reconciler validate`: checks the manifests only; never talks to AWS.
 * Exit 0 when valid, 1 when invalid. Errors always go to stderr as `FILE:LINE:COL: KIND/NAME:
 * message`; `--output json` also prints one JSON document on stdout (for CI annotations), and
 * `--output markdown` a summary for a pull-request comment.
 */
import { Command } from "commander";
import type { DesiredState, ManifestError } from "../../desired-state/types";
import { cell, code, table } from "../../render/markdown";
import { plural } from "../../render/report-view";
import { type CommandContext, type CommandFactory, runCommand } from "../command-context";
import { EXIT } from "../exit-codes";
import { loadManifestResult, objectCount } from "../load-manifests";
import {
  awsOptions,
  type ManifestOptions,
  manifestsOption,
  type OutputOptions,
  outputOption,
  stateDirOption,
} from "../options";

type ValidateResult = { state: DesiredState; files: string[] } | { errors: ManifestError[] };

function validateJson(result: ValidateResult): string {
  const doc =
    "errors" in result
      ? { formatVersion: "1", valid: false, errors: result.errors }
      : {
          formatVersion: "1",
          valid: true,
          revision: result.state.revision,
          files: result.files,
          objects: {
            FileSystem: result.state.fileSystems.length,
            AccessPoint: result.state.accessPoints.length,
            LambdaFunction: result.state.functions.length,
          },
          errors: [],
        };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function validText(state: DesiredState, files: string[]): string {
  const objects = objectCount(state);
  const verb = objects === 1 ? "is" : "are";
  return `${plural(objects, "object")} in ${plural(files.length, "file")} ${verb} valid (revision ${state.revision}).`;
}

function validateMarkdown(result: ValidateResult, dir: string): string {
  if (!("errors" in result)) return `✅ ${validText(result.state, result.files)}\n`;
  const rows = result.errors.map((e) => [
    code(`${e.file}:${e.line}:${e.col}`),
    cell(e.object),
    cell(e.message),
  ]);
  return `${[
    `❌ **${plural(result.errors.length, "error")}**: the manifests in ${code(dir)} are invalid.`,
    "",
    ...table(["Where", "Object", "Error"], ["---", "---", "---"], rows),
  ].join("\n")}\n`;
}

export const validateCommand: CommandFactory = (ctx: CommandContext) => {
  const command = new Command("validate")
    .description("check the manifests (schema, references, safety rules); no AWS calls")
    .addOption(manifestsOption())
    .addOption(outputOption());
  // Common options (contract §3) validation has no use for: it reads no AWS account and writes no
  // record. Accepted (and checked) so that one command line serves every command; not in its help.
  for (const o of [...awsOptions(), stateDirOption()]) command.addOption(o.hideHelp());
  return command.action((_opts: unknown, cmd: Command) =>
    runCommand<ManifestOptions & OutputOptions>(ctx, cmd, async (opts) => {
      const loaded = await loadManifestResult(ctx.io, opts.manifests, "validate");
      const result: ValidateResult = loaded.ok ? { state: loaded.state, files: loaded.files } : loaded;
      if (opts.output === "json") ctx.io.stdout.write(validateJson(result));
      else if (opts.output === "markdown") ctx.io.stdout.write(validateMarkdown(result, opts.manifests));
      else if (loaded.ok) ctx.io.stdout.write(`${validText(loaded.state, loaded.files)}\n`);
      return loaded.ok ? EXIT.OK : EXIT.ERROR;
    }),
  );
};
