import { afterEach, describe, expect, it, vi } from "vitest";
import * as clients from "../../../src/aws/clients";
import { runCli } from "./run-cli";

vi.mock("../../../src/aws/clients", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../../src/aws/clients")>();
  return { ...original, createClients: vi.fn(original.createClients) };
});

const VALID = "tests/fixtures/cli/valid";
const INVALID = "tests/fixtures/cli/invalid";
const ERROR_LINE =
  /^tests\/fixtures\/cli\/invalid\/[\w.-]+\.yaml:\d+:\d+: (FileSystem|AccessPoint|LambdaFunction)\/[a-z0-9-]+: \S.*$/;

afterEach(() => {
  vi.mocked(clients.createClients).mockClear();
});

describe("efs-reconciler validate", () => {
  it("prints one line with the object count, file count and revision, and exits 0", async () => {
    const run = await runCli(["validate", "--manifests", VALID]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^4 objects in 2 files are valid \(revision (?:git:[0-9a-f]{40}|sha256:[0-9a-f]{64})\)\.\n$/,
    );
    expect(run.stderr).toBe("");
  });

  it("accepts every common option of contract §3, makes no AWS client, and keeps them out of its help", async () => {
    const plain = await runCli(["validate", "--manifests", VALID]);
    const common = await runCli([
      "validate",
      "--manifests",
      VALID,
      "--region",
      "eu-west-1",
      "--profile",
      "ci",
      "--endpoint-url",
      "http://127.0.0.1:1",
      "--state-dir",
      "/nonexistent/records",
    ]);
    expect(common).toEqual(plain);
    expect(common.code).toBe(0);
    expect(clients.createClients).not.toHaveBeenCalled();
    const help = await runCli(["validate", "--help"]);
    expect(help.stdout).not.toMatch(/--region|--profile|--endpoint-url|--state-dir/);
    const badUrl = await runCli(["validate", "--manifests", VALID, "--endpoint-url", "not a url"]);
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toContain("--endpoint-url");
  });

  it("--output json prints one document: valid with counts, or every error located (exit 1)", async () => {
    const valid = await runCli(["validate", "--manifests", VALID, "--output", "json"]);
    expect(valid.code).toBe(0);
    expect(JSON.parse(valid.stdout)).toMatchObject({
      formatVersion: "1",
      valid: true,
      files: [`${VALID}/efs.yaml`, `${VALID}/functions.yaml`],
      objects: { FileSystem: 1, AccessPoint: 1, LambdaFunction: 2 },
      errors: [],
    });

    const invalid = await runCli(["validate", "--manifests", INVALID, "--output", "json"]);
    expect(invalid.code).toBe(1);
    const doc = JSON.parse(invalid.stdout) as { valid: boolean; errors: { file: string; line: number }[] };
    expect(doc.valid).toBe(false);
    expect(doc.errors).toHaveLength(3);
    expect(doc.errors).toContainEqual(
      expect.objectContaining({
        file: `${INVALID}/efs.yaml`,
        line: 18,
        col: 10,
        object: "AccessPoint/lambda",
      }),
    );
    expect(invalid.stderrLines).toHaveLength(4); // the same errors and the summary, for people
  });

  it("--output markdown prints a verdict, and a table of the errors when invalid", async () => {
    const valid = await runCli(["validate", "--manifests", VALID, "--output", "markdown"]);
    expect(valid.stdout).toMatch(/^✅ 4 objects in 2 files are valid \(revision /);
    const invalid = await runCli(["validate", "--manifests", INVALID, "--output", "markdown"]);
    expect(invalid.code).toBe(1);
    const lines = invalid.stdout.trimEnd().split("\n");
    expect(lines.slice(0, 4)).toEqual([
      `❌ **3 errors**: the manifests in \`${INVALID}\` are invalid.`,
      "",
      "| Where | Object | Error |",
      "|---|---|---|",
    ]);
    expect(lines).toHaveLength(7);
  });

  it("prints every error as FILE:LINE:COL: KIND/NAME: message, then a summary, and exits 1", async () => {
    const run = await runCli(["validate", "--manifests", INVALID]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const errors = run.stderrLines.slice(0, -1);
    expect(errors).toHaveLength(3);
    for (const line of errors) expect(line).toMatch(ERROR_LINE);
    expect(errors.some((l) => l.startsWith(`${INVALID}/efs.yaml:18:10: AccessPoint/lambda: `))).toBe(true);
    expect(
      errors.some((l) => l.startsWith(`${INVALID}/functions.yaml:8:16: LambdaFunction/search-api: `)),
    ).toBe(true);
    expect(run.stderrLines.at(-1)).toBe(
      `3 errors in 2 files: the manifests in ${INVALID} are invalid. Fix them and run validate again.`,
    );
  });

  it("never creates an AWS client", async () => {
    await runCli(["validate", "--manifests", VALID]);
    await runCli(["validate", "--manifests", INVALID]);
    expect(clients.createClients).not.toHaveBeenCalled();
  });

  it("names a missing manifest directory and the option to fix it", async () => {
    const run = await runCli(["validate", "--manifests", "tests/fixtures/cli/no-such-dir"]);
    expect(run.code).toBe(1);
    expect(run.stderrLines).toEqual([
      "error: manifest directory tests/fixtures/cli/no-such-dir does not exist: pass --manifests DIR",
    ]);
  });

  it("reads ./desired-state by default", async () => {
    const cwd = process.cwd();
    process.chdir("tests/fixtures/cli/default-dir");
    try {
      const run = await runCli(["validate"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^1 object in 1 file is valid/);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe("efs-reconciler usage", () => {
  it("rejects an unknown option with exit 1 and a usage hint on stderr", async () => {
    const run = await runCli(["validate", "--bogus"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("unknown option '--bogus'");
    expect(run.stdout).toBe("");
  });

  it("prints help on stdout with exit 0", async () => {
    const run = await runCli(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: efs-reconciler");
    expect(run.stdout).toMatch(/validate \[options\]/);
    expect(run.stdout).toMatch(/plan \[options\]/);
  });

  it("prints the version", async () => {
    const run = await runCli(["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
