/**
 * Classification of AWS SDK, credential and network errors into one line that says what went
 * wrong and what to do next. Used by the command line; no business logic.
 */

export type AwsErrorKind =
  | "region-missing"
  | "region-invalid"
  | "credentials-missing"
  | "credentials-expired"
  | "credentials-invalid"
  | "access-denied"
  | "endpoint-unreachable"
  | "throttled";

/** What the caller knows about the configuration, to name it in the message. */
export interface AwsErrorContext {
  /** The endpoint override in use (`--endpoint-url` or `AWS_ENDPOINT_URL`), if any. */
  endpoint?: string;
  profile?: string;
  region?: string;
}

interface ErrorLike {
  /** `service:Command` of the failed call, when a wrapper (e.g. ObserveError) recorded it. */
  operation?: unknown;
  name?: unknown;
  code?: unknown;
  message?: unknown;
  hostname?: unknown;
  address?: unknown;
  port?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** Credentials that were valid once: refreshing them, not granting permissions, fixes these. */
export const EXPIRED_CREDENTIAL_NAMES: ReadonlySet<string> = new Set([
  "ExpiredToken",
  "ExpiredTokenException",
  "RequestExpired",
  "TokenRefreshRequired",
]);
/** Credentials AWS does not accept at all (unknown key, bad signature). */
export const INVALID_CREDENTIAL_NAMES: ReadonlySet<string> = new Set([
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "AuthFailure",
  "SignatureDoesNotMatch",
  "InvalidSignatureException",
  "IncompleteSignature",
  "InvalidAccessKeyId",
  "MissingAuthenticationToken",
]);
/** Valid credentials without the permission for the call. */
export const ACCESS_DENIED_NAMES: ReadonlySet<string> = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedAccess",
  "KMSAccessDeniedException",
  "EC2AccessDeniedException",
]);
/** Throttling answers of the services the product calls (EC2, EFS, Lambda, S3, the rest). */
export const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  "Throttling",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "EC2ThrottledException",
  "SlowDown",
]);
/** Node's codes for a connection that could not be made or broke off. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function asErrorLike(value: unknown): ErrorLike | undefined {
  return value !== null && typeof value === "object" ? (value as ErrorLike) : undefined;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The error, its causes and (for AggregateError) its members, outermost first. */
function chain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: unknown[] = [err];
  while (queue.length > 0 && out.length < 20) {
    const e = asErrorLike(queue.shift());
    if (!e || out.includes(e)) continue;
    out.push(e);
    if (e.cause !== undefined) queue.push(e.cause);
    if (Array.isArray(e.errors)) queue.push(...e.errors);
  }
  return out;
}

function kindOf(e: ErrorLike): AwsErrorKind | undefined {
  const name = str(e.name);
  const code = str(e.code);
  const message = str(e.message);
  if (name === "MissingRegionError" || /^Region is missing/.test(message)) return "region-missing";
  if (name === "InvalidRegionError" || /^Region not accepted: /.test(message)) return "region-invalid";
  if (
    EXPIRED_CREDENTIAL_NAMES.has(name) ||
    EXPIRED_CREDENTIAL_NAMES.has(code) ||
    /session .*(has expired|is invalid)|token .*expired/i.test(message)
  ) {
    return "credentials-expired";
  }
  if (
    name === "CredentialsProviderError" ||
    name === "TokenProviderError" ||
    /Could not load credentials/.test(message)
  ) {
    return "credentials-missing";
  }
  if (INVALID_CREDENTIAL_NAMES.has(name) || INVALID_CREDENTIAL_NAMES.has(code)) return "credentials-invalid";
  if (ACCESS_DENIED_NAMES.has(name) || ACCESS_DENIED_NAMES.has(code)) return "access-denied";
  if (
    name === "UnknownEndpoint" ||
    NETWORK_ERROR_CODES.has(code) ||
    NETWORK_ERROR_CODES.has(name) ||
    name === "TimeoutError"
  )
    return "endpoint-unreachable";
  if (THROTTLING_NAMES.has(name) || THROTTLING_NAMES.has(code)) return "throttled";
  return undefined;
}

/** Whether the error's own name or code is a known failure (not only words in its message). */
function namedFailure(e: ErrorLike): boolean {
  const names = [str(e.name), str(e.code)];
  return names.some(
    (n) =>
      n === "MissingRegionError" ||
      n === "InvalidRegionError" ||
      n === "CredentialsProviderError" ||
      n === "TokenProviderError" ||
      n === "UnknownEndpoint" ||
      n === "TimeoutError" ||
      EXPIRED_CREDENTIAL_NAMES.has(n) ||
      INVALID_CREDENTIAL_NAMES.has(n) ||
      ACCESS_DENIED_NAMES.has(n) ||
      NETWORK_ERROR_CODES.has(n) ||
      THROTTLING_NAMES.has(n),
  );
}

/**
 * The known AWS/credential/network failure in the cause chain: the first error whose own name
 * says so, else the first whose message does (a wrapper quoting AWS's message never hides AWS's
 * error and its name).
 */
