import { describe, expect, it } from "vitest";
import { AwsReader } from "../../../src/observe/aws-reader";
import { createRateLimiter, type RateLimiterClock } from "../../../src/observe/rate-limiter";

/** A clock that only moves when the limiter sleeps: what it was asked to wait is the schedule. */
function fakeClock(): RateLimiterClock & { at: number; sleeps: number[] } {
  const clock = {
    at: 0,
    sleeps: [] as number[],
    now: () => clock.at,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.at += ms;
    },
  };
  return clock;
}

describe("createRateLimiter", () => {
  it("lets a full bucket through at once, then spaces calls at the rate", async () => {
    const clock = fakeClock();
    const throttle = createRateLimiter(10, 3, clock);
    const sent: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        await throttle();
        sent.push(clock.at);
      }),
    );
    expect(sent).toEqual([0, 0, 0, 100, 200, 300]);
    expect(clock.sleeps).toEqual([100, 100, 100]);
  });

  it("refills while idle, never above the bucket", async () => {
    const clock = fakeClock();
    const throttle = createRateLimiter(10, 2, clock);
    await throttle();
    await throttle();
    clock.at += 10_000;
    const sent: number[] = [];
    for (let i = 0; i < 3; i++) {
      await throttle();
      sent.push(clock.at);
    }
    expect(sent).toEqual([10_000, 10_000, 10_100]);
  });

  it("never sends more than burst + rate × t calls in t seconds", async () => {
    const clock = fakeClock();
    const throttle = createRateLimiter(10, 10, clock);
    const sent: number[] = [];
    await Promise.all(
      Array.from({ length: 55 }, async () => {
        await throttle();
        sent.push(clock.at);
      }),
    );
    for (const t of [0, 1000, 2000, 4000]) {
      expect(sent.filter((at) => at <= t).length).toBeLessThanOrEqual(10 + (10 * t) / 1000);
    }
    expect(sent.at(-1)).toBe(4500);
  });

  it("does not limit when the rate is not a positive number", async () => {
    const clock = fakeClock();
    for (const rate of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const throttle = createRateLimiter(rate, 1, clock);
      await Promise.all([throttle(), throttle(), throttle()]);
    }
    expect(clock.sleeps).toEqual([]);
  });
});

describe("AwsReader rate limits", () => {
  it("waits for the service's limiter before every call, in every phase", async () => {
    const waited: string[] = [];
    const reader = new AwsReader("us-east-1", undefined, {
      efs: async () => {
        waited.push("efs");
      },
    });
    const phase = reader.phase();
    await phase.call("efs", "DescribeFileSystems", async () => 1);
    await phase.tryCall("efs", "DescribeLifecycleConfiguration", async () => 1, []);
    await phase.pages(
      "efs",
      "DescribeAccessPoints",
      async (token) => ({ next: token ? undefined : "page-2" }),
      (page) => page.next,
    );
    await reader.call("ec2", "DescribeSubnets", async () => 1);
    expect(waited).toEqual(["efs", "efs", "efs", "efs"]);
    expect(reader.calls).toBe(5);
  });
});
