/** A small concurrency limiter: at most `limit` tasks run at once, the rest wait in order. */

export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(limit: number): Limiter {
  const max = Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : 1;
  let running = 0;
  const waiting: (() => void)[] = [];

  const acquire = async (): Promise<void> => {
    if (running < max) {
      running++;
      return;
    }
    // The slot is handed over by `release`, so `running` stays counted for the waiter.
    await new Promise<void>((resolve) => waiting.push(resolve));
  };

  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };

  return async <T>(task: () => Promise<T>): Promise<T> => {
    await acquire();
    try {
      return await task();
    } finally {
      release();
    }
  };
}
