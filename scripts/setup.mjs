#!/usr/bin/env node
// `npm run setup`: makes the local AWS emulator and the template linter runnable. Plain JavaScript
// without dependencies, so it works on a fresh checkout with any Node >= 20.
//
// 1. If a Python that imports moto 5.2.1 (with its server extras) and cfn-lint 1.51.0 (with
//    aws-sam-translator, for infra-sam/template.yaml) is already available, through
//    EFS_RECONCILER_PYTHON, ./.venv or python3 on PATH, report it and stop.
// 2. Otherwise create ./.venv with a Python >= 3.11 and install emulator/requirements.txt into it.
// Idempotent; prints one line on success, a clear message and exit code 1 on failure.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const REQUIREMENTS = join(ROOT, "emulator", "requirements.txt");
const VENV = join(ROOT, ".venv");
const VENV_PYTHON =
  process.platform === "win32" ? join(VENV, "Scripts", "python.exe") : join(VENV, "bin", "python");
const MOTO_VERSION = "5.2.1";
const CFN_LINT_VERSION = "1.51.0";
const MIN_NODE_MAJOR = 20;
// moto 5.2.1 needs Python 3.10; the pinned networkx 3.6.1 (through cfn-lint) needs 3.11.
const MIN_PYTHON = [3, 11];

function fail(message) {
  process.stderr.write(`setup failed: ${message}\n`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", ...options });
  return {
    ok: !result.error && result.status === 0,
    missing: result.error?.code === "ENOENT",
    stdout: result.stdout ?? "",
    stderr: result.stderr ?? "",
    error: result.error,
  };
}

function tail(text, lines = 15) {
  return text.trim().split("\n").slice(-lines).join("\n");
}

function motoVersionOf(python) {
  if (python.includes("/") && !existsSync(python)) return undefined;
  const probe = run(python, ["-c", "import moto, flask, flask_cors, werkzeug; print(moto.__version__)"]);
  return probe.ok ? probe.stdout.trim() : undefined;
}

/** cfn-lint's version when it imports together with the SAM translator it needs for SAM templates. */
function cfnLintVersionOf(python) {
  if (python.includes("/") && !existsSync(python)) return undefined;
  const probe = run(python, [
    "-c",
    "import cfnlint.runner, samtranslator; from importlib.metadata import version; print(version('cfn-lint'))",
  ]);
  return probe.ok ? probe.stdout.trim() : undefined;
}

function hasTools(python) {
  return motoVersionOf(python) === MOTO_VERSION && cfnLintVersionOf(python) === CFN_LINT_VERSION;
}

function pythonVersionOf(python) {
  const probe = run(python, ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"]);
  if (!probe.ok) return undefined;
  return probe.stdout.trim().split(".").map(Number);
}

function atLeast(version, minimum) {
  for (let i = 0; i < minimum.length; i++) {
    if ((version[i] ?? 0) !== minimum[i]) return (version[i] ?? 0) > minimum[i];
  }
  return true;
}

const nodeMajor = Number(process.versions.node.split(".")[0]);
if (nodeMajor < MIN_NODE_MAJOR) {
  fail(
    `Node ${process.versions.node} is too old: install Node ${MIN_NODE_MAJOR} or newer (the project runs on 22).`,
  );
}

// 1. Already usable?
const ready = [
  ...(process.env.EFS_RECONCILER_PYTHON
    ? [["EFS_RECONCILER_PYTHON", process.env.EFS_RECONCILER_PYTHON]]
    : []),
  ["project venv", VENV_PYTHON],
  ["PATH", "python3"],
];
for (const [source, python] of ready) {
  if (hasTools(python)) {
    const shown = python.startsWith(ROOT) ? relative(ROOT, python) : python;
    process.stdout.write(
      `emulator ready: ${shown} (${source}) has moto ${MOTO_VERSION} and cfn-lint ${CFN_LINT_VERSION}\n`,
    );
    process.exit(0);
  }
}

// 2. Create the project venv.
const minimumText = MIN_PYTHON.join(".");
const basePythons = [
  ...(process.env.EFS_RECONCILER_PYTHON ? [process.env.EFS_RECONCILER_PYTHON] : []),
  "python3",
  "python3.13",
  "python3.12",
  "python3.11",
  "python",
];
let base;
const seen = [];
for (const python of basePythons) {
  const version = pythonVersionOf(python);
  if (!version) continue;
  seen.push(`${python} ${version.join(".")}`);
  if (atLeast(version, MIN_PYTHON)) {
    base = python;
    break;
  }
}
if (!base) {
  fail(
    seen.length
      ? `the emulator needs Python >= ${minimumText}; found only ${seen.join(", ")}. Install a newer Python 3 and run \`npm run setup\` again (or set EFS_RECONCILER_PYTHON to it).`
      : `no Python found (tried ${basePythons.join(", ")}). Install Python >= ${minimumText} (Debian/Ubuntu: sudo apt-get install python3 python3-venv) and run \`npm run setup\` again.`,
  );
}

const createdVenv = !existsSync(VENV_PYTHON);
if (createdVenv) {
  const venv = run(base, ["-m", "venv", VENV]);
  if (!venv.ok) {
    rmSync(VENV, { recursive: true, force: true });
    fail(
      `\`${base} -m venv .venv\` failed. On Debian/Ubuntu install the venv module (sudo apt-get install python3-venv), then run \`npm run setup\` again.\n${tail(venv.stderr || String(venv.error ?? ""))}`,
    );
  }
}

const install = run(
  VENV_PYTHON,
  ["-m", "pip", "install", "--disable-pip-version-check", "--quiet", "-r", REQUIREMENTS],
  { cwd: ROOT },
);
if (!install.ok || !hasTools(VENV_PYTHON)) {
  if (createdVenv) rmSync(VENV, { recursive: true, force: true });
  fail(
    `installing emulator/requirements.txt into .venv failed (is PyPI reachable? behind a proxy, set HTTPS_PROXY or configure pip). ` +
      `Alternatively install the file into any Python >= ${minimumText} yourself and set EFS_RECONCILER_PYTHON to that interpreter.\n${tail(install.stderr || String(install.error ?? ""))}`,
  );
}
process.stdout.write(
  `emulator ready: installed moto ${MOTO_VERSION} and cfn-lint ${CFN_LINT_VERSION} into .venv\n`,
);
