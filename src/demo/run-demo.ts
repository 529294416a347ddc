/**
 * `npm run demo`: starts the local AWS emulator, seeds the drifted demo deployment, writes its
 * manifests, and drives the real command line against it. Stops the emulator on the way out.
 */
import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { createClients } from "../aws/clients";
import { type CliIo, processIo } from "../cli/io";
import { main } from "../cli/main";
import { ensureEmulatorLambdaRole } from "../emulator/iam-role";
import { startEmulator, warmUp } from "../emulator/launcher";
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from "../emulator/warm-up";
import { seedDemo, writeDemoManifests } from "./scenario";

export interface DemoStep {
  title: string;
  /** CLI arguments after the command name; the demo adds the emulator's endpoint and region. */
  argv: string[];
  /** The exit code this step has when the product works (contract §3). */
  expectedExit: number;
}

export const DEMO_MANIFESTS_DIR = ".efs-reconciler/demo/desired-state";
/** The demo's own records (drift events, status), fresh on every run. */
export const DEMO_STATE_DIR = ".efs-reconciler/demo/state";
export const DEMO_REPORT = ".efs-reconciler/demo/report.html";

export const DEMO_STEPS: DemoStep[] = [
  { title: "validate the manifests (no AWS calls)", argv: ["validate"], expectedExit: 0 },
  { title: "plan: what differs from the manifests, read-only", argv: ["plan"], expectedExit: 2 },
  { title: "apply: remediate every auto drift, make before break", argv: ["apply"], expectedExit: 0 },
  { title: "plan again: converged", argv: ["plan"], expectedExit: 0 },
  { title: "status: every manifest object in sync", argv: ["status"], expectedExit: 0 },
  { title: "events: what was found and fixed", argv: ["events"], expectedExit: 0 },
  { title: "report: the history as one HTML page", argv: ["report", "--html", DEMO_REPORT], expectedExit: 0 },
];

export interface DemoResult {
  /** Exit code of each step, in order. */
  exitCodes: number[];
  /** Steps whose exit code was not the expected one. */
  unexpected: string[];
  manifestsDir: string;
}

/** What each command of the demo needs: the manifests, the emulator, the demo's state directory. */
function demoOptions(command: string, endpoint: string): string[] {
  const manifests = ["--manifests", DEMO_MANIFESTS_DIR];
  const aws = ["--endpoint-url", endpoint, "--region", EMULATOR_REGION];
  const state = ["--state-dir", DEMO_STATE_DIR];
  if (command === "validate") return manifests;
  if (command === "plan" || command === "apply") return [...manifests, ...aws, ...state];
  return state;
}

export async function runDemo(io: CliIo = processIo(), steps: DemoStep[] = DEMO_STEPS): Promise<DemoResult> {
  const manifestsDir = resolve(DEMO_MANIFESTS_DIR);
  await rm(resolve(DEMO_STATE_DIR), { recursive: true, force: true });
  const banner = (text: string) => io.stderr.write(`\n\u2500\u2500 ${text} \u2500\u2500\n`);
  banner("starting the local AWS emulator");
  const started = Date.now();
  const emulator = await startEmulator();
  try {
    await warmUp(emulator.endpoint);
    io.stderr.write(
      `emulator listening on ${emulator.endpoint} (pid ${emulator.pid}, ready in ${Date.now() - started} ms)\n`,
    );
    // The CLI resolves credentials like any AWS tool, from the environment: point it at the emulator.
    const emulatorEnv = {
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      AWS_REGION: EMULATOR_REGION,
    };
    Object.assign(process.env, emulatorEnv);
    const env = { ...io.env, ...emulatorEnv };
    const clients = createClients({
      endpoint: emulator.endpoint,
      region: EMULATOR_REGION,
      credentials: EMULATOR_CREDENTIALS,
      maxAttempts: 1,
    });
    const roleArn = await ensureEmulatorLambdaRole(emulator.endpoint);
    const ids = await seedDemo(clients, roleArn);
    await writeDemoManifests(manifestsDir, ids);
    io.stderr.write(
      `seeded file system ${ids.fileSystemId}, functions suplementia-search and suplementia-embeddings; manifests in ${DEMO_MANIFESTS_DIR}\n`,
    );
    const exitCodes: number[] = [];
    const unexpected: string[] = [];
    for (const step of steps) {
      banner(`efs-reconciler ${step.argv.join(" ")}: ${step.title}`);
      const argv = [...step.argv, ...demoOptions(step.argv[0] ?? "", emulator.endpoint)];
      const code = await main(argv, { ...io, env });
      io.stderr.write(`(exit code ${code})\n`);
      exitCodes.push(code);
      if (code !== step.expectedExit) {
        unexpected.push(
          `efs-reconciler ${step.argv.join(" ")} exited ${code}, expected ${step.expectedExit}`,
        );
      }
    }
    return { exitCodes, unexpected, manifestsDir };
  } finally {
    await emulator.stop();
  }
}
