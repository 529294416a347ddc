/**
 * What a measured run sent: calls per service and command, mutating calls, the peak number of
 * calls in flight per service, and the peak number of calls started within any one second.
 */
import type { ServiceName } from "../../src/aws/clients";
import { isMutatingCommand } from "../../src/aws/clients";

export interface CallSummary {
  calls: number;
  mutatingCalls: number;
  byCommand: Record<string, number>;
  /** Most calls of one service in flight at the same time. */
  peakInFlight: Partial<Record<ServiceName, number>>;
  /** Most calls of one service started within any one-second window. */
  peakPerSecond: Partial<Record<ServiceName, number>>;
  /** Mean milliseconds per call, by `service:Command`. */
  meanMsByCommand: Record<string, number>;
}

export class CallStats {
  private starts: { service: ServiceName; at: number }[] = [];
  private commands: Record<string, number> = {};
  private mutating = 0;
  private inFlight: Partial<Record<ServiceName, number>> = {};
  private peak: Partial<Record<ServiceName, number>> = {};
  private durations: Record<string, number> = {};

  /** Marks the start of one call; the returned function marks its end. */
  start(service: ServiceName, command: string): () => void {
    this.starts.push({ service, at: performance.now() });
    const key = `${service}:${command}`;
    this.commands[key] = (this.commands[key] ?? 0) + 1;
    if (isMutatingCommand(command)) this.mutating++;
    const now = (this.inFlight[service] ?? 0) + 1;
    this.inFlight[service] = now;
    this.peak[service] = Math.max(this.peak[service] ?? 0, now);
    const started = performance.now();
    return () => {
      this.inFlight[service] = (this.inFlight[service] ?? 1) - 1;
      this.durations[key] = (this.durations[key] ?? 0) + performance.now() - started;
    };
  }

  reset(): void {
    this.starts = [];
    this.commands = {};
    this.mutating = 0;
    this.peak = {};
    this.durations = {};
  }

  summary(): CallSummary {
    return {
      calls: this.starts.length,
      mutatingCalls: this.mutating,
      byCommand: Object.fromEntries(Object.entries(this.commands).sort(([a], [b]) => (a < b ? -1 : 1))),
      peakInFlight: { ...this.peak },
      peakPerSecond: peakPerSecond(this.starts),
      meanMsByCommand: Object.fromEntries(
        Object.entries(this.durations).map(([k, ms]) => [
          k,
          Math.round((ms / (this.commands[k] ?? 1)) * 10) / 10,
        ]),
      ),
    };
  }
}

/** Most calls per service whose start times fall within any window of one second. */
export function peakPerSecond(
  starts: readonly { service: ServiceName; at: number }[],
): Partial<Record<ServiceName, number>> {
  const byService = new Map<ServiceName, number[]>();
  for (const s of starts) {
    const list = byService.get(s.service) ?? [];
    list.push(s.at);
    byService.set(s.service, list);
  }
  const out: Partial<Record<ServiceName, number>> = {};
  for (const [service, times] of byService) {
    times.sort((a, b) => a - b);
    let best = 0;
    let from = 0;
    for (let to = 0; to < times.length; to++) {
      while ((times[to] ?? 0) - (times[from] ?? 0) >= 1000) from++;
      best = Math.max(best, to - from + 1);
    }
    out[service] = best;
  }
  return out;
}
