/**
 * The real command line, in-process, against this worker's emulator: captured stdout/stderr, the
 * exit code, and the JSON document of `--output json`.
 */
import { main } from "../../../src/cli/main";
import type { ApplyReport, Plan } from "../../../src/plan/types";
import { emulatorEndpoint } from "../../support/emulator";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  stderrLines: string[];
}

export async function runCli(
  argv: string[],
  env: Record<string, string | undefined> = { NO_COLOR: "1" },
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    isTTY: false,
  });
  return { code, stdout, stderr, stderrLines: stderr.split("\n").filter((l) => l !== "") };
}

/** The options that point a command at this worker's emulator. */
export function emulatorArgs(): string[] {
  return ["--endpoint-url", emulatorEndpoint(), "--region", "us-east-1"];
}

/** `plan` or `apply` with `--output json` against the emulator; the parsed document with the run. */
export async function runJson<T extends Plan | ApplyReport>(
  command: "plan" | "apply",
  manifests: string,
  stateDir: string,
  extra: string[] = [],
): Promise<CliResult & { doc: T }> {
  const run = await runCli([
    command,
    "--manifests",
    manifests,
    "--state-dir",
    stateDir,
    "--output",
    "json",
    ...emulatorArgs(),
    ...extra,
  ]);
  let doc: T;
  try {
    doc = JSON.parse(run.stdout) as T;
  } catch (cause) {
    throw new Error(`${command} printed no JSON (exit ${run.code}); stderr:\n${run.stderr}`, { cause });
  }
  return { ...run, doc };
}
