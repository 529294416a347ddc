/**
 * Vitest global setup: one local AWS emulator per worker, so test files running in parallel
 * never share AWS state. Test files find theirs through tests/support/emulator.ts.
 *
 * When the emulator cannot start (no Python with moto), unit tests still run; tests that ask
 * for an emulator fail with the reason and what to install.
 */
import { availableParallelism } from "node:os";
import type { TestProject } from "vitest/node";
import { type Emulator, startEmulator, warmUp } from "../src/emulator/launcher";

declare module "vitest" {
  export interface ProvidedContext {
    /** One endpoint per Vitest worker, indexed by VITEST_POOL_ID - 1. */
    emulatorEndpoints: string[];
    /** Why no emulator is available (null when they all started). */
    emulatorError: string | null;
  }
}

function workerCount(project: TestProject): number {
  const configured = project.config.maxWorkers ?? project.vitest.config.maxWorkers;
  return Number.isInteger(configured) && configured > 0 ? configured : availableParallelism();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const count = workerCount(project);
  const started = await Promise.allSettled(Array.from({ length: count }, () => startEmulator()));
  const emulators = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failure = started.find((r): r is PromiseRejectedResult => r.status === "rejected");

  const teardown = async (): Promise<void> => {
    await Promise.allSettled(emulators.map((e: Emulator) => e.stop()));
  };

  const unavailable = async (reason: unknown): Promise<() => Promise<void>> => {
    await teardown();
    project.provide("emulatorEndpoints", []);
    project.provide("emulatorError", reason instanceof Error ? reason.message : String(reason));
    return async () => {};
  };
  if (failure) return unavailable(failure.reason);
  try {
    await Promise.all(emulators.map((e) => warmUp(e.endpoint)));
  } catch (err) {
    return unavailable(err);
  }
  project.provide(
    "emulatorEndpoints",
    emulators.map((e) => e.endpoint),
  );
  project.provide("emulatorError", null);
  return teardown;
}
