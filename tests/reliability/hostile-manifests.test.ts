/**
 * Hostile and broken manifests through the real command line (`validate` and `plan`, in-process):
 * property-based mutations of valid manifests (keys deleted, renamed, added or duplicated, values
 * of the wrong type, random and unicode strings, extreme numbers, random edits and bytes) never
 * crash and never print a stack trace. Each case ends either valid (exit 0, a desired state the
 * planner accepts) or invalid (exit 1, every error one located line `FILE:LINE:COL: KIND/NAME:
 * message`, then one summary line, and `plan` reads nothing from AWS).
 *
 * Plus the hostile inputs tests/unit/desired-state/load.test.ts does not cover yet: deep nesting,
 * huge files (many documents, many errors, one huge scalar), duplicate keys, prototype-pollution
 * keys, YAML tags, a byte-order mark, CRLF and NUL bytes. (Alias bombs, oversize files, non-UTF-8
 * bytes and symlink loops are covered there.)
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { demoManifests } from "../../src/demo/scenario";
import { loadDesiredState } from "../../src/desired-state/index";
import type { ObservedState } from "../../src/observe/types";
import { planChanges } from "../../src/plan/index";
import { type CliResult, runCli } from "./support/cli";

/** Fuzz cases per property (two properties): enough to reach every kind of mutation many times. */
const DATA_RUNS = 1000;
const TEXT_RUNS = 500;

const BASE = demoManifests({ mountTargetSecurityGroupId: "sg-0123456789abcdef0" });
const BASE_DOCS: Record<string, unknown[]> = Object.fromEntries(
  Object.entries(BASE).map(([file, text]) => [file, parseAllDocuments(text).map((d) => d.toJS() as unknown)]),
);
/** A port nothing listens on: a `plan` that tried to reach AWS would say it cannot. */
const NOWHERE = ["--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1"];

const EMPTY_ACCOUNT: ObservedState = {
  region: "us-east-1",
  fileSystems: {},
  functions: {},
  mountedBy: {},
  subnets: {},
  vpcSubnets: {},
  securityGroups: {},
};

let root: string;
let caseNo = 0;
const tally = { valid: 0, invalid: 0, errorLines: 0 };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "efs-reconciler-fuzz-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  if (tally.valid + tally.invalid === 0) return;
  console.info(
    `hostile manifests: ${tally.valid + tally.invalid} fuzz cases through validate (+${TEXT_RUNS} through plan): ` +
      `${tally.valid} valid, ${tally.invalid} invalid with ${tally.errorLines} located error lines, 0 crashes`,
  );
});

