/**
 * The AWS clients of one command: created from the command's options (the SDK is loaded on
 * demand — `validate` needs none of it), with a recorder counting the calls, and released
 * afterwards so the process exits as soon as the command is done.
 */
import type { AwsClients, CallRecorder } from "../aws/clients";
import type { AwsOptions } from "./options";

export interface CommandAws {
  clients: AwsClients;
  recorder: CallRecorder;
}

export async function withAwsClients<T>(opts: AwsOptions, work: (aws: CommandAws) => Promise<T>): Promise<T> {
  const { CallRecorder, createClients, destroyClients } = await import("../aws/clients");
  const recorder = new CallRecorder();
  const clients = createClients({
    region: opts.region,
    endpoint: opts.endpointUrl,
    profile: opts.profile,
    recorder,
  });
  try {
    return await work({ clients, recorder });
  } finally {
    destroyClients(clients);
  }
}
