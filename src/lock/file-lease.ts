/**
 * The local lease: a lock file `<state-dir>/run.lock`, created with O_CREAT|O_EXCL so exactly one
 * run creates it, holding the run, its process id and host, and an expiry. It is stale when its
 * time is up, or when it was taken on this host by a process that no longer exists (a run killed
 * before it could release it); a stale lock is taken over. Breaking a stale lock happens under a
 * second exclusive file, so two runs that both find it stale never both take it.
 */

import { mkdir, open, readFile, rm, stat } from "node:fs/promises";
import { hostname as osHostname } from "node:os";
import { join } from "node:path";
import {
  LEASE_SECONDS,
  type LeaseHolder,
  type LeaseOutcome,
  newLeaseHolder,
  type RunLease,
} from "./run-lease";

export const LOCK_FILE = "run.lock";
/** A break file older than this belongs to a run that died while breaking a stale lock. */
const BREAK_STALE_MS = 30_000;
/** A lock file that cannot be read as a lease is stale once this old (its writer died mid-write). */
const UNREADABLE_STALE_MS = 60_000;
const ATTEMPTS = 3;

export interface FileLeaseOptions {
  now?: () => Date;
  pid?: number;
  hostname?: string;
  /** Whether a process of this host exists. */
  isAlive?: (pid: number) => boolean;
  leaseSeconds?: number;
}

/** Whether a process exists (signal 0 checks without signalling; EPERM means it exists). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

type Current =
  | { kind: "missing" }
  | { kind: "lease"; holder: LeaseHolder; text: string }
  | { kind: "unreadable"; text: string; ageMs: number };

async function createExclusive(path: string, text: string): Promise<boolean> {
  try {
    const handle = await open(path, "wx");
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}

function parseHolder(text: string): LeaseHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LeaseHolder>;
    if (
      typeof value.holder === "string" &&
      typeof value.runId === "string" &&
      typeof value.acquiredAt === "string" &&
      typeof value.expiresAt === "string" &&
      (value.mode === "apply" || value.mode === "dry-run")
    ) {
      return value as LeaseHolder;
    }
  } catch {
    // An unreadable lock file is handled by its age.
  }
  return undefined;
}

export function createFileLease(stateDir: string, options: FileLeaseOptions = {}): RunLease {
  const lockPath = join(stateDir, LOCK_FILE);
  const breakPath = `${lockPath}.break`;
  const now = options.now ?? (() => new Date());
  const pid = options.pid ?? process.pid;
  const hostname = options.hostname ?? osHostname();
  const isAlive = options.isAlive ?? processIsAlive;
  const leaseMs = (options.leaseSeconds ?? LEASE_SECONDS) * 1000;

  async function readCurrent(): Promise<Current> {
    let text: string;
    let mtimeMs: number;
    try {
      [text, { mtimeMs }] = await Promise.all([readFile(lockPath, "utf8"), stat(lockPath)]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
      throw err;
    }
    const holder = parseHolder(text);
    if (holder) return { kind: "lease", holder, text };
    return { kind: "unreadable", text, ageMs: now().getTime() - mtimeMs };
  }

  function isStale(current: Exclude<Current, { kind: "missing" }>): boolean {
    if (current.kind === "unreadable") return current.ageMs > UNREADABLE_STALE_MS;
    const { holder } = current;
    if (now().getTime() >= Date.parse(holder.expiresAt)) return true;
    return holder.hostname === hostname && holder.pid !== undefined && !isAlive(holder.pid);
  }

  /** Removes the lock file if it still holds `staleText`; false when another run is breaking it. */
  async function breakStale(staleText: string): Promise<boolean> {
    if (!(await createExclusive(breakPath, String(pid)))) {
      const info = await stat(breakPath).catch(() => undefined);
      if (info && now().getTime() - info.mtimeMs > BREAK_STALE_MS) await rm(breakPath, { force: true });
      return false;
    }
    try {
      const text = await readFile(lockPath, "utf8").catch(() => undefined);
      if (text === staleText) await rm(lockPath, { force: true });
    } finally {
      await rm(breakPath, { force: true });
    }
    return true;
  }

  return {
    async acquire(request): Promise<LeaseOutcome> {
      await mkdir(stateDir, { recursive: true });
      const at = now();
      const lease: LeaseHolder = { ...newLeaseHolder(request, at, leaseMs), pid, hostname };
      const text = `${JSON.stringify(lease)}\n`;
      let last: Current = { kind: "missing" };
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        if (await createExclusive(lockPath, text)) return { acquired: true };
        last = await readCurrent();
        if (last.kind === "missing") continue;
        if (last.kind === "lease" && last.holder.holder === request.holder) return { acquired: true };
        if (!isStale(last)) break;
        await breakStale(last.text);
      }
      if (last.kind === "lease") return { acquired: false, heldBy: last.holder, where: `in ${lockPath}` };
      const unknown: LeaseHolder = {
        holder: "unknown",
        runId: "unknown",
        mode: "apply",
        acquiredAt: "an unknown time",
        expiresAt: "a minute after it was written",
      };
      return { acquired: false, heldBy: unknown, where: `in ${lockPath} (unreadable)` };
    },

    async release(holder) {
      const current = await readCurrent();
      if (current.kind === "lease" && current.holder.holder === holder) await rm(lockPath, { force: true });
    },
  };
}
