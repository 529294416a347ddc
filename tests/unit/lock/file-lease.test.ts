/**
 * The local run lease: a lock file under the state directory, created exclusively, taken over
 * when its run is gone (dead process on this host, or expired), never held by two runs at once.
 */
import { mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFileLease, LOCK_FILE, processIsAlive } from "../../../src/lock/file-lease";
import type { LeaseRequest } from "../../../src/lock/run-lease";

let stateDir: string;

beforeEach(async () => {
  stateDir = join(await mkdtemp(join(tmpdir(), "efsr-lease-")), "state");
});

afterEach(async () => {
  await rm(join(stateDir, ".."), { recursive: true, force: true });
});

const request = (holder: string): LeaseRequest => ({
  holder,
  runId: `20261128T120000Z-${holder.padStart(8, "0").slice(-8)}`,
  mode: "apply",
});

async function lockFile(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(stateDir, LOCK_FILE), "utf8")) as Record<string, unknown>;
}

describe("file lease", () => {
  it("creates the state directory and the lock file, recording the run, process and host", async () => {
    const lease = createFileLease(stateDir, { now: () => new Date("2026-11-28T12:00:00Z"), pid: 4242 });
    expect(await lease.acquire(request("a"))).toEqual({ acquired: true });
    expect(await lockFile()).toEqual({
      holder: "a",
      runId: "20261128T120000Z-0000000a",
      mode: "apply",
      acquiredAt: "2026-11-28T12:00:00.000Z",
      expiresAt: "2026-11-28T13:00:00.000Z",
      pid: 4242,
      hostname: hostname(),
    });
  });

  it("refuses a second run while the first holds it, naming the holder", async () => {
    const lease = createFileLease(stateDir);
    await lease.acquire(request("a"));
    const second = await lease.acquire(request("b"));
    expect(second.acquired).toBe(false);
    if (second.acquired) return;
    expect(second.heldBy.holder).toBe("a");
    expect(second.heldBy.pid).toBe(process.pid);
    expect(second.where).toContain(join(stateDir, LOCK_FILE));
    expect((await lockFile()).holder).toBe("a");
  });

  it("lets the holder ask again, and releases only for the holder", async () => {
    const lease = createFileLease(stateDir);
    await lease.acquire(request("a"));
    expect(await lease.acquire(request("a"))).toEqual({ acquired: true });
    await lease.release("b");
    expect((await lockFile()).holder).toBe("a");
    await lease.release("a");
    expect(await lease.acquire(request("b"))).toEqual({ acquired: true });
    expect((await lockFile()).holder).toBe("b");
  });

  it("takes over a lease whose process on this host is gone", async () => {
    const dead = createFileLease(stateDir, { pid: 999_999 });
    await dead.acquire(request("crashed"));
    const lease = createFileLease(stateDir, { isAlive: (pid) => pid !== 999_999 });
    expect(await lease.acquire(request("b"))).toEqual({ acquired: true });
    expect((await lockFile()).holder).toBe("b");
  });

  it("does not take over a live process's lease, nor another host's before it expires", async () => {
    const other = createFileLease(stateDir, { hostname: "elsewhere", pid: 999_999 });
    await other.acquire(request("remote"));
    const lease = createFileLease(stateDir, { isAlive: () => false });
    expect((await lease.acquire(request("b"))).acquired).toBe(false);
  });

  it("takes over an expired lease whoever holds it", async () => {
    const start = new Date("2026-11-28T12:00:00Z");
    await createFileLease(stateDir, { hostname: "elsewhere", now: () => start }).acquire(request("old"));
    const later = new Date(start.getTime() + 3601 * 1000);
    const lease = createFileLease(stateDir, { now: () => later, isAlive: () => true });
    expect(await lease.acquire(request("b"))).toEqual({ acquired: true });
  });

  it("treats an unreadable lock file as held until it is a minute old", async () => {
    const { mkdir } = await import("node:fs/promises");
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, LOCK_FILE), "{ half a lease");
    const lease = createFileLease(stateDir);
    const fresh = await lease.acquire(request("b"));
    expect(fresh.acquired).toBe(false);
    const old = new Date(Date.now() - 120_000);
    await utimes(join(stateDir, LOCK_FILE), old, old);
    expect(await lease.acquire(request("b"))).toEqual({ acquired: true });
  });

  it("gives a free lease to exactly one of many runs starting at once", async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => createFileLease(stateDir).acquire(request(`r${i}`))),
    );
    expect(outcomes.filter((o) => o.acquired)).toHaveLength(1);
  });

  it("gives a stale lease to exactly one of many runs that find it stale at once", async () => {
    await createFileLease(stateDir, { pid: 999_999 }).acquire(request("crashed"));
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        createFileLease(stateDir, { isAlive: (pid) => pid !== 999_999 }).acquire(request(`r${i}`)),
      ),
    );
    expect(outcomes.filter((o) => o.acquired)).toHaveLength(1);
    const holder = (await lockFile()).holder;
    expect(holder).toMatch(/^r\d+$/);
  });

  it("knows this process is alive and a made-up one is not", () => {
    expect(processIsAlive(process.pid)).toBe(true);
    expect(processIsAlive(2 ** 22 + 12345)).toBe(false);
  });
});
