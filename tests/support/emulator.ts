/**
 * The local AWS emulator of this Vitest worker (started by tests/global-setup.ts).
 *
 * Each worker has its own emulator; test files that run one after another in the same worker
 * share it, so call `resetEmulator()` in `beforeEach` (or `beforeAll`) of every integration file.
 */
import { inject } from "vitest";
import { type AwsClients, type CallRecorder, createClients } from "../../src/aws/clients";
import { configureEmulatorAt, type EmulatorConfig, resetEmulatorAt } from "../../src/emulator/control";
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from "../../src/emulator/warm-up";

// The emulator ignores credentials, but the SDK needs some; never sign test calls with real ones.
process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;

export class EmulatorUnavailableError extends Error {
  override name = "EmulatorUnavailableError";
}

/** The endpoint of this worker's emulator. */
export function emulatorEndpoint(): string {
  const endpoints = inject("emulatorEndpoints");
  if (!endpoints || endpoints.length === 0) {
    throw new EmulatorUnavailableError(
      `no local AWS emulator for integration tests: ${inject("emulatorError") ?? "global setup did not start one (is tests/global-setup.ts configured?)"}`,
    );
  }
  const slot = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? "1");
  const index = ((Number.isInteger(slot) && slot > 0 ? slot : 1) - 1) % endpoints.length;
  return endpoints[index] as string;
}

/** SDK clients bound to this worker's emulator: region us-east-1, one attempt per call. */
export function emulatorClients(recorder?: CallRecorder): AwsClients {
  return createClients({
    endpoint: emulatorEndpoint(),
    region: EMULATOR_REGION,
    maxAttempts: 1,
    ...(recorder ? { recorder } : {}),
  });
}

/** Wipes every resource in this worker's emulator and restores the default test knobs. */
export function resetEmulator(): Promise<void> {
  return resetEmulatorAt(emulatorEndpoint());
}

export async function configureEmulator(cfg: EmulatorConfig): Promise<void> {
  await configureEmulatorAt(emulatorEndpoint(), cfg);
}
