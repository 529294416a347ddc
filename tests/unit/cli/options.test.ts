import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { parseEndpointUrl, parseSeconds, parseWholeNumber } from "../../../src/cli/options";
import { runCli } from "./run-cli";

describe("count and duration options", () => {
  it.each(["0", "7", "25", "0025", "9007199254740991"])("accepts the whole number %j", (v) => {
    expect(parseWholeNumber(v)).toBe(Number(v));
  });

  it.each(["", " ", " 2 ", "0x10", "0b11", "0o7", "1e0", "1.5", "-1", "+3", "abc", "9007199254740993"])(
    "refuses %j as a count",
    (v) => {
      expect(() => parseWholeNumber(v)).toThrow(InvalidArgumentError);
    },
  );

  it.each(["2", "0.5", "10.25"])("accepts %j seconds", (v) => {
    expect(parseSeconds(v)).toBe(Number(v));
  });

  it.each(["0", "0.0", "", "0x10", "1e1", "-2", ".5", "Infinity"])("refuses %j seconds", (v) => {
    expect(() => parseSeconds(v)).toThrow(InvalidArgumentError);
  });

  it.each([
    "http://localhost:4566",
    "https://elasticfilesystem.eu-west-1.amazonaws.com",
    "http://127.0.0.1:5000/",
  ])("accepts the endpoint %j", (v) => {
    expect(parseEndpointUrl(v)).toBe(v);
  });

  it.each(["notaurl", "localhost:4566", "ftp://example.com", "http://", ""])(
    "refuses the endpoint %j",
    (v) => {
      expect(() => parseEndpointUrl(v)).toThrow(InvalidArgumentError);
    },
  );

  it("apply refuses --max-changes 0x10 before reading anything (exit 1)", async () => {
    const run = await runCli(["apply", "--manifests", "tests/fixtures/cli/valid", "--max-changes", "0x10"], {
      env: {},
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--max-changes");
    expect(run.stderr).toContain("expected a whole number ≥ 0, written in decimal digits");
    expect(run.stdout).toBe("");
  });

  it.each(["plan", "apply"])(
    "%s refuses a --state-dir that is a file before reading AWS (exit 1)",
    async (command) => {
      const file = join(await mkdtemp(join(tmpdir(), "efs-reconciler-state-")), "not-a-dir");
      await writeFile(file, "x");
      const run = await runCli(
        [
          command,
          "--manifests",
          "tests/fixtures/cli/valid",
          "--state-dir",
          file,
          "--endpoint-url",
          "http://127.0.0.1:9",
        ],
        { env: {} },
      );
      expect(run.code).toBe(1);
      expect(run.stderrLines.at(-1)).toBe(
        `error: --state-dir ${file} is not a directory: name a directory (it is created if missing)`,
      );
      expect(run.stderr).not.toContain("observing");
    },
  );
});
