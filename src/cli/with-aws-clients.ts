/**
 * The AWS clients of one command: created from the command's options (the SDK is loaded on
 * demand — `validate` needs none of it), with a recorder counting the calls, and released
 * afterwards so the process exits as soon as the command is done.
 */
import type { AwsClients, CallRecorder, RetryNotice } from "../aws/clients";
import { SERVICE_LABEL } from "../aws/service-labels";
import { type CliIo, logLine } from "./io";
import type { AwsOptions } from "./options";

export interface CommandAws {
  clients: AwsClients;
  recorder: CallRecorder;
}

/** One stderr line per retried attempt: a slow or silent endpoint shows as progress, not a hang. */
export function retryLine(r: RetryNotice): string {
  const e = r.error as { name?: unknown; message?: unknown };
  const reason =
    [e.name, e.message].filter((x) => typeof x === "string" && x !== "").join(": ") || String(r.error);
  const short = reason.length > 160 ? `${reason.slice(0, 159)}…` : reason;
  return `${SERVICE_LABEL[r.service]} ${r.command} failed (${short}); retrying, attempt ${r.attempt + 1} of ${r.maxAttempts}`;
}

export async function withAwsClients<T>(
  opts: AwsOptions,
  io: CliIo,
  work: (aws: CommandAws) => Promise<T>,
): Promise<T> {
  const { CallRecorder, createClients, destroyClients } = await import("../aws/clients");
  const recorder = new CallRecorder();
  const clients = createClients({
    region: opts.region,
    endpoint: opts.endpointUrl,
    profile: opts.profile,
    recorder,
    onRetry: (r) => logLine(io, retryLine(r)),
  });
  try {
    return await work({ clients, recorder });
  } finally {
    destroyClients(clients);
  }
}
