/**
 * SDK clients bound to the bench's emulator. Every measured call passes through `CallStats`
 * (outermost), and through a shim that gives the emulator AWS's page sizes where moto 5.2.1
 * differs: DescribeFileSystems pages default to 100 file systems (moto: 10), ListFunctions pages
 * hold at most 50 functions (moto: all of them in one page). Without the shim the emulator would
 * make a region sweep look cheaper (ListFunctions) or dearer (DescribeFileSystems) than in AWS.
 */
import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import type { MiddlewareStack } from "@smithy/types";
import { type AwsClients, type CallRecorder, createClients, type ServiceName } from "../../src/aws/clients";
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from "../../src/emulator/warm-up";
import type { CallStats } from "./call-stats";

/** AWS page sizes the shim enforces (see the module comment). */
export const AWS_PAGE = {
  describeFileSystems: 100,
  describeAccessPoints: 100,
  listFunctions: 50,
} as const;

interface Stackable {
  middlewareStack: MiddlewareStack<object, object>;
}

type Input = Record<string, unknown>;
type Handler = (args: { input: Input }) => Promise<{ output: unknown; response: unknown }>;

function commandName(context: unknown): string {
  return String((context as { commandName?: string }).commandName ?? "Unknown").replace(/Command$/, "");
}

function attachStats(client: Stackable, service: ServiceName, stats: CallStats): void {
  client.middlewareStack.add(
    ((next: Handler, context: unknown) => async (args: { input: Input }) => {
      const done = stats.start(service, commandName(context));
      try {
        return await next(args);
      } finally {
        done();
      }
    }) as never,
    { step: "initialize", priority: "high", name: "benchCallStats" },
  );
}

const LIST_MARKER = "bench-page:";

function attachAwsPaging(clients: AwsClients): void {
  (clients.efs as unknown as Stackable).middlewareStack.add(
    ((next: Handler, context: unknown) => async (args: { input: Input }) => {
      if (commandName(context) !== "DescribeFileSystems" || args.input.FileSystemId) return next(args);
      const asked =
        typeof args.input.MaxItems === "number" ? args.input.MaxItems : AWS_PAGE.describeFileSystems;
      return next({
        ...args,
        input: { ...args.input, MaxItems: Math.min(asked, AWS_PAGE.describeFileSystems) },
      });
    }) as never,
    { step: "initialize", priority: "low", name: "benchEfsPaging" },
  );
  // One snapshot per sweep: later pages are served from the first page's full listing.
  const snapshots = new Map<string, FunctionConfiguration[]>();
  let sweeps = 0;
  (clients.lambda as unknown as Stackable).middlewareStack.add(
    ((next: Handler, context: unknown) => async (args: { input: Input }) => {
      if (commandName(context) !== "ListFunctions") return next(args);
      const size = Math.min(
        typeof args.input.MaxItems === "number" ? args.input.MaxItems : AWS_PAGE.listFunctions,
        AWS_PAGE.listFunctions,
      );
      const marker = typeof args.input.Marker === "string" ? args.input.Marker : undefined;
      let id: string;
      let offset: number;
      let all: FunctionConfiguration[];
      let response: unknown = {};
      if (marker?.startsWith(LIST_MARKER)) {
        const [snapshot = "", at = "0"] = marker.slice(LIST_MARKER.length).split(":");
        id = snapshot;
        offset = Number(at);
        all = snapshots.get(id) ?? [];
      } else {
        const first = await next(args);
        response = first.response;
        all = (first.output as { Functions?: FunctionConfiguration[] }).Functions ?? [];
        id = String(++sweeps);
        offset = 0;
        snapshots.set(id, all);
      }
      const end = offset + size;
      const more = end < all.length;
      if (!more) snapshots.delete(id);
      return {
        response,
        output: {
          $metadata: { httpStatusCode: 200, attempts: 1 },
          Functions: all.slice(offset, end),
          ...(more ? { NextMarker: `${LIST_MARKER}${id}:${end}` } : {}),
        },
      };
    }) as never,
    { step: "initialize", priority: "low", name: "benchLambdaPaging" },
  );
}

export interface BenchClientOptions {
  stats?: CallStats;
  recorder?: CallRecorder;
  /** Total attempts per call; measured clients use 1 so that every call counts once. */
  maxAttempts?: number;
}

/** Clients for the emulator at `endpoint`, with AWS paging and optional call statistics. */
export function benchClients(endpoint: string, options: BenchClientOptions = {}): AwsClients {
  const clients = createClients({
    endpoint,
    region: EMULATOR_REGION,
    credentials: EMULATOR_CREDENTIALS,
    maxAttempts: options.maxAttempts ?? 1,
    ...(options.recorder ? { recorder: options.recorder } : {}),
  });
  attachAwsPaging(clients);
  if (options.stats) {
    for (const [service, client] of sdkClients(clients)) attachStats(client, service, options.stats);
  }
  return clients;
}

/** Every SDK client of `clients`, by service name. */
function sdkClients(clients: AwsClients): [ServiceName, Stackable & { destroy(): void }][] {
  return Object.entries(clients).flatMap(([service, client]) =>
    typeof client === "object" && client !== null && "middlewareStack" in client
      ? [[service as ServiceName, client as Stackable & { destroy(): void }]]
      : [],
  );
}

export function destroyClients(clients: AwsClients): void {
  for (const [, client] of sdkClients(clients)) client.destroy();
}
