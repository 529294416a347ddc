/**
 * Distributed Maps on the local engine. aws-local-stepfunctions runs every Map inline and ignores
 * ItemReader and ResultWriter, so a local run replaces each Distributed Map by a Task state that
 * does what Step Functions does: read the items from the run store (ItemReader), run one child
 * execution of the ItemProcessor per item (ItemSelector, MaxConcurrency), and write the children's
 * results to the run store (ResultWriter), returning where they are. The children's state events
 * join the run's event log (counted as transitions, as AWS bills child executions), under the
 * names of the inline Map's states.
 */
import { type RunOptions, StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import type { AslMachine, AslState } from "./definition";
import type { EngineEvent } from "./progress";
import type { RunStore } from "./run-store";
import { type MapResultEntry, STORED_STATE_PREFIX, writeMapResults } from "./stored-documents";

type Overrides = NonNullable<RunOptions["overrides"]>;
export type LocalHandler = NonNullable<Overrides["taskResourceLocalHandlers"]>[string];

export interface DistributedMapRuntime {
  store: RunStore;
  /** Task handlers for the child executions' Task states, by state name. */
  handlers: Record<string, LocalHandler>;
  /** Wait and retry overrides of the run, applied to the children too. */
  timing: Overrides;
  /** Receives every state event of every child execution. */
  emit: (event: EngineEvent) => void;
}

const LOCAL_MAP_RESOURCE =
  "arn:aws:lambda:us-east-1:000000000000:function:efs-reconciler-local-distributed-map";
const DEFAULT_MAX_CONCURRENCY = 40;

function isDistributed(state: AslState): boolean {
  const processor = state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined;
  return (
    state.Type === "Map" &&
    (state.ItemReader !== undefined || processor?.ProcessorConfig?.Mode === "DISTRIBUTED")
  );
}

/** `$.a.b` of `input` (only the plain dotted paths the definition uses). */
function readPath(input: unknown, path: string): unknown {
  if (path === "$") return input;
  let value: unknown = input;
  for (const part of path.replace(/^\$\./, "").split(".")) {
    value =
      typeof value === "object" && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  }
  return value;
}

/** Parameters with `key.$` paths resolved against the state input and the map item. */
function resolve(template: unknown, input: unknown, item?: { value: unknown; index: number }): unknown {
  if (typeof template !== "object" || template === null || Array.isArray(template)) return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith(".$") && typeof value === "string") {
      const name = key.slice(0, -2);
      if (value === "$$.Map.Item.Value") out[name] = item?.value;
      else if (value === "$$.Map.Item.Index") out[name] = item?.index;
      else out[name] = readPath(input, value);
    } else {
      out[key] = resolve(value, input, item);
    }
  }
  return out;
}

/** A child execution's state event under the inline Map's state name. */
function asParentEvent(event: EngineEvent, index: number): EngineEvent | undefined {
  if (!("state" in event)) return undefined;
  const name = event.state.name.startsWith(STORED_STATE_PREFIX)
    ? event.state.name.slice(STORED_STATE_PREFIX.length)
    : event.state.name;
  return { ...event, index, state: { ...event.state, name } } as EngineEvent;
}

async function runChildren<T>(
  count: number,
  limit: number,
  run: (index: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      out[index] = await run(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
  return out;
}

function runDistributedMap(state: AslState, runtime: () => DistributedMapRuntime): LocalHandler {
  return async (input) => {
    const { store, handlers, timing, emit } = runtime();
    const reader = state.ItemReader as { Parameters?: Record<string, unknown> } | undefined;
    const where = resolve(reader?.Parameters ?? {}, input) as { Bucket?: string; Key?: string };
    if (!where.Bucket || !where.Key) {
      throw new Error(`the ItemReader of a Distributed Map found no Bucket/Key in its input`);
    }
    const items = await store.get<unknown[]>({ Bucket: where.Bucket, Key: where.Key });
    const processor = state.ItemProcessor as AslMachine;
    const child = new StateMachine(
      { StartAt: processor.StartAt, States: processor.States } as unknown as StateMachineDefinition,
      { validationOptions: { noValidate: true } },
    );
    const entries = await runChildren<MapResultEntry>(
      items.length,
      typeof state.MaxConcurrency === "number" && state.MaxConcurrency > 0
        ? state.MaxConcurrency
        : DEFAULT_MAX_CONCURRENCY,
      async (index) => {
        const item = { value: items[index], index };
        const childInput = state.ItemSelector ? resolve(state.ItemSelector, input, item) : item.value;
        const execution = child.run(childInput as Parameters<typeof child.run>[0], {
          overrides: { taskResourceLocalHandlers: handlers, ...timing },
        });
        const forwarding = (async () => {
          for await (const event of execution.eventLogs) {
            const forwarded = asParentEvent(event, index);
            if (forwarded) emit(forwarded);
          }
        })();
        let entry: MapResultEntry;
        try {
          const output = await execution.result;
          entry = { Input: JSON.stringify(childInput), Output: JSON.stringify(output), Status: "SUCCEEDED" };
        } catch (err) {
          const cause = (err as { cause?: unknown }).cause ?? err;
          entry = {
            Input: JSON.stringify(childInput),
            Status: "FAILED",
            Error: cause instanceof Error ? cause.name : "States.Runtime",
            Cause: cause instanceof Error ? cause.message : String(cause),
          };
        }
        await forwarding;
        return entry;
      },
    );
    const writer = state.ResultWriter as { Parameters?: Record<string, unknown> } | undefined;
    if (!writer) return entries.map((e) => (e.Output ? JSON.parse(e.Output) : null)) as never;
    const prefix = (resolve(writer.Parameters ?? {}, input) as { Prefix?: string }).Prefix ?? "results";
    return (await writeMapResults(store, prefix, entries)) as never;
  };
}

/**
 * The machine with each top-level Distributed Map replaced by a Task state of the same name
 * (same ResultPath, Next, Retry, Catch), and the handlers that run those Tasks.
 */
export function withLocalDistributedMaps(
  machine: AslMachine,
  runtime: () => DistributedMapRuntime,
): { machine: AslMachine; handlers: Record<string, LocalHandler> } {
  const states: Record<string, AslState> = {};
  const handlers: Record<string, LocalHandler> = {};
  for (const [name, state] of Object.entries(machine.States)) {
    if (!isDistributed(state)) {
      states[name] = state;
      continue;
    }
    const {
      ItemReader,
      ItemProcessor,
      ItemSelector,
      ItemsPath,
      MaxConcurrency,
      ResultWriter,
      Type,
      ...rest
    } = state;
    states[name] = { ...rest, Type: "Task", Resource: LOCAL_MAP_RESOURCE };
    handlers[name] = runDistributedMap(state, runtime);
  }
  return { machine: { ...machine, States: states }, handlers };
}
