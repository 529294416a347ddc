/**
 * The S3 object client (src/aws/s3-objects.ts): where each request goes (configured endpoints by
 * path, AWS's hosts by bucket name and partition, FIPS and dual-stack), how keys are encoded, what
 * the options and the environment configure, and — against a local HTTP server answering like S3 —
 * what it sends, which answers it retries and how S3's errors come back.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_MAX_ATTEMPTS, InvalidRegionError, MissingRegionError } from "../../../src/aws/clients";
import {
  createS3Objects,
  encodeKey,
  type ObjectAddress,
  objectAddress,
  resolveS3Settings,
  S3ConfigurationError,
  type S3Objects,
  S3ServiceError,
} from "../../../src/aws/s3-objects";
import { StoredDocumentMissingError } from "../../../src/statemachine/run-store";
import { createS3RunStore } from "../../../src/statemachine/s3-run-store";
import {
  type CapturedRequest,
  header,
  type LocalS3,
  type Reply,
  s3ErrorXml,
  startLocalS3,
} from "./s3-server";

/** The URL an address stands for. */
function addressUrl(address: ObjectAddress): string {
  return `${address.protocol}//${address.hostname}${address.port === undefined ? "" : `:${address.port}`}${address.path}`;
}

const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };

function only(requests: CapturedRequest[]): CapturedRequest {
  expect(requests).toHaveLength(1);
  return requests[0] as CapturedRequest;
}
const AWS = { region: "eu-west-1", useFips: false, useDualstack: false };

