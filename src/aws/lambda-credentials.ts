/**
 * The credentials of the Lambda bundles (scripts/build.mjs puts this module in place of the SDK's
 * `@aws-sdk/credential-provider-node`). The Lambda runtime gives a function its role's credentials
 * in the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), or through
 * a container credentials endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI`): these two are read, in
 * that order; profiles, SSO, web identity and instance metadata never apply there.
 */
import { fromEnv } from "@aws-sdk/credential-provider-env";
import { fromHttp } from "@aws-sdk/credential-provider-http";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

/** Credentials are fetched again this long before they expire. */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

const CONTAINER_VARIABLES = ["AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"];

export class LambdaCredentialsError extends Error {
  override name = "CredentialsProviderError";
}

function fresh(identity: AwsCredentialIdentity | undefined, now: number): identity is AwsCredentialIdentity {
  if (!identity) return false;
  return identity.expiration === undefined || identity.expiration.getTime() - now > REFRESH_BEFORE_EXPIRY_MS;
}

/** Same signature as the SDK's `defaultProvider`: the clients call it with their own configuration. */
export function defaultProvider(init: Parameters<typeof fromHttp>[0] = {}): AwsCredentialIdentityProvider {
  const env = fromEnv(init);
  let container: AwsCredentialIdentityProvider | undefined;
  let cached: AwsCredentialIdentity | undefined;
  return async () => {
    if (fresh(cached, Date.now())) return cached;
    if (process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY) {
      cached = await env();
    } else if (CONTAINER_VARIABLES.some((name) => process.env[name])) {
      container ??= fromHttp(init);
      cached = await container();
    } else {
      throw new LambdaCredentialsError(
        "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (Lambda sets them from the function's execution role)",
      );
    }
    return cached;
  };
}
