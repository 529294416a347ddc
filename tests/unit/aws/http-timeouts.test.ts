/**
 * Every AWS client of the product gives up on a connection that never answers: the SDK's HTTP
 * layer is configured with connection and idle-socket timeouts (src/aws/http-timeouts.ts), and the
 * SDK's retry strategy retries the TimeoutError before reporting it. Exercised over a real socket
 * against a local server that accepts requests and never answers.
 */
import { DescribeFileSystemsCommand } from "@aws-sdk/client-efs";
import { ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { type AwsClients, clientConfig, createClients } from "../../../src/aws/clients";
import { HTTP_TIMEOUTS } from "../../../src/aws/http-timeouts";
import { type LocalS3, startLocalS3 } from "./s3-server";

const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };

describe("HTTP timeouts of the AWS clients", () => {
  let local: LocalS3 | undefined;
  let clients: AwsClients | undefined;

  afterEach(async () => {
    if (clients) for (const c of [clients.efs, clients.lambda]) c.destroy();
    await local?.close();
    local = undefined;
    clients = undefined;
  });

  it("configures every client's HTTP layer with the product's timeouts, unless a handler is given", () => {
    expect(clientConfig().requestHandler).toEqual(HTTP_TIMEOUTS);
    expect(HTTP_TIMEOUTS.connectionTimeout).toBeGreaterThan(0);
    expect(HTTP_TIMEOUTS.socketTimeout).toBeGreaterThan(0);
    const handler = { handle: () => Promise.reject(new Error("unused")) };
    expect(clientConfig({ requestHandler: handler }).requestHandler).toBe(handler);
  });

  it.each([
    ["EFS", (c: AwsClients) => c.efs.send(new DescribeFileSystemsCommand({}))],
    ["Lambda", (c: AwsClients) => c.lambda.send(new ListFunctionsCommand({}))],
  ])("%s: a silent endpoint's call times out, is retried, then fails with TimeoutError", async (_, call) => {
    local = await startLocalS3(() => "silent");
    clients = createClients({
      region: "us-east-1",
      endpoint: local.endpoint,
      credentials: CREDENTIALS,
      maxAttempts: 2,
      timeouts: { connectionTimeout: 1_000, socketTimeout: 150 },
    });
    const error = await call(clients).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "TimeoutError", $metadata: { attempts: 2 } });
    expect(local.requests).toHaveLength(2);
  });
});
