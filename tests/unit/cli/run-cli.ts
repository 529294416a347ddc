/** Runs the CLI in-process with captured output. */
import { main } from "../../../src/cli/main";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  stderrLines: string[];
}

export async function runCli(
  args: string[],
  options: { env?: Record<string, string | undefined>; isTTY?: boolean } = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: options.env ?? {},
    isTTY: options.isTTY ?? false,
  });
  return { code, stdout, stderr, stderrLines: stderr.split("\n").filter((l) => l !== "") };
}
