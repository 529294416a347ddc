/**
 * Starts the local AWS emulator (moto 5.2.1 with efs-reconciler's corrections, see
 * emulator/server.py) on a free loopback port, in its own process group.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { configureEmulatorAt, type EmulatorConfig, emulatorIsHealthy, resetEmulatorAt } from "./control";
import { findEmulatorPython } from "./find-python";
import { emulatorProjectRoot, SERVER_SCRIPT } from "./project-root";

export type { EmulatorConfig } from "./control";
export { warmUp } from "./warm-up";

export interface Emulator {
  /** Base URL for SDK clients, e.g. `http://127.0.0.1:41234`. */
  endpoint: string;
  port: number;
  pid: number;
  /** Ends the emulator's process group and waits until the process has exited. */
  stop(): Promise<void>;
  /** Wipes every emulated resource and restores the default test knobs. */
  reset(): Promise<void>;
  configure(cfg: EmulatorConfig): Promise<void>;
}

export interface StartEmulatorOptions {
  /** Port to listen on; default: a free port chosen by the operating system. */
  port?: number;
  /** Receives every line the emulator writes (stdout and stderr). */
  log?: (line: string) => void;
  /** How long to wait for the emulator to answer; default 30 s. */
  startTimeoutMs?: number;
  /** Python interpreter; default: the first of EFS_RECONCILER_PYTHON, ./.venv, python3 with moto 5.2.1. */
  python?: string;
}

export class EmulatorStartError extends Error {
  override name = "EmulatorStartError";
}

const READY_PREFIX = "EFS_RECONCILER_EMULATOR_READY ";
const STDERR_TAIL_LINES = 40;
const STOP_GRACE_MS = 5_000;

function onLines(stream: Readable, handle: (line: string) => void): void {
  let buffered = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) handle(line.replace(/\r$/, ""));
  });
  stream.on("end", () => {
    if (buffered) handle(buffered);
    buffered = "";
  });
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once("exit", onExit);
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

export async function startEmulator(opts: StartEmulatorOptions = {}): Promise<Emulator> {
  const root = emulatorProjectRoot();
  const python = opts.python ?? (await findEmulatorPython(root));
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  const log = opts.log;

  const child = spawn(python, [join(root, SERVER_SCRIPT), String(opts.port ?? 0), "--exit-on-stdin-eof"], {
    cwd: root,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" },
  });
  const stderrTail: string[] = [];
  let announced: string | undefined;
  let spawnError: Error | undefined;
  child.on("error", (err) => {
    spawnError = err;
  });
  if (child.stdout) {
    onLines(child.stdout, (line) => {
      if (!announced && line.startsWith(READY_PREFIX)) announced = line.slice(READY_PREFIX.length).trim();
      log?.(line);
    });
  }
  if (child.stderr) {
    onLines(child.stderr, (line) => {
      stderrTail.push(line);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      log?.(line);
    });
  }

  const describeFailure = (what: string): string => {
    const tail = stderrTail.length ? `\n--- emulator stderr (last lines) ---\n${stderrTail.join("\n")}` : "";
    return `${what} (command: ${python} ${SERVER_SCRIPT})${tail}`;
  };

  const stop = async (): Promise<void> => {
    if (child.pid === undefined || hasExited(child)) return;
    child.stdin?.end();
    killGroup(child.pid, "SIGTERM");
    if (await waitForExit(child, STOP_GRACE_MS)) return;
    killGroup(child.pid, "SIGKILL");
    if (!(await waitForExit(child, STOP_GRACE_MS))) {
      throw new EmulatorStartError(
        `emulator process ${child.pid} did not exit after SIGKILL: kill it by hand`,
      );
    }
  };

  const deadline = Date.now() + timeoutMs;
  let endpoint: string | undefined;
  try {
    for (;;) {
      if (spawnError)
        throw new EmulatorStartError(describeFailure(`cannot start the emulator: ${spawnError.message}`));
      if (hasExited(child)) {
        // Let the last stderr chunks arrive before reporting.
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new EmulatorStartError(
          describeFailure(
            `emulator exited before it was ready (exit code ${child.exitCode}, signal ${child.signalCode})`,
          ),
        );
      }
      if (Date.now() > deadline) {
        throw new EmulatorStartError(
          describeFailure(
            `emulator did not answer within ${timeoutMs} ms; raise startTimeoutMs on a slow machine`,
          ),
        );
      }
      if (announced && (await emulatorIsHealthy(announced))) {
        endpoint = announced;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }

  // The emulator must not keep this Node process alive: if it exits without stop(), the
  // emulator sees its stdin close and exits too.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  const port = Number(new URL(endpoint).port);
  const emulatorEndpoint = endpoint;
  return {
    endpoint: emulatorEndpoint,
    port,
    pid: child.pid as number,
    stop,
    reset: () => resetEmulatorAt(emulatorEndpoint),
    configure: async (cfg) => {
      await configureEmulatorAt(emulatorEndpoint, cfg);
    },
  };
}
