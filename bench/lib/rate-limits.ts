/**
 * Observation under the default per-service rate limits: how fast it may go at AWS, and a measured
 * pass showing the limiter keeps the sustained rate of every service at or below its limit.
 */
import type { AwsClients, ServiceName } from "../../src/aws/clients";
import type { DesiredState } from "../../src/desired-state/types";
import { DEFAULT_OBSERVE_RATES, observe } from "../../src/observe/observe";
import type { CallStats } from "./call-stats";
import type { RateLimitResult } from "./results";
import { round } from "./stats";

function serviceCalls(byCommand: Record<string, number>): Partial<Record<ServiceName, number>> {
  const out: Partial<Record<ServiceName, number>> = {};
  for (const [key, n] of Object.entries(byCommand)) {
    const service = key.split(":")[0] as ServiceName;
    out[service] = (out[service] ?? 0) + n;
  }
  return out;
}

/**
 * The least time the calls take under the default limits: each service's calls beyond its
 * one-second bucket, at its rate (services are read concurrently, so the slowest one counts).
 */
export function rateLimitedSecondsAtLeast(byCommand: Record<string, number>): number {
  let worst = 0;
  for (const [service, calls] of Object.entries(serviceCalls(byCommand))) {
    const rate = DEFAULT_OBSERVE_RATES[service as ServiceName];
    if (!rate) continue;
    worst = Math.max(worst, Math.max(0, calls - rate) / rate);
  }
  return worst;
}

export async function measureRateLimited(
  desired: DesiredState,
  clients: AwsClients,
  stats: CallStats,
): Promise<RateLimitResult> {
  stats.reset();
  const started = performance.now();
  await observe(desired, clients, { ratePerSecond: DEFAULT_OBSERVE_RATES });
  const seconds = (performance.now() - started) / 1000;
  const summary = stats.summary();
  const calls = serviceCalls(summary.byCommand);
  const sustainedPerSecond: Partial<Record<ServiceName, number>> = {};
  for (const [service, n] of Object.entries(calls)) {
    const rate = DEFAULT_OBSERVE_RATES[service as ServiceName] ?? 0;
    // The bucket starts full: its first second of calls goes out at once, the rest at the rate.
    sustainedPerSecond[service as ServiceName] = round(Math.max(0, n - rate) / seconds, 2);
  }
  return {
    fileSystems: desired.fileSystems.length,
    limits: { ...DEFAULT_OBSERVE_RATES },
    seconds: round(seconds, 2),
    apiCalls: summary.calls,
    peakInFlight: summary.peakInFlight,
    peakPerSecond: summary.peakPerSecond,
    sustainedPerSecond,
  };
}
