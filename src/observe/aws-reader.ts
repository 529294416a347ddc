/**
 * The read path every observation call goes through: waits for the service's rate limiter,
 * counts calls (per phase and in total), turns failures into `ObserveError`, lets a caller treat
 * named not-found errors as a value, and walks paginated listings.
 */
import type { ServiceName } from "../aws/clients";
import { toObserveError } from "./observe-error";
import type { Throttle } from "./rate-limiter";

export type ReadResult<T> = { ok: true; value: T } | { ok: false; errorName: string };

export class AwsReader {
  /** Calls sent through this reader and its phases. */
  calls = 0;

  constructor(
    readonly region: string,
    private readonly parent?: AwsReader,
    /** Per-service rate limiters every call waits for (shared with the phases). */
    private readonly throttles: Partial<Record<ServiceName, Throttle>> = parent?.throttles ?? {},
  ) {}

  /** A reader for one phase: its calls count here and in this reader, under the same rate limits. */
  phase(): AwsReader {
    return new AwsReader(this.region, this);
  }

  /** Sends one read; any failure becomes an `ObserveError`. */
  async call<T>(service: ServiceName, command: string, send: () => Promise<T>): Promise<T> {
    await this.throttles[service]?.();
    this.count();
    try {
      return await send();
    } catch (err) {
      throw toObserveError(service, command, this.region, err);
    }
  }

  /** Sends one read; the errors named in `tolerated` come back as a value, others throw `ObserveError`. */
  async tryCall<T>(
    service: ServiceName,
    command: string,
    send: () => Promise<T>,
    tolerated: readonly string[],
  ): Promise<ReadResult<T>> {
    await this.throttles[service]?.();
    this.count();
    try {
      return { ok: true, value: await send() };
    } catch (err) {
      const name = (err as { name?: unknown } | null)?.name;
      if (typeof name === "string" && tolerated.includes(name)) return { ok: false, errorName: name };
      throw toObserveError(service, command, this.region, err);
    }
  }

  /**
   * Reads every page of a listing. `fetch` gets the token of the page to read (undefined for the
   * first); `next` extracts the following token. Stops at an empty or repeated token.
   */
  async pages<P>(
    service: ServiceName,
    command: string,
    fetch: (token: string | undefined) => Promise<P>,
    next: (page: P) => string | undefined,
  ): Promise<P[]> {
    const result = await this.tryPages(service, command, fetch, next, []);
    return result.ok ? result.value : [];
  }

  /** `pages`, with the errors named in `tolerated` (on any page) returned as a value. */
  async tryPages<P>(
    service: ServiceName,
    command: string,
    fetch: (token: string | undefined) => Promise<P>,
    next: (page: P) => string | undefined,
    tolerated: readonly string[],
  ): Promise<ReadResult<P[]>> {
    const pages: P[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const current = token;
      const page = await this.tryCall(service, command, () => fetch(current), tolerated);
      if (!page.ok) return page;
      pages.push(page.value);
      token = next(page.value) || undefined;
      if (token !== undefined) {
        if (seen.has(token)) break;
        seen.add(token);
      }
    } while (token !== undefined);
    return { ok: true, value: pages };
  }

  private count(): void {
    this.calls++;
    this.parent?.count();
  }
}

/** EC2 takes at most this many filter values in one call, counted across its filters. */
export const EC2_FILTER_VALUES_PER_CALL = 200;

/** Sorted distinct values, empty strings dropped. */
export function distinct(values: Iterable<string | undefined>): string[] {
  const set = new Set<string>();
  for (const v of values) if (v) set.add(v);
  return [...set].sort();
}
