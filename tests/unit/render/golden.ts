/**
 * Golden-file comparison for rendered output. `UPDATE_GOLDEN=1` rewrites the files in
 * tests/golden/ (review the diff by eye before committing them).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

const GOLDEN_DIR = fileURLToPath(new URL("../../golden/", import.meta.url));

export function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
  }
  if (!existsSync(file)) {
    throw new Error(`tests/golden/${name} is missing: run UPDATE_GOLDEN=1 npx vitest run tests/unit/render`);
  }
  expect(actual, `rendering differs from tests/golden/${name} (UPDATE_GOLDEN=1 rewrites it)`).toBe(
    readFileSync(file, "utf8"),
  );
}
