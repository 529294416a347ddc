/**
 * Locates the directory holding `emulator/server.py`, whether this code runs from `src/`
 * (tsx, Vitest) or from a bundle in `dist/`.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const SERVER_SCRIPT = join("emulator", "server.py");

export class EmulatorFilesNotFoundError extends Error {
  override name = "EmulatorFilesNotFoundError";
  constructor(from: string) {
    super(
      `cannot find ${SERVER_SCRIPT} above ${from}: run the emulator from an efs-reconciler checkout (the emulator is not part of the published package)`,
    );
  }
}

export function emulatorProjectRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, SERVER_SCRIPT))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new EmulatorFilesNotFoundError(from);
    dir = parent;
  }
}
