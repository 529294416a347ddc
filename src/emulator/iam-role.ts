/**
 * An IAM role in the emulator for CreateFunction: moto accepts a function only when its role
 * exists in moto's IAM.
 */
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { isAwsError } from "../reconcilers/classify";

export const EMULATOR_ACCOUNT_ID = "123456789012";
export const DEFAULT_LAMBDA_ROLE_NAME = "efs-reconciler-lambda";

/** The trust policy of a Lambda execution role. */
export const LAMBDA_ASSUME_ROLE_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

export class EmulatorRoleError extends Error {
  override name = "EmulatorRoleError";
}

export function emulatorRoleArn(roleName: string = DEFAULT_LAMBDA_ROLE_NAME): string {
  return `arn:aws:iam::${EMULATOR_ACCOUNT_ID}:role/${roleName}`;
}

/** An IAM client for the emulator at `endpoint` (it does not check credentials). */
export function emulatorIamClient(endpoint: string): IAMClient {
  return new IAMClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

/** Creates the role if it does not exist yet; returns its ARN. */
export async function ensureEmulatorLambdaRole(
  endpoint: string,
  roleName: string = DEFAULT_LAMBDA_ROLE_NAME,
): Promise<string> {
  const iam = emulatorIamClient(endpoint);
  try {
    const out = await iam.send(
      new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: LAMBDA_ASSUME_ROLE_POLICY }),
    );
    return out.Role?.Arn ?? emulatorRoleArn(roleName);
  } catch (err) {
    if (isAwsError(err, "EntityAlreadyExistsException", "EntityAlreadyExists"))
      return emulatorRoleArn(roleName);
    throw new EmulatorRoleError(
      `emulator refused to create IAM role ${roleName}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  } finally {
    iam.destroy();
  }
}
