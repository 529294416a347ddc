import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  type DesiredState,
  formatManifestError,
  loadDesiredState,
  MAX_MANIFEST_FILE_BYTES,
} from "../../../src/desired-state";
import { loadFiles, loadOk, tempDir, writeFiles } from "./helpers";
import { accessPoint, baseFiles, fileSystem, lambdaFunction } from "./manifest-texts";

const EXAMPLES = "tests/fixtures/manifests/examples";

/** Error lines of loading `dir`, with `base` (default: `dir`) shown as `DIR`. */
async function errorLines(dir: string, base = dir): Promise<string[]> {
  const result = await loadDesiredState(dir);
  if (result.ok) throw new Error("expected invalid manifests");
  return result.errors.map((e) => formatManifestError(e).split(base).join("DIR"));
}

describe("loadDesiredState: the example manifests", () => {
  it("load, with paths relative to the current directory and defaults applied", async () => {
    const result = await loadDesiredState(EXAMPLES);
    if (!result.ok) throw new Error(result.errors.map(formatManifestError).join("\n"));
    expect(result.files).toEqual([`${EXAMPLES}/efs.yaml`, `${EXAMPLES}/functions.yaml`]);
    const { fileSystems, accessPoints, functions } = result.state;
    expect(fileSystems).toEqual([
      {
        kind: "FileSystem",
        name: "ml-data",
        labels: { app: "suplementia" },
        spec: {
          selector: { tags: { Name: "suplementia-efs" } },
          encrypted: true,
          performanceMode: "generalPurpose",
          throughputMode: "bursting",
          lifecyclePolicy: {
            transitionToIA: "AFTER_30_DAYS",
            transitionToPrimaryStorageClass: "AFTER_1_ACCESS",
          },
          mountTargets: {
            securityGroupId: "sg-0efs0000000000001",
            availabilityZones: [],
            allowedSecurityGroupIds: [],
          },
          alarms: { percentIOLimit: 90, burstCreditBalanceBytes: false },
        },
        source: { file: `${EXAMPLES}/efs.yaml`, line: 2, col: 1 },
      },
    ]);
    expect(accessPoints).toEqual([
      {
        kind: "AccessPoint",
        name: "lambda",
        labels: {},
        spec: {
          fileSystem: "ml-data",
          posixUser: { uid: 1000, gid: 1000, secondaryGids: [] },
          rootDirectory: {
            path: "/lambda",
            creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "0755" },
          },
        },
        source: { file: `${EXAMPLES}/efs.yaml`, line: 21, col: 1 },
      },
    ]);
    expect(functions.map((f) => [f.name, f.spec, f.source.line])).toEqual([
      [
        "search-api",
        {
          functionName: "suplementia-search",
          accessPoint: "lambda",
          mountPath: "/mnt/efs",
          timeoutSeconds: { min: 30, max: 60 },
          minAvailabilityZones: 2,
          access: "readWrite",
          logFormat: "JSON",
        },
        2,
      ],
      [
        "embeddings-worker",
        {
          functionName: "suplementia-embeddings",
          accessPoint: "lambda",
          mountPath: "/mnt/efs",
          timeoutSeconds: { min: 30, max: 60 },
          minAvailabilityZones: 2,
          access: "readWrite",
          logFormat: "JSON",
        },
        15,
      ],
    ]);
  });

  it("show the same file paths whether the directory is given as ./relative or absolute inside the cwd", async () => {
    const fromDot = await loadDesiredState(`./${EXAMPLES}`);
    const fromAbsolute = await loadDesiredState(path.resolve(EXAMPLES));
    expect(fromDot.ok && fromDot.files).toEqual([`${EXAMPLES}/efs.yaml`, `${EXAMPLES}/functions.yaml`]);
    expect(fromAbsolute.ok && fromAbsolute.files).toEqual([
      `${EXAMPLES}/efs.yaml`,
      `${EXAMPLES}/functions.yaml`,
    ]);
  });
});

