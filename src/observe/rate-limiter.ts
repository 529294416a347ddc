/**
 * A token bucket per AWS service: observation sends at most `burst` calls at once and then
 * `perSecond` calls per second, so a large fleet is read inside the service's rate limit instead
 * of being throttled and retried. Callers wait their turn in order.
 */

import type { ServiceName } from "../aws/clients";

/**
 * Observation's default rates, below AWS's limits and leaving room for other callers: EFS
 * throttles describes near 10/s; Lambda's control plane allows 15/s for the whole account; EC2
 * refills Describe calls at 20/s; CloudWatch allows 9 DescribeAlarms per second; IAM and the
 * tagging API publish no read rate.
 */
export const DEFAULT_OBSERVE_RATES: Readonly<Partial<Record<ServiceName, number>>> = {
  efs: 10,
  lambda: 10,
  ec2: 20,
  cloudwatch: 5,
  iam: 10,
  tagging: 5,
};

/** Resolves when the caller may send its next call. */
export type Throttle = () => Promise<void>;

export interface RateLimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/**
 * Monotonic milliseconds. `process.hrtime` rather than `performance.now()`: the global
 * `performance` loads Node's performance-timing modules on first use, a cost at every cold start.
 */
const realClock: RateLimiterClock = {
  now: () => Number(process.hrtime.bigint()) / 1e6,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function createRateLimiter(
  perSecond: number,
  burst: number = perSecond,
  clock: RateLimiterClock = realClock,
): Throttle {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return async () => {};
  const capacity = Math.max(1, burst);
  let tokens = capacity;
  let last = clock.now();
  let queue: Promise<void> = Promise.resolve();

  const refill = (): void => {
    const now = clock.now();
    tokens = Math.min(capacity, tokens + ((now - last) * perSecond) / 1000);
    last = now;
  };

  return () => {
    const turn = queue.then(async () => {
      refill();
      if (tokens < 1) {
        await clock.sleep(Math.ceil(((1 - tokens) * 1000) / perSecond));
        refill();
      }
      tokens -= 1;
    });
    queue = turn;
    return turn;
  };
}
