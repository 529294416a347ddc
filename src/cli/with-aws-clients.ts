/**
 * Runs work with a set of AWS clients and releases their connections afterwards, so the
 * process exits as soon as the command is done.
 */
import type { AwsClients } from "../aws/clients";

export async function withAwsClients<T>(clients: AwsClients, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    for (const client of [
      clients.ec2,
      clients.efs,
      clients.lambda,
      clients.sfn,
      clients.iam,
      clients.cloudwatch,
    ]) {
      client.destroy();
    }
  }
}
