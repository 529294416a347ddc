/**
 * A small S3 client for the two calls the run store makes: PutObject of a JSON document and
 * GetObject of one. It is built from the pieces every AWS SDK client of the product already
 * bundles (the SigV4 signer, the Node HTTP handler, the SHA-256 hash, the partition table), so a
 * function that stores run documents does not carry the whole S3 client (its endpoint rules,
 * flexible checksums, S3 middleware and XML serializer).
 *
 * What it does, as the SDK's S3 client does it:
 * - Endpoint: a configured one (`endpoint`, else `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`,
 *   unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`) addresses buckets by path,
 *   `{endpoint}/{bucket}/{key}`. Otherwise a bucket whose name is one DNS label is addressed by
 *   host (`https://{bucket}.s3.{region}.{dnsSuffix}/{key}`), other names by path
 *   (`https://s3.{region}.{dnsSuffix}/{bucket}/{key}`), the DNS suffix being the region's
 *   partition's (amazonaws.com, amazonaws.com.cn, …). `AWS_USE_FIPS_ENDPOINT=true` and
 *   `AWS_USE_DUALSTACK_ENDPOINT=true` select `s3-fips.` and `s3.dualstack.` hosts; with a
 *   configured endpoint they are refused, as the SDK refuses them.
 * - Signing: SigV4 for service `s3`, the path signed as sent (not encoded twice), the payload's
 *   SHA-256 in `x-amz-content-sha256`, the session token in `x-amz-security-token`.
 * - Retries: `maxAttempts` attempts in all (else `AWS_MAX_ATTEMPTS`, else DEFAULT_MAX_ATTEMPTS),
 *   exponential backoff with full jitter, on network errors, HTTP 429/500/502/503/504 and S3's
 *   SlowDown, RequestTimeout, InternalError and ServiceUnavailable; never on other client errors
 *   (AccessDenied, NoSuchKey, NoSuchBucket…).
 * - Errors: S3's XML error body becomes an `S3ServiceError` named by S3's code, with S3's message
 *   and `$metadata` (`httpStatusCode`, `requestId`, `extendedRequestId`, `attempts`): what the
 *   product reads from the SDK's errors. A 404 without a body is named `NotFound`.
 *
 * Not read, unlike the SDK: the endpoint, FIPS, dual-stack and max-attempts settings of a
 * profile's config file (only the environment's); credentials come from the SDK's own chain
 * (`defaultProvider`, with `profile`), and a region from the options or the environment.
 */
import { STATUS_CODES } from "node:http";
import { isVirtualHostableS3Bucket, partition } from "@aws-sdk/core/client";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest, isValidHostLabel } from "@smithy/core/transport";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { SignatureV4 } from "@smithy/signature-v4";
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  HttpRequest as SignedRequest,
} from "@smithy/types";
import { DEFAULT_MAX_ATTEMPTS, InvalidRegionError, MissingRegionError } from "./clients";
import { NETWORK_ERROR_CODES } from "./errors";
import { HTTP_TIMEOUTS, type HttpTimeouts } from "./http-timeouts";

export interface S3ObjectsOptions {
  /** The region of the buckets (a provider is asked on the first call); default AWS_REGION, else AWS_DEFAULT_REGION. */
  region?: string | (() => Promise<string>);
  /** Sends every call here, buckets addressed by path (a local emulator). */
  endpoint?: string;
  /** Total attempts per call, first one included. */
  maxAttempts?: number;
  /** The named profile of the SDK's credential chain. */
  profile?: string;
  /** Static credentials or a provider; default: the SDK's credential chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Sends the signed requests; default: the SDK's Node HTTP handler, with `timeouts`. */
  httpHandler?: S3HttpHandler;
  /** Connection and idle-socket timeouts of the default handler; default HTTP_TIMEOUTS. */
  timeouts?: HttpTimeouts;
}

/** What sends a signed request and answers with S3's response (its body a stream, or none). */
export interface S3HttpHandler {
  handle(request: SignedRequest): Promise<{
    response: { statusCode: number; headers: Record<string, string | undefined>; body?: unknown };
  }>;
  destroy?(): void;
}

