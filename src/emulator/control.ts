/**
 * The emulator's own control endpoints (`/efs-reconciler/*`, served by emulator/server.py).
 */

export interface EmulatorConfig {
  /**
   * Each mount target created after this is set reports `creating` for its first N appearances
   * in DescribeMountTargets, then `available` (AWS takes a minute or more). Default 0.
   */
  mountTargetCreatingDescribes?: number;
}

export class EmulatorControlError extends Error {
  override name = "EmulatorControlError";
}

async function post(endpoint: string, route: string, body: unknown): Promise<unknown> {
  const url = `${endpoint}/efs-reconciler/${route}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (cause) {
    throw new EmulatorControlError(`cannot reach the emulator at ${url}: is it still running?`, { cause });
  }
  const text = await response.text();
  if (!response.ok) {
    throw new EmulatorControlError(`emulator refused POST ${url} (HTTP ${response.status}): ${text}`);
  }
  return JSON.parse(text) as unknown;
}

/** Wipes every emulated resource and restores the default test knobs. */
export async function resetEmulatorAt(endpoint: string): Promise<void> {
  await post(endpoint, "reset", {});
}

/** Changes test knobs; returns the full configuration now in effect. */
export async function configureEmulatorAt(
  endpoint: string,
  config: EmulatorConfig,
): Promise<Required<EmulatorConfig>> {
  return (await post(endpoint, "config", config)) as Required<EmulatorConfig>;
}

/** True when the emulator answers its health check. */
export async function emulatorIsHealthy(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/efs-reconciler/health`, { signal: AbortSignal.timeout(2_000) });
    await response.text();
    return response.ok;
  } catch {
    return false;
  }
}
