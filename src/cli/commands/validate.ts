/**
 * `efs-reconciler validate`: checks the manifests only; never talks to AWS.
 * Exit 0 when valid, 1 when invalid.
 */
import { Command } from "commander";
import { plural } from "../../render/report-view";
import { type CommandContext, type CommandFactory, runCommand } from "../command-context";
import { EXIT } from "../exit-codes";
import { loadManifests, objectCount } from "../load-manifests";
import { type ManifestOptions, manifestsOption } from "../options";

export const validateCommand: CommandFactory = (ctx: CommandContext) =>
  new Command("validate")
    .description("check the manifests (schema, references, safety rules); no AWS calls")
    .addOption(manifestsOption())
    .action((_opts: unknown, cmd: Command) =>
      runCommand<ManifestOptions>(ctx, cmd, async (opts) => {
        const loaded = await loadManifests(ctx.io, opts.manifests, "validate");
        if (!loaded) return EXIT.ERROR;
        const objects = objectCount(loaded.state);
        const verb = objects === 1 ? "is" : "are";
        ctx.io.stdout.write(
          `${plural(objects, "object")} in ${plural(loaded.files.length, "file")} ${verb} valid (revision ${loaded.state.revision}).\n`,
        );
        return EXIT.OK;
      }),
    );