/** What S3 said about a call, like the SDK's `$metadata`. */
export interface S3Metadata {
  httpStatusCode?: number;
  /** `x-amz-request-id`. */
  requestId?: string;
  /** `x-amz-id-2`. */
  extendedRequestId?: string;
  /** Attempts made for this call (1 = no retry). */
  attempts: number;
}

export interface ObjectInput {
  Bucket: string;
  Key: string;
}

export interface PutObjectInput extends ObjectInput {
  /** The document's text, sent as UTF-8. */
  Body: string;
  ContentType: string;
}

export interface S3Objects {
  putObject(input: PutObjectInput): Promise<{ $metadata: S3Metadata }>;
  /** The object's content as UTF-8 text (empty for an empty object). */
  getObject(input: ObjectInput): Promise<{ Body: string; $metadata: S3Metadata }>;
  /** Releases the connections kept open. */
  destroy(): void;
}

/** An error S3 answered with: named by S3's error code, with S3's message. */
export class S3ServiceError extends Error {
  readonly $fault: "client" | "server";
  readonly $metadata: S3Metadata;
  constructor(name: string, message: string, metadata: S3Metadata) {
    super(message);
    this.name = name;
    this.$metadata = metadata;
    this.$fault = (metadata.httpStatusCode ?? 500) >= 500 ? "server" : "client";
  }
}

/** A configuration S3 cannot be called with (endpoint, FIPS, dual-stack, max attempts). */
export class S3ConfigurationError extends Error {
  override name = "S3ConfigurationError";
}

/** How the calls reach S3: region, endpoint and the environment's switches. */
export interface S3Addressing {
  region: string;
  /** A configured endpoint: buckets are addressed by path under it. */
  endpoint?: string;
  useFips: boolean;
  useDualstack: boolean;
}

export interface S3Settings extends S3Addressing {
  maxAttempts: number;
}

/** Where one object's request goes. */
export interface ObjectAddress {
  protocol: "http:" | "https:";
  hostname: string;
  port?: number;
  /** The path as sent and as signed: each key segment percent-encoded (RFC 3986), `/` kept. */
  path: string;
}

/** Percent-encodes all but RFC 3986's unreserved characters (encodeURIComponent keeps `!'()*`). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** An object key as a URI path: each `/`-separated segment encoded, the `/` kept. */
export function encodeKey(key: string): string {
  return key.split("/").map(encodeSegment).join("/");
}

/** Where a request for `bucket`/`key` goes: a configured endpoint by path, else AWS's S3 host. */
export function objectAddress(bucket: string, key: string, addressing: S3Addressing): ObjectAddress {
  const object = encodeKey(key);
  if (addressing.endpoint !== undefined) {
    const url = configuredEndpoint(addressing);
    const base = url.pathname.endsWith("/") ? url.pathname : `${url.pathname}/`;
    return {
      protocol: url.protocol === "http:" ? "http:" : "https:",
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: `${base}${encodeSegment(bucket)}/${object}`,
    };
  }
  const { region, useFips, useDualstack } = addressing;
  const regionPartition = partition(region);
  if (useFips && !regionPartition.supportsFIPS) {
    throw new S3ConfigurationError(`S3 has no FIPS endpoint in ${region} (AWS_USE_FIPS_ENDPOINT)`);
  }
  if (useDualstack && !regionPartition.supportsDualStack) {
    throw new S3ConfigurationError(`S3 has no dual-stack endpoint in ${region} (AWS_USE_DUALSTACK_ENDPOINT)`);
  }
  const service = `s3${useFips ? "-fips" : ""}${useDualstack ? ".dualstack" : ""}`;
  const host = `${service}.${region}.${regionPartition.dnsSuffix}`;
  // A bucket name with dots, or that is no DNS label, is addressed by path (TLS certificates
  // match one label only).
  return isVirtualHostableS3Bucket(bucket, false)
    ? { protocol: "https:", hostname: `${bucket}.${host}`, path: `/${object}` }
    : { protocol: "https:", hostname: host, path: `/${encodeSegment(bucket)}/${object}` };
}

