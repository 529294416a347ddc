/**
 * The S3 object client's SigV4 signatures, checked by an independent verifier written here from
 * AWS's documented algorithm for S3 (node:crypto only): the canonical request from the method, the
 * URI path exactly as sent (S3 does not encode it twice), the canonical query, the values of the
 * SignedHeaders and the x-amz-content-sha256 payload hash; the string to sign; the signing key
 * chain. The verifier is first shown right: it accepts the requests the SDK's own S3Client sends
 * for GetObject and PutObject to a capturing local server, and rejects them once tampered with.
 * Then it accepts the requests the product's client sends, for keys with special characters, by
 * path under an endpoint and virtual-hosted (the virtual host's requests are sent to the same
 * local server with their Host header kept).
 */
import { createHash, createHmac } from "node:crypto";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { HttpRequest } from "@smithy/core/transport";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Objects, encodeKey, type S3HttpHandler } from "../../../src/aws/s3-objects";
import {
  type CapturedRequest,
  header,
  headerValues,
  type LocalS3,
  type Reply,
  startLocalS3,
} from "./s3-server";

const CREDENTIALS = {
  accessKeyId: "AKIDVERIFY",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "session/token+with=odd&chars",
};
const REGION = "eu-west-1";

function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** RFC 3986 encoding: everything but A-Z a-z 0-9 - _ . ~ percent-encoded, upper-case hex. */
function uriEncode(value: string): string {
  return [...Buffer.from(value, "utf8")]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
}