describe("objectAddress", () => {
  it.each([
    ["custom endpoint", "http://localhost:4566", "runs", "a.json", "http://localhost:4566/runs/a.json"],
    [
      "custom endpoint, trailing slash",
      "http://localhost:4566/",
      "runs",
      "a.json",
      "http://localhost:4566/runs/a.json",
    ],
    [
      "custom endpoint with a path",
      "https://proxy.example.com/s3",
      "runs",
      "a.json",
      "https://proxy.example.com/s3/runs/a.json",
    ],
    [
      "custom endpoint with a path and a slash",
      "https://proxy.example.com/s3/",
      "runs",
      "a.json",
      "https://proxy.example.com/s3/runs/a.json",
    ],
    [
      "custom endpoint, dotted bucket",
      "http://127.0.0.1:5000",
      "my.runs",
      "x/y.json",
      "http://127.0.0.1:5000/my.runs/x/y.json",
    ],
  ])("%s: by path under it", (_case, endpoint, bucket, key, url) => {
    expect(addressUrl(objectAddress(bucket, key, { ...AWS, endpoint }))).toBe(url);
  });

  it.each([
    [
      "virtual-hosted",
      "eu-west-1",
      "efs-reconciler-runs-1",
      "runs/r1/plan.json",
      "https://efs-reconciler-runs-1.s3.eu-west-1.amazonaws.com/runs/r1/plan.json",
    ],
    [
      "dotted bucket by path",
      "eu-west-1",
      "my.runs.bucket",
      "runs/a.json",
      "https://s3.eu-west-1.amazonaws.com/my.runs.bucket/runs/a.json",
    ],
    [
      "upper-case (legacy) bucket by path",
      "us-east-1",
      "Legacy_Bucket",
      "a.json",
      "https://s3.us-east-1.amazonaws.com/Legacy_Bucket/a.json",
    ],
    [
      "aws-cn partition",
      "cn-north-1",
      "runs-cn",
      "a.json",
      "https://runs-cn.s3.cn-north-1.amazonaws.com.cn/a.json",
    ],
    [
      "aws-cn partition, dotted bucket",
      "cn-northwest-1",
      "a.b",
      "k",
      "https://s3.cn-northwest-1.amazonaws.com.cn/a.b/k",
    ],
    [
      "aws-us-gov partition",
      "us-gov-west-1",
      "runs-gov",
      "k",
      "https://runs-gov.s3.us-gov-west-1.amazonaws.com/k",
    ],
    ["aws-iso partition", "us-iso-east-1", "runs-iso", "k", "https://runs-iso.s3.us-iso-east-1.c2s.ic.gov/k"],
  ])("%s", (_case, region, bucket, key, url) => {
    expect(addressUrl(objectAddress(bucket, key, { ...AWS, region }))).toBe(url);
  });

  it.each([
    [true, false, "https://runs.s3-fips.us-east-1.amazonaws.com/k"],
    [false, true, "https://runs.s3.dualstack.us-east-1.amazonaws.com/k"],
    [true, true, "https://runs.s3-fips.dualstack.us-east-1.amazonaws.com/k"],
  ])("FIPS %s, dual-stack %s", (useFips, useDualstack, url) => {
    expect(addressUrl(objectAddress("runs", "k", { region: "us-east-1", useFips, useDualstack }))).toBe(url);
  });

  it.each([
    ["spaces", "runs/r 1/plan a.json", "runs/r%201/plan%20a.json"],
    ["unicode", "runs/ünïcödé/€.json", "runs/%C3%BCn%C3%AFc%C3%B6d%C3%A9/%E2%82%AC.json"],
    ["plus", "runs/a+b.json", "runs/a%2Bb.json"],
    ["equals", "runs/plan=1.json", "runs/plan%3D1.json"],
    ["what encodeURIComponent keeps", "runs/(x)!*'.json", "runs/%28x%29%21%2A%27.json"],
    ["unreserved kept", "runs/A-z_0.9~.json", "runs/A-z_0.9~.json"],
    ["reserved and percent", "a&b;c,d:e@f$g?h#i%j.json", "a%26b%3Bc%2Cd%3Ae%40f%24g%3Fh%23i%25j.json"],
    ["empty segments kept", "a//b/", "a//b/"],
  ])("encodes keys: %s", (_case, key, encoded) => {
    expect(encodeKey(key)).toBe(encoded);
    expect(objectAddress("runs", key, AWS).path).toBe(`/${encoded}`);
    expect(objectAddress("runs", key, { ...AWS, endpoint: "http://localhost:4566" }).path).toBe(
      `/runs/${encoded}`,
    );
  });

  it("gives a configured endpoint's port and scheme", () => {
    expect(objectAddress("b", "k", { ...AWS, endpoint: "http://localhost:4566" })).toEqual({
      protocol: "http:",
      hostname: "localhost",
      port: 4566,
      path: "/b/k",
    });
    expect(objectAddress("b", "k", { ...AWS, endpoint: "https://s3.internal" })).toEqual({
      protocol: "https:",
      hostname: "s3.internal",
      path: "/b/k",
    });
  });

  it("refuses a configured endpoint that is no http(s) URL, or with FIPS or dual-stack", () => {
    const at =
      (endpoint: string, flags = {}) =>
      () =>
        objectAddress("b", "k", { ...AWS, endpoint, ...flags });
    expect(at("localhost:4566")).toThrow(S3ConfigurationError);
    expect(at("not a url")).toThrow("is not a URL");
    expect(at("ftp://localhost")).toThrow("is not an http:// or https:// URL");
    expect(at("http://localhost:4566", { useFips: true })).toThrow(
      /cannot be combined with AWS_USE_FIPS_ENDPOINT/,
    );
    expect(at("http://localhost:4566", { useDualstack: true })).toThrow(S3ConfigurationError);
  });
});

