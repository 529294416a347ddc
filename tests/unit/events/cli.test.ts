import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalRecordStore } from "../../../src/events/local-store";
import { recordRun } from "../../../src/events/record-run";
import type { DriftEvent } from "../../../src/events/types";
import { runCli } from "../cli/run-cli";
import { desiredOf, driftOf, FN_REF, FS_REF, planOf } from "./fixtures";
import { localHistory } from "./record-history";

let dir: string;
let stateDir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "efs-cli-record-"));
  stateDir = join(dir, "state");
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rowsOf(stdout: string): string[][] {
  return stdout
    .split("\n\n")[0]!
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split(/\s{2,}/));
}

describe("efs-reconciler status", () => {
  it("prints one row per manifest object after the history", async () => {
    await localHistory(stateDir);
    const run = await runCli(["status", "--state-dir", stateDir], { cwd: dir });
    expect(run.code).toBe(0);
    expect(rowsOf(run.stdout)).toEqual([
      ["KIND", "NAME", "IN-SYNC", "DRIFT", "LAST-RECONCILED"],
      ["FileSystem", "ml-models", "yes", "-", "2026-11-20T07:00:00Z"],
      ["AccessPoint", "models", "yes", "-", "2026-11-20T07:00:00Z"],
      ["LambdaFunction", "inference", "yes", "-", "2026-11-20T07:00:00Z"],
    ]);
    expect(run.stdout).toContain("3 of 3 objects in sync; last run r4 (dry-run, planned)");
  });

  it("shows open drift and a failed remediation in the middle of the history", async () => {
    await localHistory(stateDir, { runs: 2 });
    const run = await runCli(["status", "--state-dir", stateDir], { cwd: dir });
    expect(rowsOf(run.stdout).slice(1)).toEqual([
      ["FileSystem", "ml-models", "no", "1 (FS_PERFORMANCE_MODE)", "2026-11-20T05:01:00Z"],
      ["AccessPoint", "models", "yes", "-", "2026-11-20T05:01:00Z"],
      ["LambdaFunction", "inference", "no", "1 (FN_TIMEOUT) remediation failed", "2026-11-20T05:01:00Z"],
    ]);
  });

  it("prints the status as JSON with conditions", async () => {
    await localHistory(stateDir, { runs: 2 });
    const run = await runCli(["status", "--state-dir", stateDir, "--output", "json"], { cwd: dir });
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      lastRun: { runId: string; stage: string };
      summary: { objects: number; inSync: number; openDrift: number };
      objects: { name: string; conditions: { type: string; status: string; reason: string }[] }[];
    };
    expect(doc.lastRun).toMatchObject({ runId: "r2", stage: "verified" });
    expect(doc.summary).toEqual({ objects: 3, inSync: 1, openDrift: 2 });
    const fn = doc.objects.find((o) => o.name === "inference");
    expect(fn?.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual([
      "InSync=False/DriftOpen",
      "Drifted=True/AwaitingRemediation",
      "RemediationFailed=True/ActionFailed",
    ]);
  });

  it("says how to get a status when nothing is recorded yet, and exits 0", async () => {
    const run = await runCli(["status", "--state-dir", stateDir], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`No runs recorded in ${stateDir} yet: run efs-reconciler plan or apply first.\n`);
  });

  it("exits 1 with what to do when the status file is not one", async () => {
    await localHistory(stateDir, { runs: 1 });
    await appendFile(join(stateDir, "status.json"), "garbage");
    const run = await runCli(["status", "--state-dir", stateDir], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderrLines).toEqual([
      `error: ${join(stateDir, "status.json")} is not a status document of efs-reconciler: move it away; the next run writes a new one`,
    ]);
  });
});

const FS = `apiVersion: efs-reconciler.io/v1alpha1
kind: FileSystem
metadata:
  name: ml-models
spec:
  fileSystemId: fs-0abc
  mountTargets:
    securityGroupId: sg-0efs0000000000001
`;
const AP = `apiVersion: efs-reconciler.io/v1alpha1
kind: AccessPoint
metadata:
  name: models
spec:
  fileSystem: ml-models
  posixUser: { uid: 1000, gid: 1000 }
  rootDirectory:
    path: /models
    creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "755" }
`;
const fn = (name: string) => `apiVersion: efs-reconciler.io/v1alpha1
kind: LambdaFunction
metadata:
  name: ${name}
spec:
  functionName: ${name}
  accessPoint: models
  mountPath: /mnt/models
`;

async function manifests(...docs: string[]): Promise<string> {
  const m = join(dir, "desired-state");
  await mkdir(m, { recursive: true });
  await writeFile(join(m, "objects.yaml"), docs.join("---\n"));
  return m;
}

