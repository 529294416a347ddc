/** What the stages of one observation share: one reader (calls counted, rate limits), one bound on calls in flight, the log. */
import type { ServiceName } from "../aws/clients";
import { AwsReader } from "./aws-reader";
import { createLimiter } from "./limiter";
import { createRateLimiter, type Throttle } from "./rate-limiter";
import type { StageContext } from "./stages";

export interface ObserveOptions {
  /** Per-file-system reads in flight at once. Default 4. */
  concurrency?: number;
  /**
   * Calls per second per service (a token bucket holding one second of calls); absent or `false`:
   * as fast as `concurrency` allows. The workflow's tasks pass `DEFAULT_OBSERVE_RATES`.
   */
  ratePerSecond?: Partial<Record<ServiceName, number>> | false;
  /** Receives one past-tense progress line per phase. */
  log?: (message: string) => void;
}

const DEFAULT_OBSERVE_CONCURRENCY = 4;

function throttlesFor(rates: ObserveOptions["ratePerSecond"]): Partial<Record<ServiceName, Throttle>> {
  if (!rates) return {};
  const out: Partial<Record<ServiceName, Throttle>> = {};
  for (const [service, perSecond] of Object.entries(rates)) {
    if (perSecond !== undefined) out[service as ServiceName] = createRateLimiter(perSecond);
  }
  return out;
}

/** What the stages of one observation share: the reader (calls, rate limits), the bound, the log. */
export function stageContext(region: string, options: ObserveOptions = {}): StageContext {
  return {
    reader: new AwsReader(region, undefined, throttlesFor(options.ratePerSecond)),
    limit: createLimiter(options.concurrency ?? DEFAULT_OBSERVE_CONCURRENCY),
    log: options.log ?? (() => {}),
  };
}
