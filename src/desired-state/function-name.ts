/** Identity of a Lambda function as a manifest names it. */

/**
 * The bare function name of a name or function ARN, without a version or alias qualifier:
 * `arn:aws:lambda:us-east-1:123456789012:function:search:live` → `search`.
 */
export function functionNameOf(nameOrArn: string): string {
  if (!nameOrArn.startsWith("arn:")) return nameOrArn;
  // arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
  return nameOrArn.split(":")[6] ?? nameOrArn;
}