describe("loadDesiredState: values and defaults", () => {
  it("applies every default of the contract to minimal manifests", async () => {
    const result = await loadOk({
      "all.yaml": `apiVersion: efs-reconciler.io/v1alpha1
kind: FileSystem
metadata: { name: data }
spec:
  selector: { tags: { Name: data } }
  mountTargets: { securityGroupId: sg-0123456789abcdef0 }
---
apiVersion: efs-reconciler.io/v1alpha1
kind: AccessPoint
metadata: { name: app }
spec:
  fileSystem: data
  posixUser: { uid: 1000, gid: 1000 }
  rootDirectory: { path: /app, creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "755" } }
---
apiVersion: efs-reconciler.io/v1alpha1
kind: LambdaFunction
metadata: { name: api }
spec: { functionName: api-fn, accessPoint: app }
`,
    });
    const state: Omit<DesiredState, "revision"> = {
      fileSystems: [
        {
          kind: "FileSystem",
          name: "data",
          labels: {},
          spec: {
            selector: { tags: { Name: "data" } },
            encrypted: true,
            performanceMode: "generalPurpose",
            throughputMode: "bursting",
            lifecyclePolicy: {
              transitionToIA: "AFTER_30_DAYS",
              transitionToPrimaryStorageClass: "AFTER_1_ACCESS",
            },
            mountTargets: {
              securityGroupId: "sg-0123456789abcdef0",
              availabilityZones: [],
              allowedSecurityGroupIds: [],
            },
            alarms: { percentIOLimit: 90, burstCreditBalanceBytes: false },
          },
          source: expect.objectContaining({ line: 1, col: 1 }),
        },
      ],
      accessPoints: [
        {
          kind: "AccessPoint",
          name: "app",
          labels: {},
          spec: {
            fileSystem: "data",
            posixUser: { uid: 1000, gid: 1000, secondaryGids: [] },
            rootDirectory: {
              path: "/app",
              creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "0755" },
            },
          },
          source: expect.objectContaining({ line: 8, col: 1 }),
        },
      ],
      functions: [
        {
          kind: "LambdaFunction",
          name: "api",
          labels: {},
          spec: {
            functionName: "api-fn",
            accessPoint: "app",
            mountPath: "/mnt/efs",
            timeoutSeconds: { min: 30, max: 60 },
            minAvailabilityZones: 2,
            access: "readWrite",
            logFormat: "JSON",
          },
          source: expect.objectContaining({ line: 16, col: 1 }),
        },
      ],
    };
    expect(result.state).toMatchObject(state);
    // Optional fields the manifest leaves out stay absent (not managed).
    expect(Object.keys(result.state.fileSystems[0]!.spec)).not.toContain("backupPolicy");
    expect(Object.keys(result.state.functions[0]!.spec)).not.toContain("vpc");
  });

  it("keeps every value that is written, canonicalising permissions and a single timeout", async () => {
    const result = await loadOk({
      "fs.yaml": fileSystem(`  encrypted: false
  performanceMode: maxIO
  throughputMode: provisioned
  provisionedThroughputInMibps: 128.5
  lifecyclePolicy: { transitionToIA: NONE, transitionToPrimaryStorageClass: NONE }
  backupPolicy: ENABLED
  alarms: { percentIOLimit: 75.5, burstCreditBalanceBytes: 1000000000000 }
`).replace(
        "    securityGroupId: sg-0123456789abcdef0\n",
        "    securityGroupId: sg-0123456789abcdef0\n    availabilityZones: [us-east-1a, eu-central-1b]\n    allowedSecurityGroupIds: [sg-0aaaaaaaaaaaaaaaa]\n",
      ),
      "ap.yaml": accessPoint("", (t) =>
        t
          .replace('permissions: "755"', 'permissions: "0750"')
          .replace("    gid: 1000\n", "    gid: 1000\n    secondaryGids: [0, 2000]\n"),
      ),
      "fn.yaml": lambdaFunction(`  mountPath: /mnt/models
  timeoutSeconds: 120
  minAvailabilityZones: 3
  vpc:
    subnetIds: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
    securityGroupIds: [sg-0123456789abcdef2]
  access: readOnly
  logFormat: unmanaged
`),
      "fn-arn.yaml": lambdaFunction("", (t) =>
        t
          .replace("name: api", "name: worker")
          .replace(
            "functionName: api-fn",
            "functionName: arn:aws:lambda:eu-west-1:123456789012:function:worker",
          ),
      ),
      "ap-644.yaml": accessPoint("", (t) => t.replace("name: app", "name: app2").replace('"755"', '"644"')),
    });
    expect(result.state.fileSystems[0]!.spec).toEqual({
      fileSystemId: "fs-0123456789abcdef0",
      encrypted: false,
      performanceMode: "maxIO",
      throughputMode: "provisioned",
      provisionedThroughputInMibps: 128.5,
      lifecyclePolicy: { transitionToIA: "NONE", transitionToPrimaryStorageClass: "NONE" },
      backupPolicy: "ENABLED",
      mountTargets: {
        securityGroupId: "sg-0123456789abcdef0",
        availabilityZones: ["us-east-1a", "eu-central-1b"],
        allowedSecurityGroupIds: ["sg-0aaaaaaaaaaaaaaaa"],
      },
      alarms: { percentIOLimit: 75.5, burstCreditBalanceBytes: 1_000_000_000_000 },
    });
    const byName = Object.fromEntries(result.state.accessPoints.map((a) => [a.name, a.spec]));
    expect(byName.app?.posixUser).toEqual({ uid: 1000, gid: 1000, secondaryGids: [0, 2000] });
    expect(byName.app?.rootDirectory.creationInfo.permissions).toBe("0750");
    expect(byName.app2?.rootDirectory.creationInfo.permissions).toBe("0644");
    const fns = Object.fromEntries(result.state.functions.map((f) => [f.name, f.spec]));
    expect(fns.api).toEqual({
      functionName: "api-fn",
      accessPoint: "app",
      mountPath: "/mnt/models",
      timeoutSeconds: { min: 120, max: 120 },
      minAvailabilityZones: 3,
      vpc: {
        subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        securityGroupIds: ["sg-0123456789abcdef2"],
      },
      access: "readOnly",
      logFormat: "unmanaged",
    });
    expect(fns.worker?.functionName).toBe("arn:aws:lambda:eu-west-1:123456789012:function:worker");
  });

  it("allows the same name for objects of different kinds, and anchors used in moderation", async () => {
    const result = await loadOk({
      ...baseFiles(),
      "ap-data.yaml": accessPoint("", (t) =>
        t
          .replace("  name: app\n", "  name: data\n  labels: &labels { team: ml, tier: prod }\n")
          .replace("uid: 1000", "uid: &id 1000")
          .replace("ownerUid: 1000", "ownerUid: *id"),
      ),
    });
    const data = result.state.accessPoints.find((a) => a.name === "data");
    expect(data?.labels).toEqual({ team: "ml", tier: "prod" });
    expect(data?.spec.rootDirectory.creationInfo.ownerUid).toBe(1000);
    expect(result.state.fileSystems.map((f) => f.name)).toEqual(["data"]);
  });
});

