import { describe, expect, it } from "vitest";
import { createLimiter } from "../../../src/observe/limiter";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("createLimiter", () => {
  it("never runs more than the limit at once and runs every task", async () => {
    const limit = createLimiter(2);
    const gates = Array.from({ length: 5 }, deferred);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const results = gates.map((gate, i) =>
      limit(async () => {
        running++;
        peak = Math.max(peak, running);
        started.push(i);
        await gate.promise;
        running--;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    gates[0]!.resolve();
    // A task arriving while others wait queues behind them.
    const late = limit(async () => {
      running++;
      peak = Math.max(peak, running);
      running--;
      return 99;
    });
    for (const g of gates) g.resolve();
    expect(await Promise.all([...results, late])).toEqual([0, 1, 2, 3, 4, 99]);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
  });

  it("frees the slot when a task fails", async () => {
    const limit = createLimiter(1);
    await expect(limit(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await limit(async () => "next")).toBe("next");
  });

  it("treats a limit below 1 as 1", async () => {
    const limit = createLimiter(0);
    expect(await Promise.all([limit(async () => 1), limit(async () => 2)])).toEqual([1, 2]);
  });
});
