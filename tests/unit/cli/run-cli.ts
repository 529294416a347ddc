/** Runs the CLI in-process with captured output. */
import { main } from "../../../src/cli/main";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  stderrLines: string[];
}

/**
 * `cwd`: the working directory the command runs in (restored afterwards), e.g. one without a
 * `./desired-state` for commands that read it by default. Test files run in processes of their own.
 */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string | undefined>; isTTY?: boolean; cwd?: string } = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const before = process.cwd();
  if (options.cwd !== undefined) process.chdir(options.cwd);
  try {
    const code = await main(args, {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: options.env ?? {},
      isTTY: options.isTTY ?? false,
    });
    return { code, stdout, stderr, stderrLines: stderr.split("\n").filter((l) => l !== "") };
  } finally {
    process.chdir(before);
  }
}
