/**
 * The Lambda bundles' credentials (src/aws/lambda-credentials.ts): the runtime's environment
 * variables first, a container credentials endpoint next, and otherwise one line that says what
 * to set. The endpoint case is answered by a real HTTP server on loopback.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { defaultProvider } from "../../../src/aws/lambda-credentials";

const VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
];
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
let server: Server | undefined;

function setEnv(values: Record<string, string>): void {
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
}

afterEach(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe("Lambda credentials", () => {
  it("reads the function's role credentials from the environment", async () => {
    setEnv({ AWS_ACCESS_KEY_ID: "AKIDLAMBDA", AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "token" });
    const credentials = await defaultProvider()();
    expect(credentials).toMatchObject({
      accessKeyId: "AKIDLAMBDA",
      secretAccessKey: "secret",
      sessionToken: "token",
    });
  });

  it("falls back to the container credentials endpoint, and asks it again only near expiry", async () => {
    let requests = 0;
    let expiresInMs = 3_600_000;
    server = createServer((_req, res) => {
      requests += 1;
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          AccessKeyId: `AKIDCONTAINER${requests}`,
          SecretAccessKey: "secret",
          Token: "token",
          Expiration: new Date(Date.now() + expiresInMs).toISOString(),
        }),
      );
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    setEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${port}/credentials` });

    const provider = defaultProvider();
    expect((await provider()).accessKeyId).toBe("AKIDCONTAINER1");
    expect((await provider()).accessKeyId).toBe("AKIDCONTAINER1");
    expect(requests).toBe(1);

    // Credentials about to expire are fetched again.
    expiresInMs = 60_000;
    const near = defaultProvider();
    expect((await near()).accessKeyId).toBe("AKIDCONTAINER2");
    expect((await near()).accessKeyId).toBe("AKIDCONTAINER3");
    expect(requests).toBe(3);
  });

  it("says what to set when there are no credentials", async () => {
    setEnv({});
    await expect(defaultProvider()()).rejects.toThrow(
      /^no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \(Lambda sets them from the function's execution role\)$/,
    );
  });
});
