/**
 * Runs cfn-lint (1.51.0, with aws-sam-translator, pinned in emulator/requirements.txt and
 * installed by `npm run setup`) from the first Python that has it: EFS_RECONCILER_PYTHON, the
 * project's .venv, or python3 on the PATH.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { pythonCandidates } from "../../src/emulator/find-python";
import { ROOT } from "./template";

export const CFN_LINT_VERSION = "1.51.0";

const RUN_CFN_LINT =
  "import sys; from cfnlint.runner import main; sys.argv[0] = 'cfn-lint'; sys.exit(main())";
const VERSION =
  "import cfnlint.runner, samtranslator; from importlib.metadata import version; print(version('cfn-lint'))";

export interface LintMatch {
  Rule: { Id: string; Description: string };
  Level: string;
  Message: string;
  Filename: string;
  Location: { Start: { LineNumber: number } };
}

function exec(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: ROOT, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export class CfnLintNotFoundError extends Error {
  override name = "CfnLintNotFoundError";
}

let found: Promise<string> | undefined;

/** A Python that runs cfn-lint 1.51.0. */
export function findCfnLintPython(): Promise<string> {
  found ??= (async () => {
    const tried: string[] = [];
    for (const candidate of pythonCandidates(ROOT)) {
      if (candidate.command.includes("/") && !existsSync(candidate.command)) {
        tried.push(`${candidate.source} (${candidate.command}): not found`);
        continue;
      }
      const probe = await exec(candidate.command, ["-c", VERSION]);
      const version = probe.stdout.trim();
      if (probe.code === 0 && version === CFN_LINT_VERSION) return candidate.command;
      tried.push(
        `${candidate.source} (${candidate.command}): ${probe.code === 0 ? `cfn-lint ${version}` : "no cfn-lint"}`,
      );
    }
    throw new CfnLintNotFoundError(
      `no Python with cfn-lint ${CFN_LINT_VERSION} and aws-sam-translator (tried ${tried.join("; ")}): run npm run setup`,
    );
  })();
  return found;
}

/** cfn-lint's findings for a template, informational ones included; [] when clean. */
export async function cfnLint(templateFile: string): Promise<LintMatch[]> {
  const python = await findCfnLintPython();
  const run = await exec(python, [
    "-c",
    RUN_CFN_LINT,
    "--format",
    "json",
    "--include-checks",
    "I",
    "--",
    templateFile,
  ]);
  if (run.stdout.trim() === "") {
    if (run.code !== 0) throw new Error(`cfn-lint failed (exit ${run.code}): ${run.stderr}`);
    return [];
  }
  return JSON.parse(run.stdout) as LintMatch[];
}
