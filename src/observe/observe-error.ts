/**
 * The one error `observe()` throws for an AWS failure it cannot interpret as "absent": it names
 * the call that failed and what to check next, and keeps the SDK error as `cause`.
 */
import type { ServiceName } from "../aws/clients";
import { classifyAwsError } from "../aws/errors";
import { SERVICE_LABEL } from "../aws/service-labels";

export class ObserveError extends Error {
  override name = "ObserveError";
  /** `service:Command` of the call that failed, e.g. `efs:DescribeFileSystems`. */
  readonly operation: string;

  constructor(message: string, options: { operation: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.operation = options.operation;
  }
}

const IAM_PREFIX: Record<ServiceName, string> = {
  ec2: "ec2",
  efs: "elasticfilesystem",
  lambda: "lambda",
  sfn: "states",
  iam: "iam",
  cloudwatch: "cloudwatch",
  tagging: "tag",
};

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { attempts?: unknown };
}

/** Wraps a failed read in an `ObserveError` whose message says what to check. */
export function toObserveError(
  service: ServiceName,
  command: string,
  region: string,
  err: unknown,
): ObserveError {
  const e = (typeof err === "object" && err !== null ? err : {}) as SdkErrorShape;
  const errorName = typeof e.name === "string" ? e.name : "Error";
  const detail = typeof e.message === "string" && e.message !== "" ? `${errorName}: ${e.message}` : errorName;
  const attempts = typeof e.$metadata?.attempts === "number" ? e.$metadata.attempts : 1;
  const action = `${IAM_PREFIX[service]}:${command}`;
  // The kind of failure comes from the one shared classifier (src/aws/errors.ts).
  let hint: string;
  switch (classifyAwsError(err)?.kind) {
    case "credentials-missing":
    case "credentials-expired":
    case "credentials-invalid":
      hint =
        "check the AWS credentials (profile, environment variables or SSO session) and sign in again if they expired";
      break;
    case "access-denied":
      hint = `grant the caller ${action} (read-only) in region ${region}`;
      break;
    case "throttled":
      hint = `AWS kept throttling after ${attempts} attempts; run again later or lower the observation concurrency`;
      break;
    case "endpoint-unreachable":
      hint = "check the network and the endpoint (--endpoint-url, AWS_ENDPOINT_URL)";
      break;
    default:
      hint = `check the credentials, that region ${region} is the intended one, and that the caller may call ${action}`;
  }
  return new ObserveError(`reading AWS failed: ${SERVICE_LABEL[service]} ${command} (${detail}); ${hint}`, {
    operation: `${service}:${command}`,
    cause: err,
  });
}
