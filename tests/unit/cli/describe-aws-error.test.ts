import { describe, expect, it } from "vitest";
import { MissingRegionError } from "../../../src/aws/clients";
import { type AwsErrorContext, classifyAwsError, describeAwsError } from "../../../src/aws/errors";

function sdkError(name: string, message = "", extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

function networkError(message: string, extra: Record<string, unknown>): Error {
  return Object.assign(new Error(message), extra);
}

const CASES: [string, unknown, AwsErrorContext, string | RegExp][] = [
  [
    "credential chain exhausted",
    sdkError("CredentialsProviderError", "Could not load credentials from any providers"),
    {},
    "no AWS credentials found: pass --profile, set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (for SSO run `aws sso login`)",
  ],
  [
    "credentials of a named profile",
    sdkError("CredentialsProviderError", "Could not load credentials from any providers"),
    { profile: "dev" },
    "could not load AWS credentials for profile dev: check that it exists in ~/.aws/config or ~/.aws/credentials (for SSO run `aws sso login --profile dev`)",
  ],
  [
    "plain 'Could not load credentials' error",
    new Error("Could not load credentials from any providers"),
    {},
    /^no AWS credentials found: /,
  ],
  [
    "expired session token",
    sdkError("ExpiredTokenException", "The security token included in the request is expired"),
    {},
    "the AWS credentials have expired (ExpiredTokenException): refresh them (for SSO: `aws sso login`) and run again",
  ],
  [
    "EC2 ExpiredToken",
    sdkError("ExpiredToken", "Request has expired."),
    { profile: "ops" },
    /^the AWS credentials for profile ops have expired \(ExpiredToken\): refresh them \(for SSO: `aws sso login --profile ops`\)/,
  ],
  [
    "expired SSO session",
    sdkError(
      "CredentialsProviderError",
      "The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.",
    ),
    {},
    /^the AWS credentials have expired/,
  ],
  [
    "unknown access key",
    sdkError("UnrecognizedClientException", "The security token included in the request is invalid."),
    {},
    "AWS rejected the credentials (UnrecognizedClientException): check the access key, secret key and session token, or use another --profile",
  ],
  [
    "invalid client token id",
    sdkError("InvalidClientTokenId"),
    {},
    /^AWS rejected the credentials \(InvalidClientTokenId\)/,
  ],
  ["EC2 AuthFailure", sdkError("AuthFailure"), {}, /^AWS rejected the credentials \(AuthFailure\)/],
  [
    "access denied",
    sdkError(
      "AccessDeniedException",
      "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: elasticfilesystem:DescribeFileSystems",
    ),
    {},
    "AWS denied access (AccessDeniedException): User: arn:aws:iam::123456789012:user/ci is not authorized to perform: elasticfilesystem:DescribeFileSystems; grant the caller the read permissions efs-reconciler needs, or use another --profile",
  ],
  [
    "AccessDenied",
    sdkError("AccessDenied", "Access Denied"),
    {},
    /^AWS denied access \(AccessDenied\): Access Denied; grant /,
  ],
  [
    "EC2 UnauthorizedOperation without its encoded blob",
    sdkError(
      "UnauthorizedOperation",
      "You are not authorized to perform this operation. Encoded authorization failure message: AbC123xyz",
    ),
    {},
    "AWS denied access (UnauthorizedOperation): You are not authorized to perform this operation; grant the caller the read permissions efs-reconciler needs, or use another --profile",
  ],
  [
    "connection refused, endpoint from the error",
    networkError("connect ECONNREFUSED 127.0.0.1:4566", {
      code: "ECONNREFUSED",
      address: "127.0.0.1",
      port: 4566,
    }),
    {},
    "cannot reach the AWS endpoint 127.0.0.1:4566 (connection refused): check your network and --region (and AWS_ENDPOINT_URL_<SERVICE> if set)",
  ],
  [
    "connection refused, endpoint configured",
    networkError("connect ECONNREFUSED 127.0.0.1:4566", {
      code: "ECONNREFUSED",
      address: "127.0.0.1",
      port: 4566,
    }),
    { endpoint: "http://localhost:4566" },
    "cannot reach the AWS endpoint http://localhost:4566 (connection refused): check that it is running and that --endpoint-url / AWS_ENDPOINT_URL is right",
  ],
  [
    "connection refused by a per-service endpoint, another endpoint configured",
    networkError("connect ECONNREFUSED 127.0.0.1:1", { code: "ECONNREFUSED", address: "127.0.0.1", port: 1 }),
    { endpoint: "http://127.0.0.1:47312" },
    "cannot reach the AWS endpoint 127.0.0.1:1 (connection refused): check your network and --region (and AWS_ENDPOINT_URL_<SERVICE> if set)",
  ],
  [
    "unknown host",
    networkError("getaddrinfo ENOTFOUND elasticfilesystem.xx-nowhere-1.amazonaws.com", {
      code: "ENOTFOUND",
      hostname: "elasticfilesystem.xx-nowhere-1.amazonaws.com",
    }),
    {},
    "cannot reach the AWS endpoint elasticfilesystem.xx-nowhere-1.amazonaws.com (host name not found): check your network and --region (and AWS_ENDPOINT_URL_<SERVICE> if set)",
  ],
  [
    "AggregateError of refused connections (IPv4 and IPv6)",
    Object.assign(
      new AggregateError(
        [
          networkError("connect ECONNREFUSED ::1:5000", { code: "ECONNREFUSED", address: "::1", port: 5000 }),
          networkError("connect ECONNREFUSED 127.0.0.1:5000", {
            code: "ECONNREFUSED",
            address: "127.0.0.1",
            port: 5000,
          }),
        ],
        "",
      ),
      { code: "ECONNREFUSED" },
    ),
    { endpoint: "http://localhost:5000" },
    /^cannot reach the AWS endpoint http:\/\/localhost:5000 \(connection refused\)/,
  ],
  [
    "UnknownEndpoint",
    sdkError("UnknownEndpoint", "Inaccessible host"),
    {},
    /^cannot reach the AWS endpoint .* \(unknown endpoint\)/,
  ],
  [
    "missing region (ours)",
    new MissingRegionError(new Error("Region is missing")),
    {},
    "no AWS region configured: pass --region, or set AWS_REGION (or a region in your AWS profile)",
  ],
  [
    "missing region (the SDK's)",
    new Error("Region is missing"),
    {},
    "no AWS region configured: pass --region, or set AWS_REGION (or a region in your AWS profile)",
  ],
  [
    "throttling after retries",
    sdkError("ThrottlingException", "Rate exceeded"),
    {},
    "AWS kept throttling the requests even after retries (ThrottlingException): wait a minute and run again",
  ],
  [
    "an AWS error wrapped as a cause",
    Object.assign(new Error("reading AWS failed: EFS DescribeFileSystems"), {
      name: "ObserveError",
      operation: "efs:DescribeFileSystems",
      cause: sdkError("AccessDeniedException", "not authorized"),
    }),
    {},
    /^AWS denied access to efs:DescribeFileSystems \(AccessDeniedException\): not authorized; grant /,
  ],
  [
    "an unknown error keeps its name and message",
    new TypeError("x is not a function"),
    {},
    "TypeError: x is not a function",
  ],
  [
    "a multi-line message stays on one line",
    sdkError("WeirdError", "first\n  second"),
    {},
    "WeirdError: first second",
  ],
  ["a thrown string", "boom", {}, "boom"],
];

describe("describeAwsError", () => {
  it.each(CASES)("%s", (_label, err, context, expected) => {
    const line = describeAwsError(err, context);
    if (typeof expected === "string") expect(line).toBe(expected);
    else expect(line).toMatch(expected);
    expect(line).not.toContain("\n");
  });

  it("classifies only known AWS failures", () => {
    expect(classifyAwsError(new TypeError("x"))?.kind).toBeUndefined();
    expect(classifyAwsError(sdkError("ExpiredToken"))?.kind).toBe("credentials-expired");
    expect(classifyAwsError(sdkError("ResourceNotFoundException"))).toBeUndefined();
  });
});
