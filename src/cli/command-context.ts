/**
 * What every command gets: the process view and a way to report its exit code. A command is one
 * file under src/cli/commands/ exporting a `CommandFactory`, listed in commands/index.ts.
 */
import type { Command } from "commander";
import type { CliIo } from "./io";
import { type AwsOptions, awsErrorContext, type GlobalOptions } from "./options";
import { reportError } from "./report-error";

export interface CommandContext {
  io: CliIo;
  /** Sets the process exit code for the command that ran. */
  exit(code: number): void;
}

export type CommandFactory = (ctx: CommandContext) => Command;

/**
 * Runs a command body with its options (the command's own merged with the global ones). The
 * body returns the exit code; an error it throws is reported as one line and exits 1.
 */
export async function runCommand<O extends object>(
  ctx: CommandContext,
  cmd: Command,
  body: (opts: O & GlobalOptions) => Promise<number>,
): Promise<void> {
  const opts = cmd.optsWithGlobals<O & GlobalOptions>();
  try {
    ctx.exit(await body(opts));
  } catch (err) {
    reportError(ctx.io, err, {
      debug: opts.debug === true,
      aws: awsErrorContext(opts as Partial<AwsOptions>, ctx.io.env),
    });
    ctx.exit(1);
  }
}
