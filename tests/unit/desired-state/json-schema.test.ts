import { execFile } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  buildManifestJsonSchema,
  manifestJsonSchemaFileState,
  renderManifestJsonSchema,
} from "../../../src/desired-state/json-schema";
import { tempDir } from "./helpers";
import { accessPoint, fileSystem, lambdaFunction } from "./manifest-texts";

const COMMITTED = "schema/manifest.schema.json";
const EXAMPLES = "tests/fixtures/manifests/examples";

function documentsOf(text: string): unknown[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS())
    .filter((value) => value !== null);
}

function validator() {
  // Strict: the schema may use only keywords draft-07 knows. `required` in a oneOf/then branch
  // without its own `properties` is valid JSON Schema that strict mode would only flag as style.
  const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true, logger: false });
  return ajv.compile(buildManifestJsonSchema());
}

describe("the manifest JSON Schema", () => {
  it("is a draft-07 schema with one branch per kind, discriminated by a constant kind", () => {
    const schema = buildManifestJsonSchema();
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    const branches = schema.oneOf as Array<{ properties: { kind: { const: string } }; required: string[] }>;
    expect(branches.map((b) => b.properties.kind.const)).toEqual([
      "FileSystem",
      "AccessPoint",
      "LambdaFunction",
    ]);
    for (const branch of branches)
      expect(branch.required).toEqual(["apiVersion", "kind", "metadata", "spec"]);
  });

  it("accepts every example manifest", async () => {
    const validate = validator();
    const files = (await readdir(EXAMPLES)).filter((f) => f.endsWith(".yaml"));
    expect(files.length).toBeGreaterThan(0);
    let documents = 0;
    for (const file of files) {
      for (const doc of documentsOf(await readFile(path.join(EXAMPLES, file), "utf8"))) {
        documents++;
        expect(validate(doc), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
    expect(documents).toBe(4);
  });

  it("accepts the timeout as an integer or a range", () => {
    const validate = validator();
    for (const extra of ["  timeoutSeconds: 60\n", "  timeoutSeconds: { min: 10, max: 20 }\n"]) {
      expect(validate(documentsOf(lambdaFunction(extra))[0])).toBe(true);
    }
  });

  it.each([
    ["an unknown field", fileSystem("  mountTarget: {}\n")],
    [
      "a non-sg security group id",
      fileSystem("", (t) => t.replace("sg-0123456789abcdef0", "security-group-1")),
    ],
    ["both fileSystemId and selector", fileSystem("  selector: { tags: { a: b } }\n")],
    ["provisioned without throughput", fileSystem("  throughputMode: provisioned\n")],
    ["throughput without provisioned", fileSystem("  provisionedThroughputInMibps: 10\n")],
    ["a root uid", accessPoint("", (t) => t.replace("uid: 1000", "uid: 0"))],
    ["permissions as a number", accessPoint("", (t) => t.replace('"755"', "755"))],
    ["a root directory with ..", accessPoint("", (t) => t.replace("path: /app", "path: /app/../x"))],
    ["a timeout above 900", lambdaFunction("  timeoutSeconds: 901\n")],
    ["an unknown kind", fileSystem("", (t) => t.replace("kind: FileSystem", "kind: Volume"))],
    ["another apiVersion", fileSystem("", (t) => t.replace("efs-reconciler.io/v1alpha1", "v1"))],
  ])("rejects %s", (_, text) => {
    const validate = validator();
    expect(validate(documentsOf(text)[0])).toBe(false);
  });

  it("documents the defaults", () => {
    const text = JSON.stringify(buildManifestJsonSchema());
    for (const fragment of [
      '"default":true',
      '"default":"generalPurpose"',
      '"default":"bursting"',
      '"default":"/mnt/efs"',
      '"default":{"min":30,"max":60}',
      '"default":2',
    ]) {
      expect(text).toContain(fragment);
    }
  });
});

describe("schema/manifest.schema.json", () => {
  it("is up to date with the zod schema (npm run schema)", async () => {
    expect(await readFile(COMMITTED, "utf8")).toBe(renderManifestJsonSchema());
    expect(await manifestJsonSchemaFileState(COMMITTED)).toBe("up-to-date");
  });

  it("is detected as stale or missing", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "manifest.schema.json");
    expect(await manifestJsonSchemaFileState(file)).toBe("missing");
    await writeFile(file, renderManifestJsonSchema().replace('"FileSystem"', '"Filesystem"'));
    expect(await manifestJsonSchemaFileState(file)).toBe("stale");
    await writeFile(file, renderManifestJsonSchema());
    expect(await manifestJsonSchemaFileState(file)).toBe("up-to-date");
  });

  it("passes `gen-schema.ts --check`", async () => {
    const tsx = path.resolve("node_modules/tsx/dist/cli.mjs");
    const { stdout } = await promisify(execFile)(process.execPath, [tsx, "scripts/gen-schema.ts", "--check"]);
    expect(stdout).toBe(`${COMMITTED} is up to date\n`);
  });
});