function canonicalQuery(query: string): string {
  if (query === "") return "";
  return query
    .split("&")
    .map((pair) => {
      const at = pair.indexOf("=");
      const [name, value] = at < 0 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
      return [uriEncode(decodeURIComponent(name)), uriEncode(decodeURIComponent(value))] as const;
    })
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

interface Verdict {
  ok: boolean;
  reason: string;
  signedHeaders: string[];
  canonicalUri: string;
}

/** Whether `request` carries a valid SigV4 signature for S3 made with `secretAccessKey`. */
function verifySigV4(request: CapturedRequest, accessKeyId: string, secretAccessKey: string): Verdict {
  const reject = (reason: string, signedHeaders: string[] = [], canonicalUri = ""): Verdict => ({
    ok: false,
    reason,
    signedHeaders,
    canonicalUri,
  });
  const authorization = header(request, "authorization") ?? "";
  const auth =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!auth) return reject(`no SigV4 authorization header: ${authorization}`);
  const [, keyId, date, region, service, signedHeaderList = "", signature] = auth;
  if (keyId !== accessKeyId) return reject(`signed with access key ${keyId}`);
  if (service !== "s3") return reject(`signed for service ${service}`);
  const signedHeaders = signedHeaderList.split(";");
  if ([...signedHeaders].sort().join(";") !== signedHeaderList) return reject("SignedHeaders not sorted");
  for (const required of ["host", "x-amz-date", "x-amz-content-sha256"]) {
    if (!signedHeaders.includes(required)) return reject(`${required} not signed`, signedHeaders);
  }
  if (
    headerValues(request, "x-amz-security-token").length > 0 &&
    !signedHeaders.includes("x-amz-security-token")
  ) {
    return reject("the session token is not signed", signedHeaders);
  }
  const amzDate = header(request, "x-amz-date") ?? "";
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) {
    return reject(`x-amz-date ${amzDate} does not match the scope's date ${date}`, signedHeaders);
  }

  const [path = "", query = ""] = request.url.split("?", 2) as [string, string?];
  // S3: the canonical URI is the path as sent, each segment encoded once. A path not in that form
  // (a reserved character left bare) would be read by S3 as another path than the one signed.
  const reencoded = path
    .split("/")
    .map((segment) => uriEncode(decodeURIComponent(segment)))
    .join("/");
  if (reencoded !== path)
    return reject(`path ${path} is not RFC 3986-encoded (${reencoded})`, signedHeaders, path);

  const payloadHash = header(request, "x-amz-content-sha256") ?? "";
  if (/^[0-9a-f]{64}$/.test(payloadHash)) {
    if (payloadHash !== sha256Hex(request.body))
      return reject("the body does not match its hash", signedHeaders, path);
  } else if (payloadHash !== "UNSIGNED-PAYLOAD" && !payloadHash.startsWith("STREAMING-")) {
    return reject(`x-amz-content-sha256 ${payloadHash} is no payload hash`, signedHeaders, path);
  }

  const canonicalHeaders: string[] = [];
  for (const name of signedHeaders) {
    const values = headerValues(request, name);
    if (values.length === 0) return reject(`signed header ${name} was not sent`, signedHeaders, path);
    canonicalHeaders.push(`${name}:${values.map((v) => v.trim().replace(/\s+/g, " ")).join(",")}\n`);
  }
  const canonicalRequest = [
    request.method,
    path,
    canonicalQuery(query),
    canonicalHeaders.join(""),
    signedHeaderList,
    payloadHash,
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${secretAccessKey}`, date ?? ""), region ?? ""), service),
    "aws4_request",
  );
  const expected = hmac(signingKey, stringToSign).toString("hex");
  return expected === signature
    ? { ok: true, reason: "", signedHeaders, canonicalUri: path }
    : reject("signature mismatch", signedHeaders, path);
}

const verify = (request: CapturedRequest) =>
  verifySigV4(request, CREDENTIALS.accessKeyId, CREDENTIALS.secretAccessKey);

/** The same request with one thing changed. */
function tampered(request: CapturedRequest, change: Partial<CapturedRequest>): CapturedRequest {
  return { ...request, rawHeaders: [...request.rawHeaders], ...change };
}

function withHeader(request: CapturedRequest, name: string, value: string): CapturedRequest {
  const rawHeaders = [...request.rawHeaders];
  const at = rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === name);
  rawHeaders[at + 1] = value;
  return { ...request, rawHeaders };
}

const KEYS = [
  "runs/r1/plan.json",
  "team a/runs/r 1/phase-1/actions.json",
  "runs/ünïcödé/€ 100%.json",
  "runs/a+b=c&d;e,f:g@h$i/(x)!*'~.json",
  "runs//double/slash.json",
];
const DOCUMENT = JSON.stringify({ runId: "r1", note: "ünïcödé ✓" });

let local: LocalS3;

beforeAll(async () => {
  local = await startLocalS3(
    (request): Reply =>
      request.method === "GET"
        ? { status: 200, headers: { "content-type": "application/json" }, body: DOCUMENT }
        : { status: 200, headers: { etag: '"e"' } },
  );
});

afterAll(() => local.close());

/** Sends `run`'s requests and returns the ones the local server received meanwhile. */
async function captured(run: () => Promise<unknown>): Promise<CapturedRequest[]> {
  const before = local.requests.length;
  await run();
  return local.requests.slice(before);
}

describe("the SigV4 verifier", () => {
  const sdk = () =>
    new S3Client({
      region: REGION,
      endpoint: local.endpoint,
      forcePathStyle: true,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });

  it("accepts the SDK S3Client's GetObject and PutObject, keys with special characters included", async () => {
    const client = sdk();
    const requests = await captured(async () => {
      for (const key of KEYS) {
        await client.send(
          new PutObjectCommand({ Bucket: "runs", Key: key, Body: DOCUMENT, ContentType: "application/json" }),
        );
        const got = await client.send(new GetObjectCommand({ Bucket: "runs", Key: key }));
        await got.Body?.transformToString();
      }
    });
    client.destroy();

    expect(requests.map((r) => r.method)).toEqual(KEYS.flatMap(() => ["PUT", "GET"]));
    for (const request of requests) {
      const verdict = verify(request);
      expect(verdict.reason, `${request.method} ${request.url}`).toBe("");
      expect(verdict.ok).toBe(true);
      expect(verdict.signedHeaders).toContain("x-amz-security-token");
    }
    // The SDK sends each key encoded once (RFC 3986) under the bucket: the verifier's canonical URI.
    expect(requests.map((r) => verify(r).canonicalUri)).toEqual(
      KEYS.flatMap((k) => [`/runs/${encodeKey(k)}`, `/runs/${encodeKey(k)}`]),
    );
  });

  it("rejects an SDK request once its path, a signed header, its body, its query or the key is changed", async () => {
    const client = sdk();
    const [put] = await captured(() =>
      client.send(
        new PutObjectCommand({
          Bucket: "runs",
          Key: KEYS[1],
          Body: DOCUMENT,
          ContentType: "application/json",
        }),
      ),
    );
    client.destroy();
    if (!put) throw new Error("no request captured");
    expect(verify(put).ok).toBe(true);

    const [path, query = ""] = put.url.split("?");
    const changes: [string, CapturedRequest][] = [
      ["another key", tampered(put, { url: `${path}x${query ? `?${query}` : ""}` })],
      ["a query parameter added", tampered(put, { url: `${path}?${query ? `${query}&` : ""}versionId=1` })],
      ["another body", tampered(put, { body: Buffer.from(DOCUMENT.replace("r1", "r2")) })],
      ["another content type", withHeader(put, "content-type", "text/plain")],
      ["another session token", withHeader(put, "x-amz-security-token", "other")],
      [
        "another date",
        withHeader(
          put,
          "x-amz-date",
          // One second later or earlier, the same day.
          (header(put, "x-amz-date") ?? "").replace(
            /(\d)Z$/,
            (_z, d: string) => `${d === "0" ? 1 : Number(d) - 1}Z`,
          ),
        ),
      ],
      ["another host", withHeader(put, "host", "evil.example.com")],
    ];
    for (const [what, request] of changes) {
      expect(request, what).not.toEqual(put);
      expect(verify(request).ok, what).toBe(false);
    }
    expect(verifySigV4(put, CREDENTIALS.accessKeyId, "another-secret").ok).toBe(false);
    expect(verifySigV4(put, "AKIDOTHER", CREDENTIALS.secretAccessKey).ok).toBe(false);
  });
});

/**
 * Sends each signed request to the local server instead of the host it names, its Host header
 * (signed) kept: what a virtual-hosted request puts on the wire.
 */
function toLocalServer(): S3HttpHandler & { hosts: string[] } {
  const http = new NodeHttpHandler();
  const hosts: string[] = [];
  return {
    hosts,
    handle(request) {
      hosts.push(request.hostname);
      return http.handle(
        new HttpRequest({ ...request, protocol: "http:", hostname: "127.0.0.1", port: local.port }),
      );
    },
    destroy: () => http.destroy(),
  };
}

describe("the product's S3 object client", () => {
  it("signs GetObject and PutObject by path under an endpoint, for keys with special characters", async () => {
    const s3 = createS3Objects(
      { endpoint: local.endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 },
      {},
    );
    const requests = await captured(async () => {
      for (const key of KEYS) {
        await s3.putObject({ Bucket: "runs", Key: key, Body: DOCUMENT, ContentType: "application/json" });
        expect((await s3.getObject({ Bucket: "runs", Key: key })).Body).toBe(DOCUMENT);
      }
    });
    s3.destroy();

    expect(requests).toHaveLength(KEYS.length * 2);
    for (const request of requests) {
      const verdict = verify(request);
      expect(verdict.reason, `${request.method} ${request.url}`).toBe("");
      expect(verdict.ok).toBe(true);
      expect(verdict.signedHeaders).toEqual(
        expect.arrayContaining(["host", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"]),
      );
      expect(header(request, "x-amz-security-token")).toBe(CREDENTIALS.sessionToken);
      // The payload hash is the real one (no UNSIGNED-PAYLOAD), the empty body's for GetObject.
      expect(header(request, "x-amz-content-sha256")).toBe(sha256Hex(request.body));
    }
    const puts = requests.filter((r) => r.method === "PUT");
    for (const put of puts) {
      expect(verify(put).signedHeaders).toEqual(expect.arrayContaining(["content-length", "content-type"]));
      expect(put.body.toString("utf8")).toBe(DOCUMENT);
    }
    expect(puts.map((r) => r.url)).toEqual(KEYS.map((k) => `/runs/${encodeKey(k)}`));
  });

  it("signs virtual-hosted requests (bucket in the Host header) and dotted buckets by path", async () => {
    const handler = toLocalServer();
    const s3 = createS3Objects(
      { region: REGION, credentials: CREDENTIALS, maxAttempts: 1, httpHandler: handler },
      {},
    );
    const requests = await captured(async () => {
      for (const key of KEYS) {
        await s3.putObject({
          Bucket: "efs-reconciler-runs",
          Key: key,
          Body: DOCUMENT,
          ContentType: "application/json",
        });
        await s3.getObject({ Bucket: "efs-reconciler-runs", Key: key });
      }
      await s3.getObject({ Bucket: "runs.example.com", Key: KEYS[2] ?? "" });
    });
    s3.destroy();

    expect(handler.hosts).toEqual([
      ...KEYS.flatMap(() => [
        "efs-reconciler-runs.s3.eu-west-1.amazonaws.com",
        "efs-reconciler-runs.s3.eu-west-1.amazonaws.com",
      ]),
      "s3.eu-west-1.amazonaws.com",
    ]);
    for (const request of requests) {
      const verdict = verify(request);
      expect(verdict.reason, `${request.method} ${request.url}`).toBe("");
      expect(verdict.ok).toBe(true);
    }
    expect(requests.slice(0, -1).map((r) => [header(r, "host"), r.url])).toEqual(
      KEYS.flatMap((k) => [
        ["efs-reconciler-runs.s3.eu-west-1.amazonaws.com", `/${encodeKey(k)}`],
        ["efs-reconciler-runs.s3.eu-west-1.amazonaws.com", `/${encodeKey(k)}`],
      ]),
    );
    const dotted = requests.at(-1);
    expect(dotted && [header(dotted, "host"), dotted.url]).toEqual([
      "s3.eu-west-1.amazonaws.com",
      `/runs.example.com/${encodeKey(KEYS[2] ?? "")}`,
    ]);
  });
});
