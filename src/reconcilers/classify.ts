/**
 * Central classification of AWS errors into the two reconciler outcomes the workflow knows:
 * `RetryableReconcileError` (throttling, server faults, network trouble: retried with backoff) and
 * `TerminalReconcileError` (everything a retry cannot fix: permissions, validation, missing resources).
 */
import {
  ACCESS_DENIED_NAMES,
  EXPIRED_CREDENTIAL_NAMES,
  INVALID_CREDENTIAL_NAMES,
  NETWORK_ERROR_CODES,
  THROTTLING_NAMES,
} from "../aws/errors";
import type { Action } from "../plan/types";
import { RetryableReconcileError, TerminalReconcileError } from "./errors";

const SERVER_FAULT_NAMES = new Set([
  "InternalServerError",
  "InternalError",
  "InternalFailure",
  "ServiceException",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "Unavailable",
  "DependencyTimeout",
  "EC2UnexpectedException",
]);

const NETWORK_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "AbortError"]);

interface AwsErrorShape {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $retryable?: { throttling?: boolean } | undefined;
  $metadata?: { httpStatusCode?: number } | undefined;
}

function shape(err: unknown): AwsErrorShape {
  return typeof err === "object" && err !== null ? (err as AwsErrorShape) : {};
}

/** The AWS error code of an SDK error (`name`, or `Code` for query-protocol services), if any. */
export function awsErrorName(err: unknown): string | undefined {
  const e = shape(err);
  if (typeof e.Code === "string" && e.Code) return e.Code;
  if (typeof e.name === "string" && e.name) return e.name;
  return undefined;
}

/** Whether `err` is an AWS error with one of the given codes. */
export function isAwsError(err: unknown, ...names: string[]): boolean {
  const name = awsErrorName(err);
  return name !== undefined && names.includes(name);
}

/** AWS's message on one line, at most 300 characters, without EC2's encoded authorization blob. */
function errorMessage(err: unknown): string {
  const e = shape(err);
  const text = (typeof e.message === "string" && e.message ? e.message : String(err))
    .replace(/\s*Encoded authorization failure message:.*$/s, "")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/** Why a retry may help, or undefined when it will not. */
function transientReason(err: unknown): string | undefined {
  const e = shape(err);
  const name = awsErrorName(err) ?? "";
  if (THROTTLING_NAMES.has(name) || e.$retryable?.throttling === true) return "was throttled";
  const status = e.$metadata?.httpStatusCode;
  if (SERVER_FAULT_NAMES.has(name) || e.$fault === "server" || (status !== undefined && status >= 500)) {
    return "hit an AWS server error";
  }
  if (NETWORK_NAMES.has(name) || (typeof e.code === "string" && NETWORK_ERROR_CODES.has(e.code))) {
    return "hit a network error";
  }
  return undefined;
}

export interface ClassifyContext {
  /** The action type, e.g. "CreateMountTarget". */
  action: string;
  /** The resource id the action works on. */
  resource: string;
}

/**
 * Turns any error into a reconciler error. Reconciler errors pass through unchanged; the original
 * error is always kept as `cause`.
 */
export function toReconcileError(
  err: unknown,
  context: ClassifyContext,
): RetryableReconcileError | TerminalReconcileError {
  if (err instanceof RetryableReconcileError || err instanceof TerminalReconcileError) return err;
  const what = `${context.action} on ${context.resource}`;
  const name = awsErrorName(err) ?? "Error";
  const detail = `${name}: ${errorMessage(err)}`;
  const reason = transientReason(err);
  if (reason) {
    return new RetryableReconcileError(`${what} ${reason} (${detail}); retrying later`, { cause: err });
  }
  if (EXPIRED_CREDENTIAL_NAMES.has(name)) {
    return new TerminalReconcileError(
      `${what} failed: the AWS credentials have expired (${detail}); refresh them and re-run apply`,
      { cause: err },
    );
  }
  if (INVALID_CREDENTIAL_NAMES.has(name)) {
    return new TerminalReconcileError(
      `${what} failed: AWS rejected the credentials (${detail}); fix the reconciler's credentials and re-run apply`,
      { cause: err },
    );
  }
  if (ACCESS_DENIED_NAMES.has(name)) {
    return new TerminalReconcileError(
      `${what} was denied (${detail}); grant the reconciler's credentials this permission and re-run apply`,
      { cause: err },
    );
  }
  return new TerminalReconcileError(`${what} failed (${detail}); fix the cause and re-run apply`, {
    cause: err,
  });
}

/** Runs one action's body, classifying whatever it throws. */
export async function classified<T>(action: Action, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw toReconcileError(err, { action: action.type, resource: action.resource.id });
  }
}

/** The error for an action routed to the wrong family's reconciler (a workflow wiring mistake). */
export function wrongFamilyError(family: string, action: Action): TerminalReconcileError {
  return new TerminalReconcileError(
    `the ${family} reconciler does not handle ${action.type} (action ${action.id}); route it to its own reconciler`,
  );
}
