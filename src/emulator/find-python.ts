/**
 * Finds a Python interpreter able to run the emulator: one that imports moto 5.2.1 with its
 * server extras. Looked for, in order: `EFS_RECONCILER_PYTHON`, the project's `.venv`, and
 * `python3` on PATH.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const REQUIRED_MOTO_VERSION = "5.2.1";

/** Prints moto's version and the interpreter's own path when moto and its server dependencies import. */
const PROBE = "import sys, moto, flask, flask_cors, werkzeug; print(moto.__version__); print(sys.executable)";

export interface PythonCandidate {
  /** Where the candidate came from, for messages. */
  source: string;
  command: string;
}

export interface PythonProbe extends PythonCandidate {
  ok: boolean;
  /** The interpreter itself (launchers such as pyenv shims resolved), when ok. */
  executable: string;
  /** Why the candidate was rejected (empty when ok). */
  reason: string;
}

export class EmulatorPythonNotFoundError extends Error {
  override name = "EmulatorPythonNotFoundError";
  readonly probes: PythonProbe[];
  constructor(probes: PythonProbe[]) {
    const tried = probes.map((p) => `  - ${p.source} (${p.command}): ${p.reason}`).join("\n");
    super(
      `no Python with moto ${REQUIRED_MOTO_VERSION} found for the local AWS emulator. Tried:\n${tried}\n` +
        "Run `npm run setup` (creates ./.venv with the pinned packages; needs Python >= 3.11), " +
        "or `pip install -r emulator/requirements.txt` into a Python of your choice and point " +
        "EFS_RECONCILER_PYTHON at that interpreter.",
    );
    this.probes = probes;
  }
}

export function venvPython(root: string): string {
  return process.platform === "win32"
    ? join(root, ".venv", "Scripts", "python.exe")
    : join(root, ".venv", "bin", "python");
}

export function pythonCandidates(root: string, env: NodeJS.ProcessEnv = process.env): PythonCandidate[] {
  const candidates: PythonCandidate[] = [];
  const fromEnv = env.EFS_RECONCILER_PYTHON;
  if (fromEnv) candidates.push({ source: "EFS_RECONCILER_PYTHON", command: fromEnv });
  candidates.push({ source: "project venv", command: venvPython(root) });
  candidates.push({ source: "PATH", command: "python3" });
  return candidates;
}

export function probePython(
  candidate: PythonCandidate,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PythonProbe> {
  if (candidate.command.includes("/") && !existsSync(candidate.command)) {
    return Promise.resolve({ ...candidate, ok: false, executable: "", reason: "not found" });
  }
  return new Promise((resolve) => {
    execFile(candidate.command, ["-c", PROBE], { timeout: 30_000, env }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const lastLine = stderr.trim().split("\n").at(-1) ?? "";
        const reason =
          code === "ENOENT" ? "not found" : `cannot import moto's server: ${lastLine || error.message}`;
        resolve({ ...candidate, ok: false, executable: "", reason });
        return;
      }
      const [version = "", executable = ""] = stdout.trim().split("\n");
      if (version !== REQUIRED_MOTO_VERSION) {
        resolve({
          ...candidate,
          ok: false,
          executable: "",
          reason: `has moto ${version}, needs ${REQUIRED_MOTO_VERSION}`,
        });
        return;
      }
      resolve({ ...candidate, ok: true, executable: executable.trim() || candidate.command, reason: "" });
    });
  });
}

const cache = new Map<string, Promise<string>>();

/** The first candidate that imports moto 5.2.1; memoised per project root and environment override. */
export function findEmulatorPython(root: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const key = `${root}\0${env.EFS_RECONCILER_PYTHON ?? ""}`;
  let found = cache.get(key);
  if (!found) {
    found = (async () => {
      const probes: PythonProbe[] = [];
      for (const candidate of pythonCandidates(root, env)) {
        const probe = await probePython(candidate, env);
        if (probe.ok) return probe.executable;
        probes.push(probe);
      }
      throw new EmulatorPythonNotFoundError(probes);
    })();
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}
