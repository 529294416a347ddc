/**
 * `efs-reconciler run`: starts the deployed Step Functions workflow (a named execution, named
 * after its run id), follows it with backoff and renders its plan and results exactly like `plan`
 * and `apply`, with their exit codes: a dry run exits like `plan` (0 no drift, 2 drift), an apply
 * like `apply` (0 converged, 2 only manual drift left, 3 refused, 1 failed). A run skipped because
 * another run held the lease exits 1 and says so. `--no-wait` prints the execution and exits 0.
 * A large run's plan and report are stored by reference in the stack's run bucket: `run` reads
 * them from there and prints them exactly as it prints an inline one.
 */
import type { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import type { DescribeExecutionCommandOutput, HistoryEvent, SFNClient } from "@aws-sdk/client-sfn";
import { Command, Option } from "commander";
import type { S3Objects, S3ObjectsOptions } from "../../aws/s3-objects";
import { isSkippedRun, type SkippedRun } from "../../lock/run-lease";
import type { ApplyReport, Plan } from "../../plan/types";
import { renderReport } from "../../render/index";
import { plural } from "../../render/report-view";
import { describeActionError } from "../../statemachine/action-error";
import type { StateExit } from "../../statemachine/run-report";
import type { RunStoreReader, StoredRef } from "../../statemachine/run-store";
import type { PlanHead, ReportHead } from "../../statemachine/stored-documents";
import { CliUsageError } from "../cli-error";
import { type CommandContext, type CommandFactory, runCommand } from "../command-context";
import { EXIT, planExitCode } from "../exit-codes";
import { type CliIo, logLine, useColor } from "../io";
import {
  type AwsOptions,
  awsOptions,
  type GlobalOptions,
  type OutputOptions,
  outputOption,
  parseSeconds,
  parseWholeNumber,
  unusedCommonOptions,
} from "../options";
import { applyExitCode } from "./apply";

export type RunOptions = OutputOptions &
  AwsOptions &
  GlobalOptions & {
    stateMachineArn?: string;
    stack?: string;
    dryRun?: boolean;
    /** False with `--no-wait`. */
    wait: boolean;
    maxChanges?: number;
    /** Seconds before the first status check; each later wait is half as long again, up to MAX_POLL_SECONDS. */
    pollInterval: number;
    /** Common options the deployed workflow has no use for: accepted, and said to be ignored. */
    manifests?: string;
    stateDir?: string;
  };

/** Why `run` ignores a common option it was given: the deployed workflow has its own. */
function ignoredOptionNotes(opts: RunOptions): string[] {
  return [
    ...(opts.manifests === undefined
      ? []
      : [
          `note: run ignores --manifests ${opts.manifests}: the deployed workflow plans with the manifests packaged into the stack (sam build)`,
        ]),
    ...(opts.stateDir === undefined
      ? []
      : [
          `note: run ignores --state-dir ${opts.stateDir}: the deployed workflow records into the stack's DynamoDB table (efs-reconciler events --table)`,
        ]),
  ];
}

/** The stack output that names the state machine (infra-sam/template.yaml). */
export const STATE_MACHINE_OUTPUT = "StateMachineArn";
export const DEFAULT_POLL_SECONDS = 2;
export const MAX_POLL_SECONDS = 20;
/** A still-running execution is mentioned on stderr this often. */
const HEARTBEAT_MS = 60_000;
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

/** The waits between status checks: `first` seconds, then half as long again each time, capped. */
export function pollDelays(first: number, max: number = Math.max(MAX_POLL_SECONDS, first)): () => number {
  let next = first;
  return () => {
    const current = next;
    next = Math.min(max, next * 1.5);
    return current * 1000;
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The documents a run stored in its run bucket, read with an S3 client made on the first read. */
interface RunDocuments {
  reader: RunStoreReader;
  /** Releases the S3 client, if one was made. */
  close(): void;
}

function runDocuments(options: S3ObjectsOptions): RunDocuments {
  let s3: S3Objects | undefined;
  return {
    reader: {
      async get<T>(ref: StoredRef): Promise<T> {
        const [{ createS3Objects }, { createS3RunStore }] = await Promise.all([
          import("../../aws/s3-objects"),
          import("../../statemachine/s3-run-store"),
        ]);
        s3 ??= createS3Objects(options);
        return createS3RunStore({ s3, bucket: ref.Bucket }).get<T>(ref);
      },
    },
    close: () => s3?.destroy(),
  };
}

/** The clients `run` needs, configured like every other AWS client of the CLI. */
async function runClients(
  opts: RunOptions,
): Promise<{ sfn: SFNClient; cloudformation: CloudFormationClient; documents: RunDocuments }> {
  const [{ SFNClient }, { CloudFormationClient }, { clientConfig, DEFAULT_MAX_ATTEMPTS }] = await Promise.all(
    [import("@aws-sdk/client-sfn"), import("@aws-sdk/client-cloudformation"), import("../../aws/clients")],
  );
  const config = clientConfig({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.endpointUrl ? { endpoint: opts.endpointUrl } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
  });
  const sfn = new SFNClient(config);
  return {
    sfn,
    cloudformation: new CloudFormationClient(config),
    // The run bucket is in the workflow's region: the one the Step Functions client resolved
    // (--region, the environment, or the profile's config file).
    documents: runDocuments({
      region: () => sfn.config.region(),
      ...(opts.endpointUrl ? { endpoint: opts.endpointUrl } : {}),
      ...(opts.profile ? { profile: opts.profile } : {}),
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
    }),
  };
}

/** The state machine ARN: given, or the `StateMachineArn` output of the stack. */
export async function resolveStateMachineArn(
  opts: Pick<RunOptions, "stateMachineArn" | "stack">,
  cloudformation: CloudFormationClient,
): Promise<string> {
  if (opts.stateMachineArn && opts.stack) {
    throw new CliUsageError("pass either --state-machine-arn ARN or --stack NAME, not both");
  }
  if (opts.stateMachineArn) {
    if (!STATE_MACHINE_ARN.test(opts.stateMachineArn)) {
      throw new CliUsageError(
        `--state-machine-arn ${opts.stateMachineArn} is not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME); copy it from the stack's StateMachineArn output`,
      );
    }
    return opts.stateMachineArn;
  }
  if (!opts.stack) {
    throw new CliUsageError(
      "no workflow to run: pass --state-machine-arn ARN, or --stack NAME of the stack deployed from infra-sam/template.yaml",
    );
  }
  const { DescribeStacksCommand } = await import("@aws-sdk/client-cloudformation");
  const described = await cloudformation
    .send(new DescribeStacksCommand({ StackName: opts.stack }))
    .catch((err) => {
      if ((err as { name?: string }).name === "ValidationError") {
        throw new CliUsageError(
          `stack ${opts.stack} was not found (${(err as Error).message}); check --stack and --region`,
          { cause: err },
        );
      }
      throw err;
    });
  const outputs = described.Stacks?.[0]?.Outputs;
  const arn = outputs?.find((o) => o.OutputKey === STATE_MACHINE_OUTPUT)?.OutputValue;
  if (!arn) {
    throw new CliUsageError(
      `stack ${opts.stack} has no ${STATE_MACHINE_OUTPUT} output: is it deployed from infra-sam/template.yaml (and finished deploying)? Or pass --state-machine-arn`,
    );
  }
  return arn;
}

/** Every state exit of an execution, in order, with its output parsed. */
export async function executionStateExits(sfn: SFNClient, executionArn: string): Promise<StateExit[]> {
  const { GetExecutionHistoryCommand } = await import("@aws-sdk/client-sfn");
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: 1000,
        includeExecutionData: true,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const exits: StateExit[] = [];
  for (const e of events) {
    const details = e.stateExitedEventDetails;
    if (!details?.name) continue;
    let output: unknown = null;
    try {
      output = details.output === undefined ? null : JSON.parse(details.output);
    } catch {
      output = null;
    }
    exits.push({ name: details.name, output });
  }
  return exits;
}

function consoleUrl(executionArn: string): string {
  const region = executionArn.split(":")[3] ?? "us-east-1";
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

async function follow(
  io: CliIo,
  sfn: SFNClient,
  executionArn: string,
  pollInterval: number,
): Promise<DescribeExecutionCommandOutput> {
  const { DescribeExecutionCommand } = await import("@aws-sdk/client-sfn");
  const delay = pollDelays(pollInterval);
  const started = Date.now();
  let lastNote = started;
  for (;;) {
    await sleep(delay());
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (out.status !== "RUNNING") return out;
    if (Date.now() - lastNote >= HEARTBEAT_MS) {
      lastNote = Date.now();
      logLine(io, `still running after ${Math.round((lastNote - started) / 1000)} s…`);
    }
  }
}

function printSkipped(ctx: CommandContext, opts: RunOptions, skipped: SkippedRun): number {
  logLine(ctx.io, skipped.message);
  if (opts.output === "json") ctx.io.stdout.write(`${JSON.stringify(skipped, null, 2)}\n`);
  return EXIT.ERROR;
}

function exitCodeOf(report: ApplyReport | Plan, succeeded: boolean, refused: boolean): number {
  if (refused) return EXIT.REFUSED;
  if (report.mode === "dry-run") {
    if (!succeeded) return EXIT.ERROR;
    return planExitCode(report);
  }
  return succeeded ? applyExitCode(report, false) : EXIT.ERROR;
}

async function run(ctx: CommandContext, opts: RunOptions): Promise<number> {
  const { io } = ctx;
  for (const note of ignoredOptionNotes(opts)) logLine(io, note);
  const { sfn, cloudformation, documents } = await runClients(opts);
  try {
    const stateMachineArn = await resolveStateMachineArn(opts, cloudformation);
    const [
      { newRunId },
      { StartExecutionCommand },
      { WORKFLOW_ERRORS },
      { runReport, planStepOf },
      { loadRunOutput, loadStoredExits },
    ] = await Promise.all([
      import("../../plan/run-id"),
      import("@aws-sdk/client-sfn"),
      import("../../statemachine/definition"),
      import("../../statemachine/run-report"),
      import("../../statemachine/stored-documents"),
    ]);
    const mode = opts.dryRun ? "dry-run" : "apply";
    const runId = newRunId();
    const input = { mode, runId, ...(opts.maxChanges === undefined ? {} : { maxChanges: opts.maxChanges }) };
    const started = await sfn
      .send(new StartExecutionCommand({ stateMachineArn, name: runId, input: JSON.stringify(input) }))
      .catch((err: unknown) => {
        if (err instanceof Error && err.name === "StateMachineDoesNotExist") {
          throw new CliUsageError(
            `no state machine ${stateMachineArn}: check --state-machine-arn (or --stack) and the region it is deployed in`,
            { cause: err },
          );
        }
        throw err;
      });
    const executionArn = started.executionArn;
    if (!executionArn) throw new Error(`StartExecution of ${stateMachineArn} returned no execution ARN`);
    logLine(io, `started ${mode} run ${runId}: execution ${executionArn}`);
    if (!opts.endpointUrl) logLine(io, `  ${consoleUrl(executionArn)}`);

    if (!opts.wait) {
      io.stdout.write(
        opts.output === "json"
          ? `${JSON.stringify({ executionArn, runId, mode, status: "RUNNING" }, null, 2)}\n`
          : `${executionArn}\n`,
      );
      return EXIT.OK;
    }

    const begun = Date.now();
    const done = await follow(io, sfn, executionArn, opts.pollInterval);
    const seconds = ((Date.now() - begun) / 1000).toFixed(1);
    const color = useColor(io, opts.color);
    if (done.status === "SUCCEEDED") {
      const output = JSON.parse(done.output ?? "null") as unknown;
      if (isSkippedRun(output)) return printSkipped(ctx, opts, output);
      const report = await loadRunOutput(
        output as ApplyReport | Plan | ReportHead | PlanHead,
        documents.reader,
      );
      logLine(io, `execution ${runId} succeeded after ${seconds} s`);
      io.stdout.write(renderReport(report, opts.output, { color }));
      return exitCodeOf(report, true, false);
    }

    const error = done.error ?? done.status ?? "UNKNOWN";
    const cause =
      describeActionError({ Error: error, ...(done.cause ? { Cause: done.cause } : {}) }) ?? error;
    logLine(io, `execution ${runId} ended ${done.status} after ${seconds} s: ${cause}`);
    const exits = await loadStoredExits(await executionStateExits(sfn, executionArn), documents.reader);
    const step = planStepOf(exits);
    if (!step || "skipped" in step) return EXIT.ERROR;
    const refused = error === WORKFLOW_ERRORS.maxChangesExceeded;
    const refusal = `the plan has ${plural(step.plan.actions.length, "action")}, more than the limit of ${step.maxChanges}; nothing was changed (pass --max-changes to raise it for this run)`;
    if (refused) logLine(io, `refused: ${refusal}`);
    const report = runReport(step, exits, { error, ...(done.cause ? { cause: done.cause } : {}) });
    io.stdout.write(renderReport(report, opts.output, { color, ...(refused ? { refused: refusal } : {}) }));
    return exitCodeOf(report, false, refused);
  } finally {
    sfn.destroy();
    cloudformation.destroy();
    documents.close();
  }
}

export const runWorkflowCommand: CommandFactory = (ctx: CommandContext) => {
  const cmd = new Command("run")
    .description(
      "start the deployed Step Functions workflow, follow it, and print its plan and results like plan/apply",
    )
    .addOption(
      new Option(
        "--state-machine-arn <arn>",
        "the workflow's state machine (the stack's StateMachineArn output)",
      ),
    )
    .addOption(
      new Option("--stack <name>", "find the state machine in this CloudFormation stack's outputs").conflicts(
        "stateMachineArn",
      ),
    )
    .addOption(new Option("--dry-run", "plan only: the execution observes and records, and changes nothing"))
    .addOption(new Option("--no-wait", "print the started execution's ARN and exit without following it"))
    .addOption(
      new Option(
        "--max-changes <n>",
        "refuse (exit 3, nothing changed) when the plan has more actions (default: the deployment's MaxChanges)",
      ).argParser(parseWholeNumber),
    )
    .addOption(
      new Option(
        "--poll-interval <seconds>",
        `wait before the first status check; later waits grow by half up to ${MAX_POLL_SECONDS} s`,
      )
        .argParser(parseSeconds)
        .default(DEFAULT_POLL_SECONDS),
    )
    .addOption(outputOption());
  for (const o of [...awsOptions(), ...unusedCommonOptions("--manifests <dir>", "--state-dir <dir>")])
    cmd.addOption(o);
  return cmd.action((_opts: unknown, c: Command) => runCommand<RunOptions>(ctx, c, (opts) => run(ctx, opts)));
};