describe("efs-reconciler status --manifests (and events --manifests on invalid manifests)", () => {
  it("lists every manifest object, the ones no run has reconciled yet included", async () => {
    await localHistory(stateDir, { runs: 2 });
    const m = await manifests(FS, AP, fn("inference"), fn("embed"));
    const run = await runCli(["status", "--state-dir", stateDir, "--manifests", m]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(rowsOf(run.stdout)).toEqual([
      ["KIND", "NAME", "IN-SYNC", "DRIFT", "LAST-RECONCILED"],
      ["FileSystem", "ml-models", "no", "1 (FS_PERFORMANCE_MODE)", "2026-11-20T05:01:00Z"],
      ["AccessPoint", "models", "yes", "-", "2026-11-20T05:01:00Z"],
      ["LambdaFunction", "inference", "no", "1 (FN_TIMEOUT) remediation failed", "2026-11-20T05:01:00Z"],
      ["LambdaFunction", "embed", "unknown", "-", "never"],
    ]);
    expect(run.stdout).toContain(
      "1 of 4 objects in sync, 1 not reconciled yet; last run r2 (apply, verified)",
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `The manifests in ${m} are revision sha256:[0-9a-f]+, not the last run's: run efs-reconciler plan`,
      ),
    );
  });

  it("names the recorded objects the manifests no longer hold, and leaves their drift out", async () => {
    await localHistory(stateDir, { runs: 2 });
    const m = await manifests(FS, AP);
    const run = await runCli(["status", "--state-dir", stateDir, "--manifests", m, "--output", "json"]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      summary: Record<string, number>;
      manifests: { dir: string; revision: string; notInManifests: { kind: string; name: string }[] };
      objects: { name: string; lastReconciled: string | null }[];
      openDrift: { drift: { code: string } }[];
    };
    expect(doc.objects.map((o) => o.name)).toEqual(["ml-models", "models"]);
    expect(doc.manifests.notInManifests).toEqual([
      { kind: "LambdaFunction", name: "inference", file: FN_REF.file },
    ]);
    expect(doc.openDrift.map((o) => o.drift.code)).toEqual(["FS_PERFORMANCE_MODE"]);
    expect(doc.summary).toEqual({ objects: 2, inSync: 1, openDrift: 1, notReconciled: 0 });

    const text = await runCli(["status", "--state-dir", stateDir, "--manifests", m]);
    expect(text.stdout).toContain(`Recorded by the last run, no longer in ${m}: LambdaFunction/inference.`);
    const md = await runCli(["status", "--state-dir", stateDir, "--manifests", m, "--output", "markdown"]);
    expect(md.stdout).toContain(
      `Recorded by the last run, no longer in \`${m}\`: \`LambdaFunction/inference\`.`,
    );
  });

  it("lists the manifests' objects as not reconciled when nothing is recorded yet", async () => {
    const m = await manifests(FS, AP, fn("inference"));
    const json = await runCli(["status", "--state-dir", stateDir, "--manifests", m, "--output", "json"]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as {
      lastRun: unknown;
      summary: Record<string, number>;
      objects: { kind: string; lastReconciled: unknown; conditions: unknown[] }[];
    };
    expect(doc.lastRun).toBeNull();
    expect(doc.objects.map((o) => [o.kind, o.lastReconciled, o.conditions])).toEqual([
      ["FileSystem", null, []],
      ["AccessPoint", null, []],
      ["LambdaFunction", null, []],
    ]);
    expect(doc.summary).toEqual({ objects: 3, inSync: 0, openDrift: 0, notReconciled: 3 });

    const md = await runCli(["status", "--state-dir", stateDir, "--manifests", m, "--output", "markdown"]);
    expect(md.stdout.split("\n").slice(0, 5)).toEqual([
      `**0 of 3 objects in sync, 3 not reconciled yet**. No runs recorded in ${stateDir} yet: run efs-reconciler plan or apply first.`,
      "",
      "| Kind | Name | In sync | Drift | Last reconciled |",
      "|---|---|---|---|---|",
      "| FileSystem | `ml-models` | ❔ unknown | — | never |",
    ]);
  });

  it.each(["status", "events"])(
    "%s refuses invalid manifests with their location and exit 1, and prints nothing",
    async (command) => {
      await localHistory(stateDir);
      const m = await manifests(FS, AP.replace("uid: 1000, gid", "uid: 0, gid"));
      const run = await runCli([command, "--state-dir", stateDir, "--manifests", m]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderrLines[0]).toMatch(
        new RegExp(`^${join(m, "objects.yaml")}:\\d+:\\d+: AccessPoint/models: `),
      );
      expect(run.stderr).toContain("so no record was read");
    },
  );

  it("reads ./desired-state when it exists, and the record's objects when it does not", async () => {
    await localHistory(stateDir, { runs: 2 });
    await manifests(FS, AP, fn("inference"), fn("embed"));
    const listed = await runCli(["status", "--state-dir", stateDir], { cwd: dir });
    expect(rowsOf(listed.stdout).map((r) => r[1])).toEqual([
      "NAME",
      "ml-models",
      "models",
      "inference",
      "embed",
    ]);
    await rm(join(dir, "desired-state"), { recursive: true });
    const recorded = await runCli(["status", "--state-dir", stateDir], { cwd: dir });
    expect(recorded.code).toBe(0);
    expect(rowsOf(recorded.stdout).map((r) => r[1])).toEqual(["NAME", "ml-models", "models", "inference"]);
  });

  it("an invalid ./desired-state, used only by default, is a warning: the record's objects are listed", async () => {
    await localHistory(stateDir, { runs: 2 });
    await manifests(FS, AP.replace("uid: 1000, gid", "uid: 0, gid"));
    const run = await runCli(["status", "--state-dir", stateDir], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderrLines).toEqual([
      "warning: ./desired-state holds no valid manifests (1 error; efs-reconciler validate lists them), so status lists the last run's objects",
    ]);
    expect(rowsOf(run.stdout).map((r) => r[1])).toEqual(["NAME", "ml-models", "models", "inference"]);
  });

  it("refuses a manifest directory that does not exist", async () => {
    const run = await runCli(["status", "--state-dir", stateDir, "--manifests", join(dir, "nope")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`manifest directory ${join(dir, "nope")} does not exist`);
  });
});

describe("efs-reconciler events", () => {
  async function eventsJson(...args: string[]): Promise<DriftEvent[]> {
    const run = await runCli(["events", "--state-dir", stateDir, "--output", "json", ...args]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as DriftEvent[];
  }

  const label = (events: DriftEvent[]) => events.map((e) => `${e.runId} ${e.type} ${e.drift.code}`);

  it("lists every event newest first as a JSON array", async () => {
    await localHistory(stateDir);
    const events = await eventsJson();
    expect(events.map((e) => e.runId)).toEqual(["r4", "r3", "r3", "r2", "r2", "r2", "r2", "r1", "r1"]);
    const times = events.map((e) => e.time);
    expect(times).toEqual([...times].sort().reverse());
    // Applies record DriftPersists only for the manual drift they see again; the auto drift they
    // act on gets its outcome.
    expect(label(events.filter((e) => e.runId === "r2")).sort()).toEqual([
      "r2 DriftDetected FN_TIMEOUT",
      "r2 DriftPersists FS_PERFORMANCE_MODE",
      "r2 DriftRemediated FS_LIFECYCLE_POLICY",
      "r2 RemediationFailed FN_TIMEOUT",
    ]);
    expect(label(events.filter((e) => e.runId === "r3")).sort()).toEqual([
      "r3 DriftPersists FS_PERFORMANCE_MODE",
      "r3 DriftRemediated FN_TIMEOUT",
    ]);
  });

  it.each([
    [
      ["--code", "FN_TIMEOUT"],
      ["r3 DriftRemediated FN_TIMEOUT", "r2 RemediationFailed FN_TIMEOUT", "r2 DriftDetected FN_TIMEOUT"],
    ],
    [
      ["--code", "fn_timeout", "--run", "r2"],
      ["r2 RemediationFailed FN_TIMEOUT", "r2 DriftDetected FN_TIMEOUT"],
    ],
    [
      ["--resource", "inference"],
      ["r3 DriftRemediated FN_TIMEOUT", "r2 RemediationFailed FN_TIMEOUT", "r2 DriftDetected FN_TIMEOUT"],
    ],
    [["--resource", "FileSystem/ml-models", "--run", "r4"], ["r4 DriftResolved FS_PERFORMANCE_MODE"]],
    [
      ["--since", "2026-11-20T06:00:00Z"],
      [
        "r4 DriftResolved FS_PERFORMANCE_MODE",
        "r3 DriftRemediated FN_TIMEOUT",
        "r3 DriftPersists FS_PERFORMANCE_MODE",
      ],
    ],
  ])("filters with %j", async (args, expected) => {
    await localHistory(stateDir);
    const got = label(await eventsJson(...args));
    // Within one recording the order of same-step events follows the drift id.
    expect(got.map((g) => g.split(" ")[0])).toEqual(expected.map((e) => e.split(" ")[0]));
    expect([...got].sort()).toEqual([...expected].sort());
  });

  it("reads --since as a duration back from now", async () => {
    await localHistory(stateDir, { runs: 1 });
    const store = new LocalRecordStore(stateDir);
    await recordRun(
      {
        plan: planOf("recent", "dry-run", [driftOf("FS_BACKUP_POLICY", "fs-0abc")]),
        desired: desiredOf(FS_REF),
      },
      { store },
    );
    // The recent run detects one drift and resolves the two that r1 (days ago) left open.
    expect(label(await eventsJson("--since", "24h")).sort()).toEqual([
      "recent DriftDetected FS_BACKUP_POLICY",
      "recent DriftResolved FS_LIFECYCLE_POLICY",
      "recent DriftResolved FS_PERFORMANCE_MODE",
    ]);
    expect(await eventsJson("--run", "r1")).toHaveLength(2);
    expect(await eventsJson("--since", "24h", "--run", "r1")).toEqual([]);
  });

  it("--manifests keeps the events of the objects those manifests hold", async () => {
    await localHistory(stateDir);
    const m = await manifests(FS, AP);
    const events = await eventsJson("--manifests", m);
    expect(new Set(events.map((e) => `${e.drift.manifest.kind}/${e.drift.manifest.name}`))).toEqual(
      new Set(["FileSystem/ml-models"]),
    );
    expect(events).toHaveLength(6);
    expect(await eventsJson("--manifests", m, "--code", "FN_TIMEOUT")).toEqual([]);
  });

  it("prints a table in text", async () => {
    await localHistory(stateDir);
    const run = await runCli(["events", "--state-dir", stateDir, "--run", "r4"]);
    expect(run.code).toBe(0);
    expect(rowsOf(run.stdout)).toEqual([
      ["TIME", "TYPE", "CODE", "SEVERITY", "RESOURCE", "OBJECT", "RUN"],
      [
        "2026-11-20T07:00:00Z",
        "DriftResolved",
        "FS_PERFORMANCE_MODE",
        "medium",
        "fs-0abc",
        "FileSystem/ml-models",
        "r4",
      ],
    ]);
  });

  it.each([
    [
      ["--since", "yesterday"],
      /^error: --since "yesterday" is neither a duration nor a time: pass e\.g\. 24h/,
    ],
    [["--code", "NOPE"], /^error: --code "NOPE" is not a drift code: use one of FS_NOT_FOUND, /],
    [["--output", "yaml"], /argument 'yaml' is invalid/],
  ])("exits 1 on %j", async (args, message) => {
    const run = await runCli(["events", "--state-dir", stateDir, ...args]);
    expect(run.code).toBe(1);
    expect(run.stderrLines[0]).toMatch(message);
    expect(run.stdout).toBe("");
  });

  it("status and events print Markdown tables with --output markdown", async () => {
    await localHistory(stateDir, { runs: 1 });
    const status = await runCli(["status", "--state-dir", stateDir, "--output", "markdown"], { cwd: dir });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      "| Kind | Name | In sync | Drift | Last reconciled |\n|---|---|---|---|---|\n",
    );
    const events = await runCli(["events", "--state-dir", stateDir, "--output", "markdown"]);
    expect(events.code).toBe(0);
    expect(events.stdout.split("\n")[0]).toBe("| Time | Type | Code | Severity | Resource | Object | Run |");
  });

  it("skips a torn last line of the ledger with a warning", async () => {
    await localHistory(stateDir, { runs: 1 });
    await appendFile(join(stateDir, "events.jsonl"), '{"eventId":"cut-sh');
    const run = await runCli(["events", "--state-dir", stateDir, "--output", "json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(2);
    expect(run.stderrLines).toEqual([`warning: skipped 1 damaged line of ${join(stateDir, "events.jsonl")}`]);
  });
});

describe("efs-reconciler report", () => {
  it("writes one HTML file and says what it holds", async () => {
    await localHistory(stateDir);
    const file = join(dir, "out", "report.html");
    const run = await runCli(["report", "--html", file, "--state-dir", stateDir]);
    expect(run.code).toBe(0);
    expect(run.stderrLines).toEqual([`wrote ${file}: 3 objects, 4 runs, 9 events`]);
    const html = await readFile(file, "utf8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html.match(/<circle class="point /g)).toHaveLength(8);
  });

  it("requires --html", async () => {
    const run = await runCli(["report", "--state-dir", stateDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("required option '--html <file>' not specified");
  });
});
