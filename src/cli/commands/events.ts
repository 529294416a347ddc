/**
 * `efs-reconciler events`: lists recorded drift events, newest first, from the local ledger
 * (`--state-dir`) or the deployed DynamoDB table (`--table`). Filters: `--since`, `--code`,
 * `--resource`, `--run`. Exit 0, or 1 on an error.
 *
 * Also the shared part of `status` and `report`: the options that choose where the record is
 * read from, and opening it.
 */
import { Command, Option } from "commander";
import type { RecordStore } from "../../events/sink";
import type { DriftEvent, EventFilter } from "../../events/types";
import { DRIFT_CATALOG } from "../../plan/catalog";
import type { DriftCode } from "../../plan/types";
import { CliUsageError } from "../cli-error";
import { type CommandContext, type CommandFactory, runCommand } from "../command-context";
import { EXIT } from "../exit-codes";
import { logLine, useColor } from "../io";
import { loadManifests } from "../load-manifests";
import {
  type AwsOptions,
  awsOptions,
  type GlobalOptions,
  type StateDirOptions,
  stateDirOption,
} from "../options";

export type RecordSourceOptions = StateDirOptions & AwsOptions & { table?: string };

export const RECORD_OUTPUT_FORMATS = ["text", "json", "markdown"] as const;
export type RecordOutputFormat = (typeof RECORD_OUTPUT_FORMATS)[number];

/** `--state-dir`, `--table` and the AWS options (used with `--table`). */
export function addRecordSourceOptions(cmd: Command): Command {
  cmd.addOption(stateDirOption());
  cmd.addOption(
    new Option("--table <name>", "read the deployed record from this DynamoDB table instead of --state-dir"),
  );
  for (const o of awsOptions()) cmd.addOption(o);
  return cmd;
}

export function recordOutputOption(): Option {
  return new Option("-o, --output <format>", "output format").choices(RECORD_OUTPUT_FORMATS).default("text");
}

/** Errors of the record whose messages already say what to do. */
const EXPLAINED = new Set(["LedgerError", "StatusFileError", "RecordConfigError", "SinceFormatError"]);

function explain(err: unknown, opts: RecordSourceOptions): unknown {
  const name = err instanceof Error ? err.name : "";
  if (EXPLAINED.has(name)) return new CliUsageError((err as Error).message, { cause: err });
  if (name === "ResourceNotFoundException" && opts.table) {
    return new CliUsageError(
      `DynamoDB table ${opts.table} was not found${opts.region ? ` in ${opts.region}` : ""}: pass the events table of the deployed stack with --table (and its --region)`,
      { cause: err },
    );
  }
  return err;
}

/** Opens the record (the table, or the state directory), runs `work` with it, and releases it. */
export async function withRecordStore<T>(
  opts: RecordSourceOptions,
  work: (store: RecordStore, where: string) => Promise<T>,
): Promise<T> {
  try {
    if (!opts.table) {
      const { LocalRecordStore } = await import("../../events/local-store");
      return await work(new LocalRecordStore(opts.stateDir), opts.stateDir);
    }
    const [{ createDynamoClient }, { DynamoRecordStore }] = await Promise.all([
      import("../../events/record-target"),
      import("../../events/dynamodb-store"),
    ]);
    const client = createDynamoClient({
      region: opts.region,
      endpoint: opts.endpointUrl,
      profile: opts.profile,
    });
    try {
      return await work(new DynamoRecordStore(client, opts.table), `DynamoDB table ${opts.table}`);
    } finally {
      client.destroy();
    }
  } catch (err) {
    throw explain(err, opts);
  }
}

/** Warns about what reading the record had to skip (a torn last ledger line after a crash). */
export function reportStoreWarnings(ctx: CommandContext, store: RecordStore): void {
  for (const w of store.warnings?.() ?? []) logLine(ctx.io, `warning: ${w}`);
}

type EventsOptions = RecordSourceOptions &
  GlobalOptions & {
    output: RecordOutputFormat;
    since?: string;
    code?: string;
    resource?: string;
    run?: string;
    manifests?: string;
  };

function parseCode(value: string): DriftCode {
  const code = value.trim().toUpperCase();
  if (code in DRIFT_CATALOG) return code as DriftCode;
  throw new CliUsageError(
    `--code ${JSON.stringify(value)} is not a drift code: use one of ${Object.keys(DRIFT_CATALOG).join(", ")}`,
  );
}

async function listEvents(ctx: CommandContext, opts: EventsOptions): Promise<number> {
  const [{ parseSince }, { eventsJson, eventsMarkdown, eventsText }] = await Promise.all([
    import("../../events/parse-since"),
    import("../../events/render-record"),
  ]);
  const filter: EventFilter = {};
  try {
    if (opts.since !== undefined) filter.since = parseSince(opts.since, new Date());
  } catch (err) {
    throw explain(err, opts);
  }
  if (opts.code !== undefined) filter.code = parseCode(opts.code);
  if (opts.resource !== undefined) filter.resource = opts.resource;
  if (opts.run !== undefined) filter.runId = opts.run;

  let inManifests: ((event: DriftEvent) => boolean) | undefined;
  if (opts.manifests !== undefined) {
    const loaded = await loadManifests(ctx.io, opts.manifests, "events");
    if (!loaded) return EXIT.ERROR;
    const { manifestRefs, objectKey } = await import("../../events/compute-status");
    const objects = new Set(manifestRefs(loaded.state).map(objectKey));
    inManifests = (event) => objects.has(objectKey(event.drift.manifest));
  }

  const found = await withRecordStore(opts, async (store) => {
    const listed = await store.listEvents(filter);
    reportStoreWarnings(ctx, store);
    return listed;
  });
  const events = inManifests ? found.filter(inManifests) : found;
  ctx.io.stdout.write(
    opts.output === "json"
      ? eventsJson(events)
      : opts.output === "markdown"
        ? eventsMarkdown(events)
        : eventsText(events, { color: useColor(ctx.io, opts.color) }),
  );
  return EXIT.OK;
}

export const eventsCommand: CommandFactory = (ctx: CommandContext) => {
  const cmd = new Command("events")
    .description("list recorded drift events, newest first")
    .addOption(recordOutputOption())
    .addOption(
      new Option(
        "--since <when>",
        "only events at or after: an ISO time (UTC unless it names a zone), or a duration like 24h, 7d",
      ),
    )
    .addOption(new Option("--code <code>", "only events of this drift code, e.g. MT_MISSING_IN_AZ"))
    .addOption(
      new Option("--resource <id>", "only events of this AWS resource id, or manifest object KIND/NAME"),
    )
    .addOption(new Option("--run <runId>", "only events of this run"))
    .addOption(
      new Option("--manifests <dir>", "only events of the objects the manifests in this directory hold"),
    );
  return addRecordSourceOptions(cmd).action((_opts: unknown, c: Command) =>
    runCommand<EventsOptions>(ctx, c, (opts) => listEvents(ctx, opts)),
  );
};
