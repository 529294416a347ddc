/**
 * AWS client factories: one place that decides region, endpoint, credentials profile, retry
 * policy and call recording for every service the product talks to. No business logic.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import { EFSClient, type EFSClientConfig } from "@aws-sdk/client-efs";
import { IAMClient } from "@aws-sdk/client-iam";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { SFNClient } from "@aws-sdk/client-sfn";
import type { MiddlewareStack } from "@smithy/types";
import { classifyAwsError } from "./errors";
import { HTTP_TIMEOUTS, type HttpTimeouts } from "./http-timeouts";

export type ServiceName = "ec2" | "efs" | "lambda" | "sfn" | "iam" | "cloudwatch" | "tagging";

/** One AWS call as sent (recorded before it leaves, completed when it returns). */
export interface RecordedCall {
  service: ServiceName;
  command: string;
  /** Whether the operation changes state (anything not Describe/List/Get). */
  mutating: boolean;
  ok: boolean;
  errorName?: string;
  /** Attempts the SDK made for this call (1 = no retry). */
  attempts: number;
}

export class CallRecorder {
  readonly calls: RecordedCall[] = [];

  record(call: RecordedCall): void {
    this.calls.push(call);
  }

  count(filter?: (c: RecordedCall) => boolean): number {
    return filter ? this.calls.filter(filter).length : this.calls.length;
  }

  mutating(): RecordedCall[] {
    return this.calls.filter((c) => c.mutating);
  }