describe("resolveS3Settings", () => {
  it("takes the region from the options, else AWS_REGION, else AWS_DEFAULT_REGION; a provider too", async () => {
    const env = { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "us-west-2" };
    expect((await resolveS3Settings({ region: "ap-south-1" }, env)).region).toBe("ap-south-1");
    expect((await resolveS3Settings({}, env)).region).toBe("eu-west-1");
    expect((await resolveS3Settings({}, { AWS_DEFAULT_REGION: "us-west-2" })).region).toBe("us-west-2");
    expect((await resolveS3Settings({ region: async () => "sa-east-1" }, env)).region).toBe("sa-east-1");
  });

  it("refuses no region and a region that cannot be part of a host name", async () => {
    await expect(resolveS3Settings({}, {})).rejects.toBeInstanceOf(MissingRegionError);
    await expect(resolveS3Settings({ region: " " }, {})).rejects.toBeInstanceOf(MissingRegionError);
    const invalid = await resolveS3Settings({ region: "us_east_1" }, {}).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(InvalidRegionError);
    expect((invalid as Error).message).toContain('"us_east_1" is not a valid region name');
  });

  it("takes the endpoint from the options, else AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL", async () => {
    const region = "us-east-1";
    const env = { AWS_ENDPOINT_URL_S3: "http://s3.local", AWS_ENDPOINT_URL: "http://all.local" };
    expect((await resolveS3Settings({ region, endpoint: "http://mine" }, env)).endpoint).toBe("http://mine");
    expect((await resolveS3Settings({ region }, env)).endpoint).toBe("http://s3.local");
    expect((await resolveS3Settings({ region }, { AWS_ENDPOINT_URL: "http://all.local" })).endpoint).toBe(
      "http://all.local",
    );
    expect((await resolveS3Settings({ region }, {})).endpoint).toBeUndefined();
    const ignored = { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" };
    expect((await resolveS3Settings({ region }, ignored)).endpoint).toBeUndefined();
  });

  it("reads FIPS and dual-stack from the environment, refusing what is not true or false", async () => {
    const on = await resolveS3Settings(
      { region: "us-east-1" },
      { AWS_USE_FIPS_ENDPOINT: "TRUE", AWS_USE_DUALSTACK_ENDPOINT: "true" },
    );
    expect([on.useFips, on.useDualstack]).toEqual([true, true]);
    const off = await resolveS3Settings({ region: "us-east-1" }, { AWS_USE_FIPS_ENDPOINT: "false" });
    expect([off.useFips, off.useDualstack]).toEqual([false, false]);
    await expect(
      resolveS3Settings({ region: "us-east-1" }, { AWS_USE_FIPS_ENDPOINT: "yes" }),
    ).rejects.toThrow('AWS_USE_FIPS_ENDPOINT must be "true" or "false", not "yes"');
  });

  it("takes max attempts from the options, else AWS_MAX_ATTEMPTS, else the product's default", async () => {
    const region = "us-east-1";
    expect((await resolveS3Settings({ region, maxAttempts: 2 }, { AWS_MAX_ATTEMPTS: "5" })).maxAttempts).toBe(
      2,
    );
    expect((await resolveS3Settings({ region }, { AWS_MAX_ATTEMPTS: "5" })).maxAttempts).toBe(5);
    expect((await resolveS3Settings({ region }, {})).maxAttempts).toBe(DEFAULT_MAX_ATTEMPTS);
    await expect(resolveS3Settings({ region }, { AWS_MAX_ATTEMPTS: "0" })).rejects.toBeInstanceOf(
      S3ConfigurationError,
    );
    await expect(resolveS3Settings({ region, maxAttempts: 1.5 }, {})).rejects.toThrow("whole number");
  });
});

describe("S3 object client over the wire (local server)", () => {
  let server: LocalS3 | undefined;
  let client: S3Objects | undefined;

  afterEach(async () => {
    client?.destroy();
    await server?.close();
    server = undefined;
    client = undefined;
  });

  async function serve(
    reply: (n: number) => Reply,
    maxAttempts = 8,
  ): Promise<{ s3: S3Objects; local: LocalS3 }> {
    const local = await startLocalS3((_request, n) => reply(n));
    server = local;
    client = createS3Objects(
      { endpoint: local.endpoint, region: "eu-west-1", credentials: CREDENTIALS, maxAttempts },
      {},
    );
    return { s3: client, local };
  }

  const ok = (body = '{"ok":true}'): Reply => ({
    status: 200,
    headers: { "x-amz-request-id": "REQ-OK", "x-amz-id-2": "EXT-OK" },
    body,
  });
  const failure = (status: number, code: string, message: string): Reply => ({
    status,
    headers: { "x-amz-request-id": `REQ-${status}`, "content-type": "application/xml" },
    body: s3ErrorXml(code, message),
  });

  it("puts the JSON text with its content type and length, path-style under the endpoint", async () => {
    const { s3, local } = await serve(() => ok(""));
    const body = JSON.stringify({ runId: "r1", note: "ünïcödé" });
    const out = await s3.putObject({
      Bucket: "runs",
      Key: "team/r 1/plan+1.json",
      Body: body,
      ContentType: "application/json",
    });

    expect(out.$metadata).toEqual({
      httpStatusCode: 200,
      requestId: "REQ-OK",
      extendedRequestId: "EXT-OK",
      attempts: 1,
    });
    const request = only(local.requests);
    expect(request.method).toBe("PUT");
    expect(request.url).toBe("/runs/team/r%201/plan%2B1.json");
    expect(request.body.toString("utf8")).toBe(body);
    expect(header(request, "content-type")).toBe("application/json");
    expect(header(request, "content-length")).toBe(String(Buffer.byteLength(body)));
    expect(header(request, "host")).toBe(`127.0.0.1:${local.port}`);
  });

  it("gets an object's text", async () => {
    const { s3, local } = await serve(() => ok('{"a":"é"}'));
    const out = await s3.getObject({ Bucket: "runs", Key: "a/b.json" });
    expect(out.Body).toBe('{"a":"é"}');
    expect(out.$metadata.attempts).toBe(1);
    expect(local.requests.map((r) => [r.method, r.url, r.body.length])).toEqual([
      ["GET", "/runs/a/b.json", 0],
    ]);
  });

  it("retries 503 SlowDown and succeeds on the third attempt", async () => {
    const { s3, local } = await serve((n) =>
      n <= 2 ? failure(503, "SlowDown", "Please reduce your request rate.") : ok(),
    );
    const out = await s3.getObject({ Bucket: "runs", Key: "k" });
    expect(out.Body).toBe('{"ok":true}');
    expect(out.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 3 });
    expect(local.requests).toHaveLength(3);
  });

  it.each([
    [429, "TooManyRequests"],
    [500, "InternalError"],
    [502, "BadGateway"],
    [503, "ServiceUnavailable"],
    [504, "GatewayTimeout"],
    [400, "RequestTimeout"],
  ])("retries HTTP %s %s", async (status, code) => {
    const { s3, local } = await serve((n) => (n === 1 ? failure(status, code, "try again") : ok()));
    expect(
      (await s3.putObject({ Bucket: "b", Key: "k", Body: "{}", ContentType: "application/json" })).$metadata
        .attempts,
    ).toBe(2);
    expect(local.requests).toHaveLength(2);
  });

  it("retries a connection closed without an answer", async () => {
    const { s3, local } = await serve((n) => (n === 1 ? "hang-up" : ok()));
    expect((await s3.getObject({ Bucket: "b", Key: "k" })).$metadata.attempts).toBe(2);
    expect(local.requests).toHaveLength(2);
  });

  it("does not retry 403 AccessDenied: S3's code, decoded message and status, one attempt", async () => {
    const { s3, local } = await serve(() =>
      failure(
        403,
        "AccessDenied",
        "User &apos;arn:aws:sts::1:assumed-role/r&amp;d&apos; &lt;denied&gt; &#233;&#x2713;",
      ),
    );
    const error = await s3.getObject({ Bucket: "b", Key: "k" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3ServiceError);
    const e = error as S3ServiceError;
    expect(e.name).toBe("AccessDenied");
    expect(e.message).toBe("User 'arn:aws:sts::1:assumed-role/r&d' <denied> é✓");
    expect(e.$metadata).toEqual({ httpStatusCode: 403, requestId: "REQ-403", attempts: 1 });
    expect(e.$fault).toBe("client");
    expect(local.requests).toHaveLength(1);
  });

  it.each([
    [404, "NoSuchKey"],
    [404, "NoSuchBucket"],
    [400, "InvalidArgument"],
    [400, "ExpiredToken"],
  ])("does not retry %s %s", async (status, code) => {
    const { s3, local } = await serve(() => failure(status, code, "no"));
    await expect(s3.getObject({ Bucket: "b", Key: "k" })).rejects.toMatchObject({
      name: code,
      $metadata: { httpStatusCode: status, attempts: 1 },
    });
    expect(local.requests).toHaveLength(1);
  });

  it("gives up after maxAttempts with the last error", async () => {
    const { s3, local } = await serve((n) => failure(500, "InternalError", `attempt ${n} failed`), 3);
    const error = await s3
      .putObject({ Bucket: "b", Key: "k", Body: "{}", ContentType: "application/json" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3ServiceError);
    expect((error as S3ServiceError).message).toBe("attempt 3 failed");
    expect((error as S3ServiceError).$metadata).toEqual({
      httpStatusCode: 500,
      requestId: "REQ-500",
      attempts: 3,
    });
    expect((error as S3ServiceError).$fault).toBe("server");
    expect(local.requests).toHaveLength(3);
  });

  it("gives up on a connection that keeps closing with the network error and its attempts", async () => {
    const { s3, local } = await serve(() => "hang-up", 2);
    const error = await s3.getObject({ Bucket: "b", Key: "k" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ECONNRESET", $metadata: { attempts: 2 } });
    expect(local.requests).toHaveLength(2);
  });

  it("times out a silent connection, retries it, and gives up with TimeoutError", async () => {
    const local = await startLocalS3(() => "silent");
    server = local;
    client = createS3Objects(
      {
        endpoint: local.endpoint,
        region: "eu-west-1",
        credentials: CREDENTIALS,
        maxAttempts: 2,
        timeouts: { connectionTimeout: 1_000, socketTimeout: 150 },
      },
      {},
    );
    const error = await client.getObject({ Bucket: "b", Key: "k" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "TimeoutError", $metadata: { attempts: 2 } });
    expect(local.requests).toHaveLength(2);
  });

  it("names a 404 without a body NotFound, and an error without a code by its status", async () => {
    const { s3 } = await serve(
      (n) => (n === 1 ? { status: 404 } : { status: 409, body: "<html>conflict</html>" }),
      1,
    );
    await expect(s3.getObject({ Bucket: "b", Key: "k" })).rejects.toMatchObject({
      name: "NotFound",
      message: "S3 answered 404 Not Found",
      $metadata: { httpStatusCode: 404, attempts: 1 },
    });
    await expect(s3.getObject({ Bucket: "b", Key: "k" })).rejects.toMatchObject({
      name: "Http409",
      message: "S3 answered 409 Conflict",
    });
  });

  it("under the run store: NoSuchKey and a bodiless 404 are StoredDocumentMissingError, NoSuchBucket is not", async () => {
    const answers: Reply[] = [
      failure(404, "NoSuchKey", "The specified key does not exist."),
      { status: 404 },
      failure(404, "NoSuchBucket", "The specified bucket does not exist"),
    ];
    const { s3 } = await serve((n) => answers[n - 1] ?? ok());
    const store = createS3RunStore({ s3, bucket: "runs" });
    const ref = { Bucket: "runs", Key: "runs/r1/report.json" };
    await expect(store.get(ref)).rejects.toBeInstanceOf(StoredDocumentMissingError);
    await expect(store.get(ref)).rejects.toBeInstanceOf(StoredDocumentMissingError);
    const noBucket = await store.get(ref).catch((e: unknown) => e);
    expect(noBucket).toBeInstanceOf(S3ServiceError);
    expect((noBucket as Error).name).toBe("NoSuchBucket");
    expect((noBucket as Error).message).toBe("The specified bucket does not exist");
  });

  it("asks the credentials provider, and sends no token header without a session token", async () => {
    const local = await startLocalS3(() => ok());
    server = local;
    let asked = 0;
    client = createS3Objects(
      {
        endpoint: local.endpoint,
        region: "eu-west-1",
        credentials: async () => {
          asked++;
          return CREDENTIALS;
        },
      },
      {},
    );
    await client.getObject({ Bucket: "b", Key: "k" });
    expect(asked).toBeGreaterThan(0);
    const request = only(local.requests);
    expect(header(request, "authorization")).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
    expect(header(request, "x-amz-security-token")).toBeUndefined();
  });

  it("makes no call with a configuration S3 cannot be called with", async () => {
    const local = await startLocalS3(() => ok());
    server = local;
    client = createS3Objects({ credentials: CREDENTIALS }, {});
    await expect(client.getObject({ Bucket: "b", Key: "k" })).rejects.toBeInstanceOf(MissingRegionError);
    const fips = createS3Objects(
      { endpoint: local.endpoint, region: "us-east-1", credentials: CREDENTIALS },
      { AWS_USE_FIPS_ENDPOINT: "true" },
    );
    await expect(fips.getObject({ Bucket: "b", Key: "k" })).rejects.toBeInstanceOf(S3ConfigurationError);
    fips.destroy();
    expect(local.requests).toHaveLength(0);
  });
});
