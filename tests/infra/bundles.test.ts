/**
 * The Lambda bundles are complete: built by `scripts/build.mjs` exactly as `npm run build` builds
 * them, each loads in a plain `node` process (no TypeScript loader, nothing but the bundle) and
 * answers a sample event — the take-lease handler taking the run lease in DynamoDB, and the three
 * observation stages' handlers and the plan handler, chained as the workflow chains them, against
 * the emulator with the manifests packaged the way the manifests layer packages them.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorRoleArn } from "../../src/emulator/iam-role";
import { EMULATOR_REGION } from "../../src/emulator/warm-up";
import { LEASE_KEY, runsTableDefinition } from "../../src/lock/dynamodb-lease";
import type { Plan } from "../../src/plan/types";
import { emptyRun } from "../../src/statemachine/run-state";
import { freshDemo } from "../reliability/support/demo";
import { emulatorEndpoint, resetEmulator } from "../support/emulator";
import { action } from "../workflow/fake-world";
import { loadTemplate, ROOT, sourceFiles } from "./template";

const BUILD_TIMEOUT_MS = 300_000;
const HANDLERS = [
  "take-lease",
  "observe-sources",
  "observe-network",
  "observe-checklist",
  "plan",
  "record",
  "check-pending",
  "verify",
  "execute-mount-target-action",
  "execute-security-group-action",
  "execute-access-point-action",
  "execute-file-system-action",
  "execute-function-action",
];

/** Loads a bundle, optionally calls its handler with an event, and writes what happened to a file. */
const HARNESS = `
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [bundle, eventJson, out] = process.argv.slice(2);
const started = performance.now();
const mod = await import(pathToFileURL(bundle).href);
const loadMs = performance.now() - started;
const report = { handlerType: typeof mod.handler, loadMs };
if (eventJson !== "-") {
  try {
    report.result = await mod.handler(JSON.parse(eventJson), {});
  } catch (err) {
    report.error = { name: err?.name, message: err?.message };
    report.stack = err?.stack;
  }
}
writeFileSync(out, JSON.stringify(report));
`;

interface HarnessReport {
  handlerType: string;
  loadMs: number;
  result?: unknown;
  error?: { name: string; message: string };
  stack?: string;
}

/** The environment template.yaml gives every function (Globals). */
function functionEnvironment(): Record<string, string> {
  const globals = loadTemplate().Globals as
    | { Function?: { Environment?: { Variables?: Record<string, string> } } }
    | undefined;
  return globals?.Function?.Environment?.Variables ?? {};
}

let dir: string;
let bundleSizes: { name: string; bytes: number; gzipBytes: number }[] = [];
const loadTimes: Record<string, number> = {};

function exec(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { cwd: dir, env, timeout: BUILD_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });
}

