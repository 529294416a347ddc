/**
 * AWS clients for the Lambda handlers: created once per execution environment, on first use,
 * from the environment (region from AWS_REGION, endpoints from AWS_ENDPOINT_URL[_<SERVICE>]).
 */
import { type AwsClients, createClients } from "../aws/clients";

let clients: AwsClients | undefined;

export function clientsFromEnv(): AwsClients {
  clients ??= createClients();
  return clients;
}