describe("loadDesiredState: files and documents", () => {
  it("reads every document of a multi-document file and ignores empty documents", async () => {
    const result = await loadOk({
      "all.yaml": `# leading comment
---
${fileSystem()}---
# only a comment in this one
---
${accessPoint()}---
---
~
---
${lambdaFunction()}...
`,
    });
    expect(result.files).toHaveLength(1);
    expect(result.state.fileSystems.map((f) => [f.name, f.source.line])).toEqual([["data", 3]]);
    expect(result.state.accessPoints.map((a) => [a.name, a.source.line])).toEqual([["app", 14]]);
    expect(result.state.functions.map((f) => [f.name, f.source.line])).toEqual([["api", 33]]);
  });

  it("searches subdirectories, in sorted order, skipping hidden files and directories and other extensions", async () => {
    const { dir, result } = await loadFiles({
      "z.yaml": fileSystem(),
      "apps/b/fn.yml": lambdaFunction(),
      "apps/a.yaml": accessPoint(),
      ".git/config.yaml": "this: [is not a manifest",
      ".hidden.yaml": "neither: [is this",
      "README.md": "# not YAML",
      "values.json": "{}",
      "apps/notes.txt": "x",
    });
    if (!result.ok) throw new Error(result.errors.map(formatManifestError).join("\n"));
    expect(result.files.map((f) => f.split(dir).join("DIR"))).toEqual([
      "DIR/apps/a.yaml",
      "DIR/apps/b/fn.yml",
      "DIR/z.yaml",
    ]);
  });

  it("reports the errors of every file at once, sorted by file, line and column", async () => {
    const { lines } = await loadFiles({
      ...baseFiles(),
      "b.yaml": fileSystem("  encrypted: maybe\n  throughputMode: fast\n", (t) =>
        t.replace("fs-0123456789abcdef0", "fs-0123456789abcdef1").replace("name: data", "name: other"),
      ),
      "a.yaml": `${lambdaFunction("", (t) => t.replace("name: api", "name: web").replace("api-fn", "web-fn"))}  mountPath: /data\n`,
      "c/d.yaml": "key: [unclosed\n",
    });
    expect(lines).toEqual([
      'DIR/a.yaml:8:14: LambdaFunction/web: spec.mountPath: "/data" is not a Lambda mount path: use /mnt/NAME, e.g. /mnt/efs',
      'DIR/b.yaml:9:14: FileSystem/other: spec.encrypted: expected true or false, got "maybe"',
      'DIR/b.yaml:10:19: FileSystem/other: spec.throughputMode: "fast" is not allowed: use one of bursting, elastic, provisioned',
      "DIR/c/d.yaml:2:1: -: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ]);
  });

  it("does not report references as missing while some object is unknown", async () => {
    const { lines } = await loadFiles({
      "ap.yaml": accessPoint("", (t) => t.replace("fileSystem: data", "fileSystem: models")),
      "fs.yaml": fileSystem("", (t) => t.replace("kind: FileSystem", "kind: FileSytem")),
    });
    expect(lines).toEqual([
      'DIR/fs.yaml:2:7: FileSytem/data: kind: unknown kind "FileSytem": use FileSystem, AccessPoint or LambdaFunction',
    ]);
  });
});

describe("loadDesiredState: hostile and broken input", () => {
  it("follows aliases to metadata and spec: names, duplicates and references are checked through them", async () => {
    const { lines } = await loadFiles({
      ...baseFiles(),
      "aliased.yaml": [
        "apiVersion: efs-reconciler.io/v1alpha1",
        "kind: LambdaFunction",
        "metadata:",
        "  name: web",
        "  labels: &s {functionName: web-fn, accessPoint: nope}",
        "spec: *s",
        "---",
        "apiVersion: efs-reconciler.io/v1alpha1",
        "kind: LambdaFunction",
        "x-anchor: &m {name: api}",
        "metadata: *m",
        "spec:",
        "  functionName: other-fn",
        "  accessPoint: lambda",
        "",
      ].join("\n"),
    });
    expect(lines).toEqual([
      'DIR/aliased.yaml:6:7: LambdaFunction/web: spec.accessPoint: no AccessPoint named "nope" in the manifests: add an AccessPoint manifest with metadata.name: nope, or fix the name',
      'DIR/aliased.yaml:10:1: LambdaFunction/api: ["x-anchor"]: unknown field: allowed fields are apiVersion, kind, metadata, spec',
      'DIR/aliased.yaml:14:16: LambdaFunction/api: spec.accessPoint: no AccessPoint named "lambda" in the manifests: add an AccessPoint manifest with metadata.name: lambda, or fix the name',
      'DIR/fn.yaml:4:9: LambdaFunction/api: metadata.name: duplicate LambdaFunction "api", first defined at DIR/aliased.yaml:11:11: rename one of them',
    ]);
  });

  it("locates an alias without an anchor before it, and says why", async () => {
    const { lines } = await loadFiles({
      ...baseFiles(),
      "late.yaml": `${fileSystem("", (t) => t.replace("fs-0123456789abcdef0", "fs-0123456789abcdef1").replace("name: data", "name: late"))}  labels: *later\n`,
    });
    expect(lines).toEqual([
      expect.stringMatching(
        /^DIR\/late\.yaml:\d+:11: FileSystem\/late: alias \*later has no anchor &later before it in this document/,
      ),
    ]);
  });

  it("refuses an alias bomb without expanding it", async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
      "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
      "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
    ].join("\n");
    const { lines } = await loadFiles({
      ...baseFiles(),
      "bomb.yaml": `${fileSystem("", (t) => t.replace("fs-0123456789abcdef0", "fs-0123456789abcdef1").replace("name: data", "name: bomb"))}  lol:\n${bomb.replace(/^/gm, "    ")}\n`,
    });
    expect(lines).toEqual([
      "DIR/bomb.yaml:1:1: FileSystem/bomb: YAML aliases expand to too much data (more than 100 alias expansions; an alias bomb?): write the values out instead",
    ]);
  });

  it("refuses a file over the size limit, located at its start", async () => {
    const big = `# ${"x".repeat(MAX_MANIFEST_FILE_BYTES)}\n`;
    const { lines } = await loadFiles({ ...baseFiles(), "big.yaml": big });
    expect(lines).toEqual([
      `DIR/big.yaml:1:1: -: file is too large (${MAX_MANIFEST_FILE_BYTES + 3} bytes; the limit is ${MAX_MANIFEST_FILE_BYTES}): split it into several files`,
    ]);
  });

  it("refuses bytes that are not UTF-8, located at the first bad byte", async () => {
    // Line 6 is `    owner: caf` followed by the Latin-1 byte of "é".
    const [before, after] = fileSystem()
      .replace("  name: data\n", "  name: data\n  labels:\n    owner: caf\u0000\n")
      .split("\u0000");
    const latin1 = Buffer.concat([Buffer.from(before!), Buffer.from([0xe9]), Buffer.from(after!)]);
    const { lines } = await loadFiles({ ...baseFiles(), "fs.yaml": latin1 });
    expect(lines).toEqual(["DIR/fs.yaml:6:15: -: file is not valid UTF-8 (byte 0xe9): save it as UTF-8"]);
  });

  it("follows symbolic links without looping, loading a file reached twice once", async () => {
    const dir = await tempDir();
    await writeFiles(dir, baseFiles());
    await mkdir(path.join(dir, "sub"));
    await symlink(dir, path.join(dir, "sub", "loop"));
    await symlink("..", path.join(dir, "sub", "parent"));
    await symlink(path.join(dir, "fs.yaml"), path.join(dir, "sub", "fs-link.yaml"));
    const result = await loadDesiredState(dir);
    if (!result.ok) throw new Error(result.errors.map(formatManifestError).join("\n"));
    expect(result.files.map((f) => f.split(dir).join("DIR"))).toEqual([
      "DIR/ap.yaml",
      "DIR/fn.yaml",
      "DIR/fs.yaml",
    ]);
    expect(result.state.fileSystems).toHaveLength(1);
  });

  it("reports a manifest that is a broken symbolic link", async () => {
    const dir = await tempDir();
    await writeFiles(dir, baseFiles());
    await symlink(path.join(dir, "gone.yaml"), path.join(dir, "broken.yaml"));
    expect(await errorLines(dir)).toEqual([
      "DIR/broken.yaml:1:1: -: cannot read this file: it does not exist (a broken symbolic link?)",
    ]);
  });

  it("reports a missing directory, a file given as the directory, and a directory without manifests", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, "file.yaml"), fileSystem());
    await mkdir(path.join(dir, "empty", "sub"), { recursive: true });
    await writeFile(path.join(dir, "empty", "sub", "notes.md"), "# nothing");
    expect(await errorLines(path.join(dir, "nope"), dir)).toEqual([
      "DIR/nope:1:1: -: manifest directory not found: create it, or point to the directory that holds the manifests",
    ]);
    expect(await errorLines(path.join(dir, "file.yaml"), dir)).toEqual([
      "DIR/file.yaml:1:1: -: not a directory: point to the directory that holds the manifests",
    ]);
    expect(await errorLines(path.join(dir, "empty"), dir)).toEqual([
      "DIR/empty:1:1: -: no manifests found: add *.yaml or *.yml files to this directory (subdirectories count)",
    ]);
    await mkdir(path.join(dir, "commented"));
    await writeFile(path.join(dir, "commented", "a.yaml"), `# ${fileSystem().replace(/\n/g, "\n# ")}\n`);
    await writeFile(path.join(dir, "commented", "b.yml"), "---\n---\n");
    expect(await errorLines(path.join(dir, "commented"), dir)).toEqual([
      "DIR/commented:1:1: -: no manifests found: the 2 files hold only comments or empty documents; add FileSystem, AccessPoint and LambdaFunction manifests",
    ]);
  });

  it("ignores a broken symbolic link whose name is not a manifest's", async () => {
    const dir = await tempDir();
    await writeFiles(dir, baseFiles());
    await symlink(path.join(dir, "missing-dir"), path.join(dir, "linked"));
    const result = await loadDesiredState(dir);
    expect(result.ok && result.files.length).toBe(3);
  });
});