async function invoke(
  name: string,
  event?: unknown,
  env: Record<string, string> = {},
): Promise<HarnessReport> {
  const out = join(dir, `${name}-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
  // A plain node: no loader flags, a clean NODE_OPTIONS, only the environment a function would have.
  const childEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: EMULATOR_REGION,
    ...env,
  };
  await exec(
    [
      join(dir, "harness.mjs"),
      join(dir, "lambda", name, "index.mjs"),
      event === undefined ? "-" : JSON.stringify(event),
      out,
    ],
    childEnv,
  );
  return JSON.parse(await readFile(out, "utf8")) as HarnessReport;
}

/**
 * The plan pass as the workflow chains it: the three observation stages' bundles (the second and
 * third given the first's result), then the plan bundle given all three.
 */
async function planThroughBundles(
  input: { input: { mode: string; runId?: string }; defaultMaxChanges: string },
  env: Record<string, string>,
): Promise<HarnessReport> {
  const at = { runId: input.input.runId ?? "20261128T120000Z-0000beef", pass: "plan" };
  const stage = async (name: string, event: unknown): Promise<unknown> => {
    const report = await invoke(name, event, env);
    if (report.error) throw new Error(`${name}: ${report.error.name}: ${report.error.message}`);
    return report.result;
  };
  const sources = await stage("observe-sources", at);
  const [network, checklist] = await Promise.all([
    stage("observe-network", { ...at, sources }),
    stage("observe-checklist", { ...at, sources }),
  ]);
  return invoke("plan", { ...input, observation: { sources, network, checklist } }, env);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "efsr-bundles-"));
  await writeFile(join(dir, "harness.mjs"), HARNESS);
  await exec([join(ROOT, "scripts/build.mjs"), "--handlers-only", "--out-dir", join(dir, "lambda")]);
  bundleSizes = JSON.parse(await readFile(join(dir, "lambda", "bundle-sizes.json"), "utf8"));
  await exec([
    join(ROOT, "scripts/package-manifests.mjs"),
    join(ROOT, "tests/fixtures/cli/valid"),
    join(dir, "opt", "desired-state"),
  ]);
  // As the manifests layer's Makefile does: the functions read the compiled manifests.
  await exec([join(ROOT, "scripts/build.mjs"), "--cli-only"]);
  await exec([join(ROOT, "dist/compile-manifests.mjs"), join(dir, "opt", "desired-state")]);
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  const rows = bundleSizes.map(
    (s) =>
      `${s.name.padEnd(32)} ${String(s.bytes).padStart(9)} B  ${String(s.gzipBytes).padStart(8)} B gz  ${(loadTimes[s.name] ?? Number.NaN).toFixed(0).padStart(5)} ms load`,
  );
  if (rows.length > 0)
    process.stdout.write(`\nLambda bundles (minified, SDK bundled):\n${rows.join("\n")}\n`);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("Lambda bundles", () => {
  it("builds one minified bundle with a source map per handler", () => {
    expect(bundleSizes.map((s) => s.name)).toEqual(HANDLERS);
    for (const s of bundleSizes) expect(s.bytes, s.name).toBeGreaterThan(100_000);
  });

  it.each(HANDLERS)("%s loads in a plain node process and exports a handler", async (name) => {
    const report = await invoke(name);
    expect(report.handlerType).toBe("function");
    loadTimes[name] = report.loadMs;
    const code = await readFile(join(dir, "lambda", name, "index.mjs"), "utf8");
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    expect(code).not.toMatch(/from\s*"@aws-sdk\//);
    // Node builtins come from process.getBuiltinModule, never through an ES module facade
    // (builtinsWithoutFacade); the banner's node:module is the one import left.
    const builtinImports = [...code.matchAll(/\b(?:from|import\()\s*["']([^"']+)["']/g)]
      .map((m) => m[1] ?? "")
      .filter((specifier) => isBuiltin(specifier));
    expect(builtinImports).toEqual(["node:module"]);
  });

  it("name the TypeScript sources in an error's stack, reading the source map only for the error", async () => {
    const map = JSON.parse(
      await readFile(join(dir, "lambda", "execute-mount-target-action", "index.mjs.map"), "utf8"),
    ) as { sources: string[]; sourcesContent?: unknown };
    // The map holds mappings and file names, not the sources' text (scripts/build.mjs).
    expect(map.sourcesContent).toBeUndefined();
    expect(map.sources.some((s) => s.endsWith("src/statemachine/handlers.ts"))).toBe(true);
    // No function pays for --enable-source-maps at its cold start.
    expect(functionEnvironment().NODE_OPTIONS ?? "").not.toContain("--enable-source-maps");
    const report = await invoke("execute-mount-target-action", { action: action("a1", 1) });
    expect(report.error?.name).toBe("TerminalReconcileError");
    expect(report.stack).toMatch(/src\/reconcilers\/mount-targets\.ts:\d+:\d+/);
    expect(report.stack).toMatch(/src\/statemachine\/handlers\.ts:\d+:\d+/);

    // The same bundle without its map: the stack names the bundle.
    await mkdir(join(dir, "lambda", "unmapped"), { recursive: true });
    await copyFile(
      join(dir, "lambda", "execute-mount-target-action", "index.mjs"),
      join(dir, "lambda", "unmapped", "index.mjs"),
    );
    const plain = await invoke("unmapped", { action: action("a1", 1) });
    expect(plain.error?.name).toBe("TerminalReconcileError");
    expect(plain.stack).not.toMatch(/\.ts:\d+/);
    expect(plain.stack).toMatch(/unmapped\/index\.mjs:\d+:\d+/);
  });

  it("hold only the AWS shapes and credential sources their code uses", async () => {
    const securityGroups = await readFile(
      join(dir, "lambda", "execute-security-group-action", "index.mjs"),
      "utf8",
    );
    expect(securityGroups).toContain("AuthorizeSecurityGroupIngress");
    // Unused EC2 shapes are left out (scripts/build.mjs, literalSchemaKeys)…
    expect(securityGroups).not.toContain("RunInstancesRequest");
    // …and so is the SDK's default credential chain: no SSO, no profiles (lambdaCredentials).
    expect(securityGroups).not.toMatch(/SSO_START_URL|sso_start_url/);
    expect(securityGroups).toContain("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    // …and so are the clients' package.json files, but for the version the user agent reports
    // (clientVersionOnly).
    const ec2 = JSON.parse(
      await readFile(join(ROOT, "node_modules/@aws-sdk/client-ec2/package.json"), "utf8"),
    ) as { version: string };
    expect(securityGroups).toMatch(new RegExp(`version:"${ec2.version.replaceAll(".", "\\.")}"`));
    expect(securityGroups).not.toContain("build:cjs");
  });

  it("check-pending answers with the run unchanged when nothing is pending", async () => {
    const run = { ...emptyRun(), results: [{ actionId: "a1", status: "succeeded" as const, error: null }] };
    const report = await invoke("check-pending", { run, phaseResults: [] });
    expect(report.error).toBeUndefined();
    expect(report.result).toEqual({ ...run, polls: 0 });
  });

  it("a family's function refuses an action of another family", async () => {
    const report = await invoke("execute-mount-target-action", { action: action("a1", 1) });
    expect(report.error?.name).toBe("TerminalReconcileError");
    expect(report.error?.message).toContain("does not handle AuthorizeIngress");
  });
});

describe("take-lease and plan bundles against the emulator", () => {
  const table = "efs-reconciler-runs";
  let endpoint: string;
  let stamp: { revision: string | null; contentRevision: string };

  beforeAll(async () => {
    await resetEmulator();
    endpoint = emulatorEndpoint();
    const dynamo = new DynamoDBClient({ endpoint, region: EMULATOR_REGION, maxAttempts: 1 });
    await dynamo.send(new CreateTableCommand(runsTableDefinition(table)));
    dynamo.destroy();
    stamp = JSON.parse(
      await readFile(join(dir, "opt", "desired-state", ".efs-reconciler-revision.json"), "utf8"),
    );
  });

  function planEnv(): Record<string, string> {
    return { AWS_ENDPOINT_URL: endpoint, MANIFEST_DIR: join(dir, "opt", "desired-state") };
  }

  function leaseEnv(): Record<string, string> {
    return { AWS_ENDPOINT_URL: endpoint, RUNS_TABLE: table };
  }

  it("refuses to observe or plan without compiled manifests, saying how to build them", async () => {
    const env = { AWS_ENDPOINT_URL: endpoint, MANIFEST_DIR: join(ROOT, "tests/fixtures/cli/valid") };
    for (const [name, event] of [
      ["observe-sources", { runId: "20261128T120000Z-0000beef", pass: "plan" }],
      ["plan", { input: { mode: "dry-run" }, defaultMaxChanges: "25" }],
    ] as const) {
      const report = await invoke(name, event, env);
      expect(report.error?.name, name).toBe("CompiledManifestsError");
      expect(report.error?.message, name).toMatch(
        /no compiled manifests at .*desired-state\.json: build the deployment with `sam build`/,
      );
    }
  });

  it("takes the lease, then observes and plans, recording the packaged manifests' revision", async () => {
    const sfn = new SFNClient({ endpoint, region: EMULATOR_REGION, maxAttempts: 1 });
    const machine = await sfn.send(
      new CreateStateMachineCommand({
        name: "bundle-test",
        roleArn: emulatorRoleArn("efs-reconciler-states"),
        definition: JSON.stringify({
          StartAt: "W",
          States: { W: { Type: "Wait", Seconds: 600, End: true } },
        }),
      }),
    );
    // Without execute_state_machine the emulator keeps every execution RUNNING: a live lease holder.
    const running = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: "holder", input: "{}" }),
    );
    sfn.destroy();
    const holder = running.executionArn ?? "";

    const leased = await invoke(
      "take-lease",
      { input: { mode: "dry-run" }, defaultMaxChanges: "25", execution: holder },
      leaseEnv(),
    );
    expect(leased.error).toBeUndefined();
    const start = (leased.result as { input: { mode: string; maxChanges: number; runId: string } }).input;
    expect(start).toMatchObject({ mode: "dry-run", maxChanges: 25 });
    expect(start.runId).toMatch(/^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$/);

    const first = await planThroughBundles({ input: start, defaultMaxChanges: "25" }, planEnv());
    expect(first.error).toBeUndefined();
    const step = first.result as {
      plan: { mode: string; runId: string; manifestRevision: string; drift: { code: string }[] };
    };
    expect(step.plan.mode).toBe("dry-run");
    expect(step.plan.runId).toBe(start.runId);
    expect(step.plan.manifestRevision).toBe(stamp.revision ?? stamp.contentRevision);
    expect(step.plan.drift.map((d) => d.code)).toContain("FS_NOT_FOUND");

    const dynamo = new DynamoDBClient({ endpoint, region: EMULATOR_REGION, maxAttempts: 1 });
    const lease = await dynamo.send(
      new GetItemCommand({ TableName: table, Key: LEASE_KEY, ConsistentRead: true }),
    );
    dynamo.destroy();
    expect(lease.Item?.holder?.S).toBe(holder);

    const second = await invoke(
      "take-lease",
      { input: { mode: "apply" }, defaultMaxChanges: "25", execution: `${holder}-other` },
      leaseEnv(),
    );
    expect(second.error).toBeUndefined();
    const skipped = (
      second.result as { skipped: { status: string; message: string; heldBy: { holder: string } } }
    ).skipped;
    expect(skipped.status).toBe("skipped");
    expect(skipped.heldBy.holder).toBe(holder);
    expect(skipped.message).toMatch(/^skipped: another run/);
  });
});

describe("modeled errors left out of the bundles (EFS, Lambda)", () => {
  let build: {
    NAMED_ERRORS_ON_THE_WIRE: ReadonlySet<string>;
    withoutModeledErrors: (source: string) => string;
  };
  beforeAll(async () => {
    build = (await import(pathToFileURL(join(ROOT, "scripts/build.mjs")).href)) as typeof build;
  });

  const errorClasses = (service: string): string[] =>
    [
      ...readFileSync(
        join(ROOT, `node_modules/@aws-sdk/client-${service}/dist-es/models/errors.js`),
        "utf8",
      ).matchAll(/^export class (\w+) extends/gm),
    ].map((m) => m[1] ?? "");

  it("removes only the modeled errors' registrations, keeping the base exception's", () => {
    const schema = [
      "_s_registry.registerError(EFSServiceException$, EFSServiceException);",
      "n0_registry.registerError(FileSystemNotFound$, FileSystemNotFound);",
      "n0_registry.registerError(Odd$, Other);",
    ].join("\n");
    expect(build.withoutModeledErrors(schema).split("\n")).toEqual([
      "_s_registry.registerError(EFSServiceException$, EFSServiceException);",
      "",
      "n0_registry.registerError(Odd$, Other);",
    ]);
  });

  it("applies to services whose errors are named on the wire as their classes, which src never imports", () => {
    expect([...build.NAMED_ERRORS_ON_THE_WIRE].sort()).toEqual(["efs", "lambda"]);
    const modeled = new Set([...build.NAMED_ERRORS_ON_THE_WIRE].flatMap(errorClasses));
    expect(modeled.has("FileSystemNotFound")).toBe(true);
    expect(modeled.has("ResourceNotFoundException")).toBe(true);
    // The product tells these errors apart by name: an `instanceof` on a class left out would fail.
    for (const file of sourceFiles("src")) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(
        /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"@aws-sdk\/client-(efs|lambda)"/g,
      )) {
        const names = (m[1] ?? "").split(",").map((n) => n.replace(/^\s*type\s+/, "").trim());
        expect(
          names.filter((n) => modeled.has(n)),
          file,
        ).toEqual([]);
      }
    }
  });

  it("keeps the error classes of the other services (IAM renames its wire codes)", async () => {
    const checklist = await readFile(join(dir, "lambda", "observe-checklist", "index.mjs"), "utf8");
    const fn = await readFile(join(dir, "lambda", "execute-function-action", "index.mjs"), "utf8");
    expect(checklist).toContain("NoSuchEntityException");
    expect(fn).not.toContain("CodeSigningConfigNotFoundException");
  });

  it("a bundle still tells a missing function and a missing file system by the error's name", async () => {
    const env = { AWS_ENDPOINT_URL: emulatorEndpoint(), AWS_MAX_ATTEMPTS: "1" };
    const base = { id: "a1", driftIds: ["d1"], description: "bench" };
    const fn = await invoke(
      "execute-function-action",
      {
        action: {
          ...base,
          phase: 2,
          type: "UpdateFunctionConfiguration",
          resource: { type: "AWS::Lambda::Function", id: "no-such-function" },
          params: { functionName: "no-such-function", timeout: 30 },
        },
      },
      env,
    );
    // ResourceNotFoundException, recognised by name: the reconciler's own message.
    expect(fn.error).toEqual({
      name: "TerminalReconcileError",
      message: "function no-such-function no longer exists; re-run plan",
    });
    const fs = await invoke(
      "execute-file-system-action",
      {
        action: {
          ...base,
          phase: 1,
          type: "PutLifecycleConfiguration",
          resource: { type: "AWS::EFS::FileSystem", id: "fs-00000000" },
          params: {
            fileSystemId: "fs-00000000",
            transitionToIA: "AFTER_30_DAYS",
            transitionToPrimaryStorageClass: "AFTER_1_ACCESS",
          },
        },
      },
      env,
    );
    // EFS's error name and message, as the service sent them.
    expect(fs.error?.message).toContain("(FileSystemNotFound: File system 'fs-00000000' does not exist.)");
  });
});

describe("the Plan bundle and the deployment's MountTargetSecurityGroupIds", () => {
  it("plans no ingress change on a group outside MOUNT_TARGET_SECURITY_GROUP_IDS: the drift is manual and says so", async () => {
    const demo = await freshDemo();
    try {
      await exec([join(ROOT, "dist/compile-manifests.mjs"), demo.manifests]);
      const plan = async (groups: string | undefined) => {
        const env = {
          AWS_ENDPOINT_URL: emulatorEndpoint(),
          MANIFEST_DIR: demo.manifests,
          ...(groups === undefined ? {} : { MOUNT_TARGET_SECURITY_GROUP_IDS: groups }),
        };
        const report = await planThroughBundles({ input: { mode: "dry-run" }, defaultMaxChanges: "25" }, env);
        expect(report.error).toBeUndefined();
        return (report.result as { plan: Plan }).plan;
      };
      const ingress = (p: Plan) => ({
        drift: p.drift.filter((d) => d.code.startsWith("SG_INGRESS")).map((d) => d.remediation),
        actions: p.actions.filter((a) => a.type === "AuthorizeIngress" || a.type === "RevokeIngress").length,
      });
      const mtGroup = demo.ids.mountTargetSecurityGroupId;

      // The template's default (an empty list) and a list naming the group: remediated as usual.
      for (const groups of ["", `sg-0other, ${mtGroup}`]) {
        const usual = ingress(await plan(groups));
        expect(usual.drift.length, groups).toBeGreaterThan(0);
        expect(usual.drift.every((r) => r === "auto")).toBe(true);
        expect(usual.actions).toBeGreaterThan(0);
      }
      const limited = await plan("sg-0other");
      expect(ingress(limited).drift.every((r) => r === "manual")).toBe(true);
      expect(ingress(limited).actions).toBe(0);
      expect(limited.drift.find((d) => d.code === "SG_INGRESS_NOT_ALLOWED")?.message).toContain(
        `add ${mtGroup} to that parameter and update the stack`,
      );
    } finally {
      await demo.cleanup();
    }
  });
});
