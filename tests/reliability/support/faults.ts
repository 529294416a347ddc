/**
 * Fault injection of the local emulator (emulator/patches/faults.py): AWS's own error answers for
 * chosen calls, decided deterministically, so reliability tests can throttle, deny or "crash" an
 * apply on purpose.
 */
import { type AwsClients, type CallRecorder, createClients } from "../../../src/aws/clients";
import { EMULATOR_REGION } from "../../../src/emulator/warm-up";
import { emulatorEndpoint } from "../../support/emulator";

export type FaultService = "ec2" | "efs" | "lambda";
export type FaultError = "throttle" | "accessDenied" | "expiredToken" | "invalidToken";

export interface FaultRule {
  service?: FaultService;
  /** The API operation name, e.g. "RevokeSecurityGroupIngress". */
  operation?: string;
  /** A substring of the request's path, query and body (a resource id, a function name…). */
  match?: string;
  mutating?: boolean;
  error: FaultError;
  /** Matching calls let through before the rule fails any (default 0). */
  skip?: number;
  /** Matching calls failed after `skip` (default: every one). */
  times?: number;
}

export interface FaultConfig {
  seed?: number;
  /** Share of calls (0..1) answered with the service's throttling error. */
  rate?: number;
  services?: FaultService[];
  rules?: FaultRule[];
  /** Every mutating call after this many mutating calls fails with `mutationError`. */
  failMutationsAfter?: number;
  mutationError?: FaultError;
}

export interface InjectedFault {
  service: FaultService;
  operation: string;
  mutating: boolean;
  error: FaultError;
  reason: string;
}

export interface FaultReport {
  config: FaultConfig | null;
  injected: InjectedFault[];
  /** Mutating calls let through to the emulator since the faults were set. */
  mutations: number;
  /** `service:Operation` → calls seen since the faults were set. */
  calls: Record<string, number>;
}

export class FaultControlError extends Error {
  override name = "FaultControlError";
}

/** Sets the emulator's fault injection (null turns it off); counters restart. */
export async function setFaults(config: FaultConfig | null): Promise<void> {
  const response = await fetch(`${emulatorEndpoint()}/efs-reconciler/config`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ faults: config }),
  });
  const text = await response.text();
  if (!response.ok)
    throw new FaultControlError(`emulator refused the fault config (HTTP ${response.status}): ${text}`);
}

/** What the fault injection did since it was set. */
export async function faultReport(): Promise<FaultReport> {
  const response = await fetch(`${emulatorEndpoint()}/efs-reconciler/faults`);
  if (!response.ok)
    throw new FaultControlError(`emulator answered HTTP ${response.status} for its fault report`);
  return (await response.json()) as FaultReport;
}

/** Injected faults counted by `service` (and in total). */
export function countInjected(report: FaultReport): Record<FaultService | "total", number> {
  const out = { ec2: 0, efs: 0, lambda: 0, total: 0 };
  for (const f of report.injected) {
    out[f.service]++;
    out.total++;
  }
  return out;
}

/**
 * Clients bound to this worker's emulator with the production retry policy (createClients'
 * defaults: standard mode, DEFAULT_MAX_ATTEMPTS), unlike tests/support/emulator.ts's one attempt.
 */
export function productionClients(recorder?: CallRecorder): AwsClients {
  return createClients({
    endpoint: emulatorEndpoint(),
    region: EMULATOR_REGION,
    ...(recorder ? { recorder } : {}),
  });
}