function configuredEndpoint(addressing: S3Addressing): URL {
  const endpoint = addressing.endpoint ?? "";
  if (addressing.useFips || addressing.useDualstack) {
    throw new S3ConfigurationError(
      `an S3 endpoint (${endpoint}) cannot be combined with AWS_USE_FIPS_ENDPOINT or AWS_USE_DUALSTACK_ENDPOINT: unset them, or the endpoint`,
    );
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new S3ConfigurationError(`the S3 endpoint ${endpoint} is not a URL (e.g. http://localhost:4566)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new S3ConfigurationError(`the S3 endpoint ${endpoint} is not an http:// or https:// URL`);
  }
  return url;
}

type Env = Record<string, string | undefined>;

/** An environment switch the SDK reads as a boolean ("true" or "false", in upper or lower case). */
function envFlag(env: Env, name: string): boolean {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === "" || value === "false") return false;
  if (value === "true") return true;
  throw new S3ConfigurationError(`${name} must be "true" or "false", not "${env[name]}"`);
}

function maxAttemptsOf(options: S3ObjectsOptions, env: Env): number {
  if (options.maxAttempts !== undefined) {
    if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
      throw new S3ConfigurationError(`maxAttempts must be a whole number ≥ 1, not ${options.maxAttempts}`);
    }
    return options.maxAttempts;
  }
  const fromEnv = env.AWS_MAX_ATTEMPTS?.trim();
  if (!fromEnv) return DEFAULT_MAX_ATTEMPTS;
  const n = Number(fromEnv);
  if (!Number.isInteger(n) || n < 1) {
    throw new S3ConfigurationError(`AWS_MAX_ATTEMPTS must be a whole number ≥ 1, not "${fromEnv}"`);
  }
  return n;
}

