/**
 * An IAM role in the emulator for CreateFunction: moto accepts a function only when its role
 * exists in moto's IAM. The product has no IAM client, so this speaks IAM's query protocol
 * directly (the emulator does not check signatures).
 */

export const EMULATOR_ACCOUNT_ID = "123456789012";
export const DEFAULT_LAMBDA_ROLE_NAME = "efs-reconciler-lambda";

const ASSUME_ROLE_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

export class EmulatorRoleError extends Error {
  override name = "EmulatorRoleError";
}

export function emulatorRoleArn(roleName: string = DEFAULT_LAMBDA_ROLE_NAME): string {
  return `arn:aws:iam::${EMULATOR_ACCOUNT_ID}:role/${roleName}`;
}

/** Sends one IAM query-protocol action to the emulator; returns the HTTP status and body. */
export async function emulatorIamCall(
  endpoint: string,
  action: string,
  params: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const date = new Date().toISOString().slice(0, 10).replaceAll("-", "");
  const response = await fetch(`${endpoint}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      authorization: `AWS4-HMAC-SHA256 Credential=test/${date}/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Action: action, Version: "2010-05-08", ...params }).toString(),
  });
  return { status: response.status, body: await response.text() };
}

/** Creates the role if it does not exist yet; returns its ARN. */
export async function ensureEmulatorLambdaRole(
  endpoint: string,
  roleName: string = DEFAULT_LAMBDA_ROLE_NAME,
): Promise<string> {
  const { status, body } = await emulatorIamCall(endpoint, "CreateRole", {
    RoleName: roleName,
    AssumeRolePolicyDocument: ASSUME_ROLE_POLICY,
  });
  if (status !== 200 && !body.includes("EntityAlreadyExists")) {
    throw new EmulatorRoleError(
      `emulator refused to create IAM role ${roleName} (HTTP ${status}): ${body.slice(0, 500)}`,
    );
  }
  return emulatorRoleArn(roleName);
}