async function writeCase(files: Record<string, string | Buffer>): Promise<string> {
  const dir = join(root, `case-${++caseNo}`);
  await mkdirp(dir);
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

async function mkdirp(dir: string): Promise<void> {
  const { mkdir } = await import("node:fs/promises");
  await mkdir(dir, { recursive: true });
}

const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;
const LOCATED = /^(?<file>.+?):(?<line>\d+):(?<col>\d+): (?<object>-|.+?\/.*?): (?<message>\S.*)$/;
/** What would break "one line" or let a manifest drive the terminal (escape sequences). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these characters are what the check looks for
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const SUMMARY =
  /^\d+ errors? in \d+ files?: the manifests in .+ are invalid(, so nothing was read from AWS)?\. Fix them and run (validate|plan) again\.$/;

/** Checks one run of the command line on a case directory; returns whether the manifests were valid. */
async function checkRun(
  run: CliResult,
  dir: string,
  files: Record<string, string | Buffer>,
): Promise<boolean> {
  const where = `case ${dir}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
  expect(STACK_LINE.test(run.stderr), where).toBe(false);
  expect(STACK_LINE.test(run.stdout), where).toBe(false);
  expect(run.stderr, where).not.toMatch(/error: unexpected|bug in efs-reconciler/);
  if (run.code === 0) {
    expect(run.stderr, where).toBe("");
    expect(run.stdout, where).toMatch(
      /^\d+ objects? in \d+ files? (is|are) valid \(revision sha256:[0-9a-f]{64}\)\.\n$/,
    );
    return true;
  }
  expect(run.code, where).toBe(1);
  expect(run.stdout, where).toBe("");
  const lines = run.stderrLines;
  expect(lines.length, where).toBeGreaterThanOrEqual(2);
  expect(lines.at(-1), where).toMatch(SUMMARY);
  const lineCounts = new Map(
    Object.entries(files).map(([name, content]) => [join(dir, name), String(content).split("\n").length]),
  );
  for (const line of lines.slice(0, -1)) {
    const m = LOCATED.exec(line);
    expect(m, `${JSON.stringify(line)}\n${where}`).not.toBeNull();
    expect(UNPRINTABLE.test(line), JSON.stringify(line)).toBe(false);
    const { file = "", line: l = "0", col = "0" } = m?.groups ?? {};
    expect(file === dir || lineCounts.has(file), `${line}\n${where}`).toBe(true);
    expect(Number(l), line).toBeGreaterThanOrEqual(1);
    expect(Number(l), line).toBeLessThanOrEqual((lineCounts.get(file) ?? 1) + 1);
    expect(Number(col), line).toBeGreaterThanOrEqual(1);
  }
  tally.errorLines += lines.length - 1;
  return false;
}

/** validate (and, if asked, plan) on the files; asserts the contract and counts the outcome. */
async function fuzzCase(files: Record<string, string | Buffer>, alsoPlan: boolean): Promise<void> {
  const dir = await writeCase(files);
  const valid = await checkRun(await runCli(["validate", "--manifests", dir]), dir, files);
  if (valid) {
    tally.valid++;
    const loaded = await loadDesiredState(dir);
    expect(loaded.ok).toBe(true);
    if (loaded.ok) {
      const plan = planChanges(loaded.state, EMPTY_ACCOUNT, { mode: "dry-run", runId: "fuzz" });
      expect(plan.summary.drift).toBe(plan.drift.length);
    }
  } else {
    tally.invalid++;
    if (alsoPlan) {
      const plan = await runCli(["plan", "--manifests", dir, ...NOWHERE]);
      expect(await checkRun(plan, dir, files)).toBe(false);
      expect(plan.stderr).toContain("so nothing was read from AWS");
      expect(plan.stderr).not.toContain("cannot reach");
    }
  }
  await rm(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Mutations of the parsed documents

type Path = (string | number)[];

function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...pathsOf(v, [...prefix, i]));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  }
  return out;
}

function parentOf(doc: unknown, path: Path): Record<string | number, unknown> | undefined {
  let node: unknown = doc;
  for (const key of path.slice(0, -1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node !== null && typeof node === "object" ? (node as Record<string | number, unknown>) : undefined;
}

const arbScalar = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.bigInt(),
  fc.constantFrom(
    0,
    -0,
    -1,
    1,
    2049,
    900,
    901,
    4294967295,
    4294967296,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    1e308,
    Number.POSITIVE_INFINITY,
    Number.NaN,
    0.5,
  ),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    "",
    " ",
    "sg-0123456789abcdef0",
    "sg-",
    "fs-0123456789abcdef0",
    "subnet-0123",
    "/",
    "/..",
    "/a/../b",
    "/mnt/efs",
    "/mnt/",
    "755",
    "0777",
    "999",
    "provisioned",
    "elastic",
    "maxIO",
    "AFTER_30_DAYS",
    "NONE",
    "FileSystem",
    "AccessPoint",
    "LambdaFunction",
    "efs-reconciler.io/v1alpha1",
    "efs-reconciler.io/v2",
    "data",
    "lambda",
    "search-api",
    "x".repeat(70),
    "Ünïcødé-名前-🚀",
    "\u0000",
    "line\nbreak",
    "tab\there",
    "\u202eevil",
    "__proto__",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a manifest may hold this literally
    "${HOME}",
    "*alias",
    "&anchor",
    "!!binary",
  ),
);
const arbValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: arbScalar },
  { weight: 1, arbitrary: fc.array(arbScalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 12 }), arbScalar, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);
const arbKey = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    "spec",
    "metadata",
    "name",
    "kind",
    "apiVersion",
    "__proto__",
    "constructor",
    "prototype",
    "fileSystemId",
    "selector",
    "uid",
    "Spec",
    "",
  ),
);

type DataOp =
  | { op: "delete" }
  | { op: "replace"; value: unknown }
  | { op: "add"; key: string; value: unknown }
  | { op: "rename"; key: string };

const arbOp: fc.Arbitrary<DataOp> = fc.oneof(
  fc.constant({ op: "delete" as const }),
  fc.record({ op: fc.constant("replace" as const), value: arbValue }),
  fc.record({ op: fc.constant("add" as const), key: arbKey, value: arbValue }),
  fc.record({ op: fc.constant("rename" as const), key: arbKey }),
);

const arbDataMutation = fc.record({
  file: fc.constantFrom(...Object.keys(BASE)),
  doc: fc.nat(),
  path: fc.nat(),
  ops: fc.array(fc.tuple(fc.nat(), arbOp), { minLength: 1, maxLength: 3 }),
});

function applyOp(doc: unknown, path: Path, op: DataOp): unknown {
  if (path.length === 0) return op.op === "replace" ? op.value : op.op === "delete" ? null : doc;
  const parent = parentOf(doc, path);
  const key = path.at(-1) as string | number;
  if (!parent) return doc;
  switch (op.op) {
    case "delete":
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      break;
    case "replace":
      parent[key] = op.value;
      break;
    case "add": {
      const target = parent[key];
      if (target !== null && typeof target === "object" && !Array.isArray(target)) {
        Object.defineProperty(target, op.key, {
          value: op.value,
          enumerable: true,
          configurable: true,
          writable: true,
        });
      } else parent[key] = { [op.key]: op.value };
      break;
    }
    case "rename":
      if (!Array.isArray(parent)) {
        const value = parent[key];
        delete parent[key];
        Object.defineProperty(parent, op.key, {
          value,
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
      break;
  }
  return doc;
}

function toYaml(docs: unknown[]): string {
  return docs.map((d) => stringify(d, { aliasDuplicateObjects: false })).join("---\n");
}

// ---------------------------------------------------------------------------------------------
// Edits of the text and bytes

type TextEdit =
  | { edit: "insert"; at: number; text: string }
  | { edit: "delete"; at: number; length: number }
  | { edit: "duplicateLine"; line: number }
  | { edit: "dropLine"; line: number }
  | { edit: "indent"; line: number; by: number }
  | { edit: "bytes"; at: number; bytes: number[] };

const arbTextEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({
    edit: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.string({ unit: "grapheme", maxLength: 8 }),
      fc.constantFrom(
        ":",
        ": ",
        "- ",
        "\t",
        "\n",
        "\r\n",
        "#",
        "---\n",
        "...\n",
        "&a ",
        "*a",
        "!!str ",
        "!custom ",
        "{",
        "[",
        "'",
        '"',
        "\u0000",
        "\ufeff",
        "\u2028",
        "<<: *a\n",
        "? ",
      ),
    ),
  }),
  fc.record({ edit: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ edit: fc.constant("duplicateLine" as const), line: fc.nat() }),
  fc.record({ edit: fc.constant("dropLine" as const), line: fc.nat() }),
  fc.record({ edit: fc.constant("indent" as const), line: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({
    edit: fc.constant("bytes" as const),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 4 }),
  }),
);

function applyTextEdit(content: string | Buffer, e: TextEdit): string | Buffer {
  if (e.edit === "bytes") {
    const buf = Buffer.from(content);
    const at = e.at % (buf.length + 1);
    return Buffer.concat([buf.subarray(0, at), Buffer.from(e.bytes), buf.subarray(at)]);
  }
  const text = String(content);
  const lines = text.split("\n");
  switch (e.edit) {
    case "insert": {
      const at = e.at % (text.length + 1);
      return text.slice(0, at) + e.text + text.slice(at);
    }
    case "delete": {
      const at = e.at % (text.length + 1);
      return text.slice(0, at) + text.slice(at + e.length);
    }
    case "duplicateLine": {
      const i = e.line % lines.length;
      lines.splice(i, 0, lines[i] ?? "");
      return lines.join("\n");
    }
    case "dropLine":
      lines.splice(e.line % lines.length, 1);
      return lines.join("\n");
    case "indent": {
      const i = e.line % lines.length;
      const line = lines[i] ?? "";
      lines[i] = e.by >= 0 ? " ".repeat(e.by) + line : line.replace(new RegExp(`^ {0,${-e.by}}`), "");
      return lines.join("\n");
    }
  }
}

// ---------------------------------------------------------------------------------------------

describe("fuzzed manifests through the command line", () => {
  it("the unmutated base manifests are valid (the fuzz starts from a valid set)", async () => {
    const dir = await writeCase(BASE);
    const run = await runCli(["validate", "--manifests", dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^4 objects in 2 files are valid/);
  });

  it(`mutated documents (${DATA_RUNS} cases): a located error or a valid desired state, never a crash`, async () => {
    await fc.assert(
      fc.asyncProperty(arbDataMutation, async ({ file, doc, path, ops }) => {
        const docs = structuredClone(BASE_DOCS);
        const list = docs[file] ?? [];
        const index = doc % list.length;
        let target = list[index];
        for (const [pathSeed, op] of ops) {
          const paths = pathsOf(target);
          target = applyOp(target, paths[(path + pathSeed) % paths.length] ?? [], op);
        }
        list[index] = target;
        const files = Object.fromEntries(Object.entries(docs).map(([f, d]) => [f, toYaml(d)]));
        await fuzzCase(files, false);
      }),
      { numRuns: DATA_RUNS, seed: 20260314 },
    );
  }, 300_000);

  it(`edited text and bytes (${TEXT_RUNS} cases, validate and plan): a located error or valid, never a crash, no AWS call`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(BASE)),
        fc.array(arbTextEdit, { minLength: 1, maxLength: 4 }),
        async (file, edits) => {
          let content: string | Buffer = BASE[file] ?? "";
          for (const e of edits) content = applyTextEdit(content, e);
          await fuzzCase({ ...BASE, [file]: content }, true);
        },
      ),
      { numRuns: TEXT_RUNS, seed: 42 },
    );
  }, 300_000);
});

// ---------------------------------------------------------------------------------------------

const FS_DOC = `apiVersion: efs-reconciler.io/v1alpha1
kind: FileSystem
metadata:
  name: data
spec:
  fileSystemId: fs-0123456789abcdef0
  mountTargets: { securityGroupId: sg-0123456789abcdef0 }
`;

async function validate(files: Record<string, string | Buffer>): Promise<CliResult & { dir: string }> {
  const dir = await writeCase(files);
  const run = await runCli(["validate", "--manifests", dir]);
  return { ...run, dir };
}

function errorsOf(run: CliResult & { dir: string }): string[] {
  return run.stderrLines.slice(0, -1).map((l) => l.split(run.dir).join("DIR"));
}

describe("hostile manifests the loader tests do not cover yet", () => {
  it("nesting deep enough to exhaust the parser's stack: located errors saying what to do", async () => {
    for (const deep of [
      `  x: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`,
      `  x: ${"{a: ".repeat(10_000)}1${"}".repeat(10_000)}\n`,
      `  x:\n${Array.from({ length: 3000 }, (_, i) => `${" ".repeat(4 + i)}- `).join("\n")}\n`,
    ]) {
      const run = await validate({ "fs.yaml": FS_DOC + deep });
      expect(run.code).toBe(1);
      expect(STACK_LINE.test(run.stderr)).toBe(false);
      // Where the stack runs out depends on how deep the caller already is: at least one such error.
      const errors = errorsOf(run);
      expect(errors.length).toBeGreaterThanOrEqual(1);
      for (const e of errors) {
        expect(e).toMatch(
          /^DIR\/fs\.yaml:\d+:\d+: FileSystem\/data: invalid YAML: nested too deeply to read: a manifest needs only a few levels of nesting, flatten this value$/,
        );
      }
    }
  });

  it("nesting the parser can read is reported as the unknown field it is", async () => {
    const run = await validate({ "fs.yaml": `${FS_DOC}  x: ${"[".repeat(200)}${"]".repeat(200)}\n` });
    expect(errorsOf(run)).toEqual([
      expect.stringMatching(/^DIR\/fs\.yaml:8:3: FileSystem\/data: spec\.x: unknown field/),
    ]);
  });

  it("huge files under the size limit: 10,000 valid documents load; 15,000 broken ones are all reported", async () => {
    // One manifest per file system: each document names its own.
    const many = Array.from({ length: 10_000 }, (_, i) =>
      FS_DOC.replace("name: data", `name: fs-${i}`).replace(
        "fs-0123456789abcdef0",
        `fs-${i.toString(16).padStart(17, "0")}`,
      ),
    ).join("---\n");
    const valid = await validate({ "many.yaml": many });
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(/^10000 objects in 1 file are valid/);

    const broken = Array.from({ length: 15_000 }, (_, i) => `kind: Nope\nmetadata: {name: x${i}}\n`).join(
      "---\n",
    );
    const run = await validate({ "broken.yaml": broken });
    expect(run.code).toBe(1);
    expect(run.stderrLines).toHaveLength(45_001);
    expect(run.stderrLines.at(-1)).toMatch(/^45000 errors in 1 file: /);
    expect(run.stderrLines.slice(0, -1).every((l) => LOCATED.test(l))).toBe(true);
  }, 120_000);

  it("one huge scalar (7 MB on one line) is an ordinary located error", async () => {
    const run = await validate({ "fs.yaml": FS_DOC.replace("name: data", `name: ${"a".repeat(7_000_000)}`) });
    expect(run.code).toBe(1);
    const errors = errorsOf(run);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBe(
      `DIR/fs.yaml:4:9: FileSystem/${"a".repeat(88)}…: metadata.name: "${"a".repeat(60)}…" is longer than 63 characters`,
    );
  });

  it("duplicate keys are located at the second one", async () => {
    const run = await validate({
      "fs.yaml": FS_DOC.replace("  name: data\n", "  name: data\n  name: other\n"),
    });
    expect(run.code).toBe(1);
    expect(errorsOf(run)).toEqual([
      expect.stringMatching(/^DIR\/fs\.yaml:5:3: FileSystem\/data: invalid YAML: Map keys must be unique/),
    ]);
  });

  it("prototype-pollution keys are unknown fields, and pollute nothing", async () => {
    const run = await validate({
      "fs.yaml": FS_DOC.replace(
        "  name: data\n",
        "  name: data\n  __proto__: { polluted: yes }\n  labels:\n    constructor: x\n",
      ),
    });
    expect(run.code).toBe(1);
    expect(errorsOf(run)).toEqual([
      expect.stringMatching(/^DIR\/fs\.yaml:5:3: FileSystem\/data: metadata\.__proto__: unknown field/),
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it("YAML tags: a custom or code tag never runs anything and is reported", async () => {
    for (const tagged of ["!!js/function 'function () { return 1 }'", "!custom data", "!!binary aGVsbG8="]) {
      const run = await validate({ "fs.yaml": FS_DOC.replace("name: data", `name: ${tagged}`) });
      expect(run.code).toBe(1);
      expect(STACK_LINE.test(run.stderr)).toBe(false);
      expect(errorsOf(run).length).toBeGreaterThanOrEqual(1);
      expect(errorsOf(run).every((l) => /^DIR\/fs\.yaml:\d+:\d+: /.test(l))).toBe(true);
    }
  });

  it("a byte-order mark and CRLF line endings are read as the same manifest; NUL bytes are located errors", async () => {
    const bomCrlf = await validate({ "fs.yaml": `\ufeff${FS_DOC.replace(/\n/g, "\r\n")}` });
    expect([bomCrlf.code, bomCrlf.stdout]).toEqual([
      0,
      expect.stringMatching(/^1 object in 1 file is valid/),
    ]);
    const nul = await validate({ "fs.yaml": FS_DOC.replace("name: data", "name: da\u0000ta") });
    expect(nul.code).toBe(1);
    expect(errorsOf(nul).every((l) => /^DIR\/fs\.yaml:4:\d+: /.test(l))).toBe(true);
  });

  it("terminal escape sequences and line separators in a manifest are shown escaped, never sent raw", async () => {
    const run = await validate({
      "fs.yaml": FS_DOC.replace("name: data", 'name: "\\e[2J\\e]0;owned\\a\\u2028x"'),
    });
    expect(run.code).toBe(1);
    expect(UNPRINTABLE.test(run.stderr.replace(/\n/g, ""))).toBe(false);
    expect(errorsOf(run)[0]).toMatch(
      /^DIR\/fs\.yaml:4:9: FileSystem\/\\u001b\[2J\\u001b\]0;owned\\u0007\\u2028x: metadata\.name: /,
    );
  });

  it("leaves nothing behind in the case directories", async () => {
    const left = await readdir(root);
    expect(left.length).toBeLessThanOrEqual(caseNo);
  });
});
