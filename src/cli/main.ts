/**
 * The `efs-reconciler` command line: parses arguments, runs one command, returns its exit code
 * (contract §3). Runs in-process: all output goes through `io`.
 */
import { Command, CommanderError } from "commander";
import pkg from "../../package.json" with { type: "json" };
import type { CommandContext } from "./command-context";
import { COMMANDS } from "./commands/index";
import { EXIT } from "./exit-codes";
import { type CliIo, processIo } from "./io";
import { colorOption, debugOption } from "./options";
import { reportError } from "./report-error";

function buildProgram(ctx: CommandContext): Command {
  const program = new Command("efs-reconciler")
    .description("Keep Amazon EFS + AWS Lambda deployments converged to desired-state manifests.")
    .version(pkg.version, "-V, --version", "print the version")
    .addOption(colorOption())
    .addOption(debugOption())
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();
  for (const factory of COMMANDS) {
    const cmd = factory(ctx);
    cmd.copyInheritedSettings(program);
    program.addCommand(cmd);
  }
  return program;
}

/**
 * Runs the CLI with `argv` (the arguments after the command name, e.g. `["plan", "--output",
 * "json"]`) and returns the exit code.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = EXIT.OK;
  const ctx: CommandContext = {
    io,
    exit: (code) => {
      exitCode = code;
    },
  };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (err) {
    // Usage errors were already printed by commander; help and version exit 0.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.ERROR;
    reportError(io, err, { debug: argv.includes("--debug"), aws: {} });
    return EXIT.ERROR;
  }
}