  /** `service:Command` → number of calls. */
  byCommand(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.calls) {
      const key = `${c.service}:${c.command}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }
}

const READ_ONLY_PREFIXES = ["Describe", "List", "Get"];

export function isMutatingCommand(command: string): boolean {
  return !READ_ONLY_PREFIXES.some((p) => command.startsWith(p));
}

export interface ClientOptions {
  region?: string;
  /** Overrides every service's endpoint (else the SDK's AWS_ENDPOINT_URL[_<SERVICE>] rules apply). */
  endpoint?: string;
  profile?: string;
  /** Total attempts per call, first one included. Default 8: room for throttling bursts. */
  maxAttempts?: number;
  recorder?: CallRecorder;
  /** Static credentials (the local emulator); default: the SDK's provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Replaces the HTTP layer of every client (tests answer requests in-process with it). */
  requestHandler?: EFSClientConfig["requestHandler"];
  /** Connection and idle-socket timeouts of the SDK's HTTP layer; default HTTP_TIMEOUTS. */
  timeouts?: HttpTimeouts;
  /** Told of every failed attempt the SDK is about to retry (progress on long waits). */
  onRetry?: (retry: RetryNotice) => void;
}

/** An attempt of a call that failed and will be tried again. */
export interface RetryNotice {
  service: ServiceName;
  command: string;
  /** The attempt that failed (1 = the first). */
  attempt: number;
  maxAttempts: number;
  error: unknown;
}

/** The clients of a few services only: what one handler needs (its bundle holds no other client). */
export type ClientsFor<K extends ServiceName> = Pick<AwsClients, K>;

export interface AwsClients {
  ec2: EC2Client;
  efs: EFSClient;
  lambda: LambdaClient;
  sfn: SFNClient;
  /** IAM (global): read-only, for the least-privilege check of the functions' execution roles. */
  iam: IAMClient;
  /** CloudWatch: the file systems' alarms. */
  cloudwatch: CloudWatchClient;
  /** Resource Groups Tagging API: the alarms' tags, 100 alarms per call (read-only). */
  tagging: ResourceGroupsTaggingAPIClient;
  /** The region the clients resolved (argument, environment, or the profile's config file). */
  region(): Promise<string>;
}

interface Recordable {
  middlewareStack: MiddlewareStack<object, object>;
}

/** `DescribeFileSystems` for a DescribeFileSystemsCommand, from the middleware context. */
function commandOf(context: object): string {
  return String((context as { commandName?: string }).commandName ?? "Unknown").replace(/Command$/, "");
}

function attachRecorder(client: Recordable, service: ServiceName, recorder: CallRecorder): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = commandOf(context);
      const base = { service, command, mutating: isMutatingCommand(command) };
      try {
        const out = await next(args);
        const attempts = (out.output as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
        recorder.record({ ...base, ok: true, attempts });
        return out;
      } catch (err) {
        const e = err as { name?: string; $metadata?: { attempts?: number } };
        recorder.record({
          ...base,
          ok: false,
          errorName: e.name ?? "Error",
          attempts: e.$metadata?.attempts ?? 1,
        });
        throw err;
      }
    },
    { step: "initialize", name: "efsReconcilerCallRecorder" },
  );
}

/** `attempt=2; max=8`, the header the SDK's retry layer sets on every attempt. */
const ATTEMPT_HEADER = /attempt=(\d+); max=(\d+)/;

/**
 * Calls `onRetry` for each failed attempt short of the last: inside the SDK's retry loop (its
 * retry layer is the first of the finalize step), so it sees every attempt.
 */
function attachRetryNotice(
  client: Recordable,
  service: ServiceName,
  onRetry: (r: RetryNotice) => void,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const headers = (args.request as { headers?: Record<string, string> } | undefined)?.headers ?? {};
        const match = ATTEMPT_HEADER.exec(headers["amz-sdk-request"] ?? "");
        const attempt = Number(match?.[1] ?? 1);
        const maxAttempts = Number(match?.[2] ?? 1);
        const command = commandOf(context);
        if (attempt < maxAttempts && isRetryable(error))
          onRetry({ service, command, attempt, maxAttempts, error });
        throw error;
      }
    },
    { step: "finalizeRequest", priority: "low", name: "efsReconcilerRetryNotice" },
  );
}

/** What the SDK's standard retry strategy retries: throttling, 5xx, timeouts and network errors. */
function isRetryable(error: unknown): boolean {
  const e = error as { $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.$retryable !== undefined) return true;
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (status === 429 || status >= 500) return true;
  const kind = classifyAwsError(error)?.kind;
  return kind === "endpoint-unreachable" || kind === "throttled";
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/** The configuration every client of the product is created with (region, retries, endpoint…). */
export function clientConfig(options: ClientOptions = {}) {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return {
    ...(region ? { region } : {}),
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: "standard",
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    requestHandler: options.requestHandler ?? { ...(options.timeouts ?? HTTP_TIMEOUTS) },
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}

/**
 * The region a client resolved (argument, environment, or the profile's config file), with the
 * SDK's refusals turned into one line that says what to do.
 */
export function regionResolver(
  client: { config: { region: () => Promise<string> } },
  configured: string | undefined,
): () => Promise<string> {
  return async () => {
    try {
      return await client.config.region();
    } catch (cause) {
      if (configured && INVALID_REGION.test(String((cause as { message?: unknown } | null)?.message))) {
        throw new InvalidRegionError(configured, cause);
      }
      throw new MissingRegionError(cause);
    }
  };
}

/** The clients observation reads through (every read-only service), and the region they resolved. */
export type ObserveClients = ClientsFor<"ec2" | "efs" | "lambda" | "iam" | "cloudwatch" | "tagging"> &
  Pick<AwsClients, "region">;

/** Observation's clients only: what the Plan and Verify functions need for it. */
export function createObserveClients(options: ClientOptions = {}): ObserveClients {
  const common = clientConfig(options);
  const ec2 = new EC2Client(common);
  return {
    ec2,
    efs: new EFSClient(common),
    lambda: new LambdaClient(common),
    iam: new IAMClient(common),
    cloudwatch: new CloudWatchClient(common),
    tagging: new ResourceGroupsTaggingAPIClient(common),
    region: regionResolver(ec2, common.region),
  };
}

export function createClients(options: ClientOptions = {}): AwsClients {
  const clients: AwsClients = {
    ...createObserveClients(options),
    sfn: new SFNClient(clientConfig(options)),
  };
  for (const [service, client] of serviceClients(clients)) {
    if (options.recorder) attachRecorder(client as unknown as Recordable, service, options.recorder);
    if (options.onRetry) attachRetryNotice(client as unknown as Recordable, service, options.onRetry);
  }
  return clients;
}

/** Every service client of the set, with its service name. */
export function serviceClients(clients: AwsClients): [ServiceName, { destroy(): void }][] {
  return [
    ["ec2", clients.ec2],
    ["efs", clients.efs],
    ["lambda", clients.lambda],
    ["sfn", clients.sfn],
    ["iam", clients.iam],
    ["cloudwatch", clients.cloudwatch],
    ["tagging", clients.tagging],
  ];
}

/** Releases every client's connections, so a process can exit as soon as its work is done. */
export function destroyClients(clients: AwsClients): void {
  for (const [, client] of serviceClients(clients)) client.destroy();
}

/** How the SDK refuses a region that cannot be part of a host name (e.g. `us_east_1`). */
const INVALID_REGION = /Region not accepted|not a valid hostname component/;

export class InvalidRegionError extends Error {
  override name = "InvalidRegionError";
  constructor(region: string, cause?: unknown) {
    super(
      `AWS region "${region}" is not a valid region name: pass --region with one such as us-east-1 or eu-west-1 (or fix AWS_REGION)`,
      { cause },
    );
  }
}

export class MissingRegionError extends Error {
  override name = "MissingRegionError";
  constructor(cause?: unknown) {
    super("no AWS region configured: pass --region, or set AWS_REGION (or a region in your AWS profile)", {
      cause,
    });
  }
}
