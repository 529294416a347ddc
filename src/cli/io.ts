/**
 * The command line's view of the process: where output goes, the environment, and whether
 * stdout is a terminal. Injected so the CLI runs in-process in tests.
 */

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /** Whether stdout is a terminal: colour is used only then. */
  isTTY: boolean;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    isTTY: process.stdout.isTTY === true,
  };
}

/** Colour only on a terminal, unless `--no-color` or a non-empty `NO_COLOR` (https://no-color.org). */
export function useColor(io: CliIo, colorFlag: boolean): boolean {
  const noColor = io.env.NO_COLOR;
  return colorFlag && io.isTTY && (noColor === undefined || noColor === "");
}

/** Progress and diagnostics: one line on stderr, so stdout stays parseable. */
export function logLine(io: CliIo, message: string): void {
  io.stderr.write(`${message}\n`);
}
