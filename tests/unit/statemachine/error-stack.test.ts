import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sourceMappedStacks } from "../../../src/statemachine/error-stack";

let dir: string;
let bundle: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "efsr-stack-"));
  bundle = join(dir, "lambda", "index.mjs");
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A map of two generated lines: line 1 from src/a.ts line 3 column 1, line 2 from src/b.ts line 8 column 6. */
async function writeMap(): Promise<void> {
  await mkdir(join(dir, "lambda"), { recursive: true });
  await writeFile(bundle, "a();\nb();\n");
  await writeFile(
    `${bundle}.map`,
    JSON.stringify({ version: 3, sources: ["../src/a.ts", "../src/b.ts"], names: [], mappings: "AAEA;ACKK" }),
  );
}

function errorAt(location: string, cause?: unknown): Error {
  const error = new Error("broke", cause === undefined ? {} : { cause });
  error.stack = `Error: broke\n    at f (${location})\n    at g (node:internal/process/task_queues:95:5)`;
  return error;
}

describe("error stacks mapped to the TypeScript sources", () => {
  it("maps the bundle's frames, in the error and its causes, and leaves other frames", async () => {
    await writeMap();
    const map = sourceMappedStacks(pathToFileURL(bundle).href);
    const cause = errorAt(`${bundle}:2:1`);
    const error = errorAt(`${pathToFileURL(bundle).href}:1:1`, cause);

    map(error);

    expect(error.stack).toContain(`at f (${join(dir, "src", "a.ts")}:3:1)`);
    expect(error.stack).toContain("at g (node:internal/process/task_queues:95:5)");
    expect(cause.stack).toContain(`at f (${join(dir, "src", "b.ts")}:8:6)`);
  });

  it("leaves stacks as they are without a map, and frames of other files", async () => {
    const map = sourceMappedStacks(pathToFileURL(bundle).href);
    const error = errorAt(`${bundle}:1:1`);
    map(error);
    expect(error.stack).toContain(`at f (${bundle}:1:1)`);

    await writeMap();
    const other = errorAt(join(dir, "lambda", "other.mjs:1:1"));
    sourceMappedStacks(pathToFileURL(bundle).href)(other);
    expect(other.stack).toContain(`${join(dir, "lambda", "other.mjs")}:1:1`);
  });

  it("ignores what is not an error", () => {
    const map = sourceMappedStacks(pathToFileURL(bundle).href);
    expect(() => map("a string")).not.toThrow();
    expect(() => map(undefined)).not.toThrow();
  });
});