export function classifyAwsError(err: unknown): { kind: AwsErrorKind; error: ErrorLike } | undefined {
  const errors = chain(err);
  for (const e of [...errors.filter(namedFailure), ...errors]) {
    const kind = kindOf(e);
    if (kind) return { kind, error: e };
  }
  return undefined;
}

/** One line of AWS's own message: no encoded authorization blobs, no line breaks. */
function awsMessage(e: ErrorLike, max = 240): string {
  const text = str(e.message)
    .replace(/\s*Encoded authorization failure message:.*$/s, "")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The port a URL connects to, or undefined when it is not a URL. */
function portOf(url: string): number | undefined {
  try {
    const u = new URL(url);
    return u.port ? Number(u.port) : u.protocol === "http:" ? 80 : 443;
  } catch {
    return undefined;
  }
}

function endpointOf(e: ErrorLike, context: AwsErrorContext): string {
  const host = str(e.hostname) || str(e.address);
  const failed = host && typeof e.port === "number" ? `${host}:${e.port}` : host;
  // The configured endpoint, as the user wrote it, unless the failed connection went elsewhere
  // (a per-service AWS_ENDPOINT_URL_<SERVICE>).
  if (context.endpoint && (typeof e.port !== "number" || portOf(context.endpoint) === e.port)) {
    return context.endpoint;
  }
  if (failed) return failed;
  const fromMessage = /(?:ENOTFOUND|ECONNREFUSED|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH)\s+(\S+)/.exec(
    str(e.message),
  );
  return fromMessage?.[1] ?? "the AWS endpoint";
}

function networkReason(e: ErrorLike): string {
  const code = str(e.code) || str(e.name);
  switch (code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host name not found";
    case "ECONNREFUSED":
      return "connection refused";
    case "ECONNRESET":
      return "connection reset";
    case "ETIMEDOUT":
    case "TimeoutError":
    case "UND_ERR_CONNECT_TIMEOUT":
      return "timed out";
    case "UnknownEndpoint":
      return "unknown endpoint";
    default:
      return code || "no response";
  }
}

function describeKind(kind: AwsErrorKind, e: ErrorLike, context: AwsErrorContext, operation: string): string {
  const profile = context.profile ? ` for profile ${context.profile}` : "";
  const name = str(e.name) || str(e.code);
  switch (kind) {
    case "region-missing":
      return "no AWS region configured: pass --region, or set AWS_REGION (or a region in your AWS profile)";
    case "region-invalid": {
      if (name === "InvalidRegionError") return str(e.message);
      const region = /region="([^"]*)"/.exec(str(e.message))?.[1] ?? context.region ?? "";
      return `AWS region "${region}" is not a valid region name: pass --region with one such as us-east-1 or eu-west-1 (or fix AWS_REGION)`;
    }
    case "credentials-missing":
      return context.profile
        ? `could not load AWS credentials for profile ${context.profile}: check that it exists in ~/.aws/config or ~/.aws/credentials (for SSO run \`aws sso login --profile ${context.profile}\`)`
        : "no AWS credentials found: pass --profile, set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (for SSO run `aws sso login`)";
    case "credentials-expired":
      return `the AWS credentials${profile} have expired (${name || "expired token"}): refresh them${context.profile ? ` (for SSO: \`aws sso login --profile ${context.profile}\`)` : " (for SSO: `aws sso login`)"} and run again`;
    case "credentials-invalid":
      return `AWS rejected the credentials${profile} (${name}): check the access key, secret key and session token, or use another --profile`;
    case "access-denied": {
      const detail = awsMessage(e).replace(/[.\s]+$/, "");
      return `AWS denied access${operation ? ` to ${operation}` : ""} (${name})${detail ? `: ${detail}` : ""}; grant the caller the read permissions efs-reconciler needs, or use another --profile`;
    }
    case "endpoint-unreachable": {
      const endpoint = endpointOf(e, context);
      const what = `cannot reach the AWS endpoint ${endpoint} (${networkReason(e)})`;
      return endpoint === context.endpoint
        ? `${what}: check that it is running and that --endpoint-url / AWS_ENDPOINT_URL is right`
        : `${what}: check your network and --region (and AWS_ENDPOINT_URL_<SERVICE> if set)`;
    }
    case "throttled":
      return `AWS kept throttling the requests even after retries (${name}): wait a minute and run again`;
  }
}

/** One line for the user: what failed and what to do next. Unknown errors keep their own message. */
export function describeAwsError(err: unknown, context: AwsErrorContext = {}): string {
  const found = classifyAwsError(err);
  if (found) {
    const operation =
      chain(err)
        .map((e) => str(e.operation))
        .find((op) => op !== "") ?? "";
    return describeKind(found.kind, found.error, context, operation);
  }
  const e = asErrorLike(err);
  if (!e) return String(err);
  const name = str(e.name) || "Error";
  const message = awsMessage(e) || "(no message)";
  return `${name}: ${message}`;
}