/** The configured endpoint: the option, else AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL. */
function endpointOf(options: S3ObjectsOptions, env: Env): string | undefined {
  if (options.endpoint) return options.endpoint;
  if (envFlag(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) return undefined;
  return env.AWS_ENDPOINT_URL_S3?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
}

async function regionOf(options: S3ObjectsOptions, env: Env): Promise<string> {
  const configured =
    typeof options.region === "function"
      ? await options.region()
      : (options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION);
  const region = configured?.trim();
  if (!region) throw new MissingRegionError();
  if (!isValidHostLabel(region)) throw new InvalidRegionError(region);
  return region;
}

/** The region, endpoint, switches and attempts of a client: its options, else the environment. */
export async function resolveS3Settings(options: S3ObjectsOptions, env: Env): Promise<S3Settings> {
  const endpoint = endpointOf(options, env);
  return {
    region: await regionOf(options, env),
    ...(endpoint ? { endpoint } : {}),
    useFips: envFlag(env, "AWS_USE_FIPS_ENDPOINT"),
    useDualstack: envFlag(env, "AWS_USE_DUALSTACK_ENDPOINT"),
    maxAttempts: maxAttemptsOf(options, env),
  };
}

/** Codes S3 answers a request with that the same request may not get again. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  "SlowDown",
  "RequestTimeout",
  "InternalError",
  "ServiceUnavailable",
]);
const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 20_000;

/** Full jitter: a random wait up to the exponential backoff of the attempt that failed. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isNetworkError(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown } | null;
  return (
    e?.name === "TimeoutError" ||
    (typeof e?.code === "string" && NETWORK_ERROR_CODES.has(e.code)) ||
    (typeof e?.name === "string" && NETWORK_ERROR_CODES.has(e.name))
  );
}

function isRetryable(error: S3ServiceError): boolean {
  return RETRYABLE_STATUS.has(error.$metadata.httpStatusCode ?? 0) || RETRYABLE_CODES.has(error.name);
}

const XML_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (entity, name: string) => {
    if (name.startsWith("#x")) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return XML_ENTITIES[name] ?? entity;
  });
}

function xmlElement(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match?.[1] === undefined ? undefined : decodeXml(match[1]);
}

/** S3's `<Error><Code>…</Code><Message>…</Message></Error>` answer as an error. */
function s3ErrorOf(statusCode: number, body: string, metadata: S3Metadata): S3ServiceError {
  const code = xmlElement(body, "Code");
  const message = xmlElement(body, "Message");
  const status = `${statusCode} ${STATUS_CODES[statusCode] ?? ""}`.trim();
  const name = code || (statusCode === 404 ? "NotFound" : `Http${statusCode}`);
  return new S3ServiceError(name, message || `S3 answered ${status}`, metadata);
}

async function readBody(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body !== "object" || !(Symbol.asyncIterator in body)) {
    throw new TypeError("S3's response body is not a stream");
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

interface Answer {
  body: Buffer;
  $metadata: S3Metadata;
}

type Outcome = Answer | { error: unknown; retryable: boolean };

interface ObjectRequest {
  method: "GET" | "PUT";
  bucket: string;
  key: string;
  content?: { body: Buffer; type: string };
}

/** An S3 client for PutObject and GetObject, configured like every AWS client of the product. */
export function createS3Objects(options: S3ObjectsOptions = {}, env: Env = process.env): S3Objects {
  const handler: S3HttpHandler =
    options.httpHandler ?? new NodeHttpHandler(options.timeouts ?? HTTP_TIMEOUTS);
  const credentials =
    options.credentials ?? defaultProvider(options.profile ? { profile: options.profile } : {});
  let ready: Promise<{ settings: S3Settings; signer: SignatureV4 }> | undefined;
  const setup = () => {
    ready ??= resolveS3Settings(options, env).then((settings) => ({
      settings,
      signer: new SignatureV4({
        service: "s3",
        region: settings.region,
        credentials,
        sha256: Sha256,
        uriEscapePath: false,
        applyChecksum: true,
      }),
    }));
    return ready;
  };

  async function attempt(request: ObjectRequest, attempts: number): Promise<Outcome> {
    const { settings, signer } = await setup();
    const address = objectAddress(request.bucket, request.key, settings);
    const headers: Record<string, string> = {
      host: address.port === undefined ? address.hostname : `${address.hostname}:${address.port}`,
    };
    if (request.content) {
      headers["content-type"] = request.content.type;
      headers["content-length"] = String(request.content.body.length);
    }
    const signed = await signer.sign(
      new HttpRequest({
        method: request.method,
        ...address,
        query: {},
        headers,
        body: request.content?.body,
      }),
    );
    let response: Awaited<ReturnType<S3HttpHandler["handle"]>>["response"];
    let body: Buffer;
    try {
      ({ response } = await handler.handle(signed));
      body = await readBody(response.body);
    } catch (error) {
      return { error, retryable: isNetworkError(error) };
    }
    const $metadata: S3Metadata = {
      httpStatusCode: response.statusCode,
      ...(response.headers["x-amz-request-id"] ? { requestId: response.headers["x-amz-request-id"] } : {}),
      ...(response.headers["x-amz-id-2"] ? { extendedRequestId: response.headers["x-amz-id-2"] } : {}),
      attempts,
    };
    if (response.statusCode >= 200 && response.statusCode < 300) return { body, $metadata };
    const error = s3ErrorOf(response.statusCode, body.toString("utf8"), $metadata);
    return { error, retryable: isRetryable(error) };
  }

  async function send(request: ObjectRequest): Promise<Answer> {
    const { settings } = await setup();
    for (let attempts = 1; ; attempts++) {
      const outcome = await attempt(request, attempts);
      if ("body" in outcome) return outcome;
      if (!outcome.retryable || attempts >= settings.maxAttempts) {
        if (!(outcome.error instanceof S3ServiceError) && outcome.error instanceof Error) {
          Object.assign(outcome.error, { $metadata: { attempts } });
        }
        throw outcome.error;
      }
      await sleep(backoffMs(attempts));
    }
  }

  return {
    async putObject(input) {
      const { $metadata } = await send({
        method: "PUT",
        bucket: input.Bucket,
        key: input.Key,
        content: { body: Buffer.from(input.Body, "utf8"), type: input.ContentType },
      });
      return { $metadata };
    },
    async getObject(input) {
      const { body, $metadata } = await send({ method: "GET", bucket: input.Bucket, key: input.Key });
      return { Body: body.toString("utf8"), $metadata };
    },
    destroy: () => handler.destroy?.(),
  };
}
