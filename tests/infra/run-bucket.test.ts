/**
 * The run bucket of infra-sam/template.yaml: where a large run's documents go (plans stored by
 * reference). Private, encrypted, TLS only, documents expiring; the four functions that read or
 * write them are told where it is, under the variable the code reads.
 */
import { describe, expect, it } from "vitest";
import { RUN_BUCKET_ENV } from "../../src/statemachine/s3-run-store";
import { loadTemplate, OBSERVE_AND_PLAN_FUNCTIONS } from "./template";

const template = loadTemplate();

function props(id: string): Record<string, unknown> {
  const properties = template.Resources[id]?.Properties;
  if (!properties) throw new Error(`${id} is not in the template`);
  return properties;
}

describe("the run bucket", () => {
  it("is encrypted, blocks every kind of public access and enforces bucket-owner ownership", () => {
    expect(template.Resources.RunBucket?.Type).toBe("AWS::S3::Bucket");
    expect(props("RunBucket").BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
    });
    expect(props("RunBucket").PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(props("RunBucket").OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }],
    });
  });

  it("expires every run document (no prefix filter) and abandoned uploads", () => {
    const { Rules } = props("RunBucket").LifecycleConfiguration as { Rules: Record<string, unknown>[] };
    expect(Rules).toHaveLength(1);
    const [rule] = Rules;
    expect(rule?.Status).toBe("Enabled");
    expect(rule?.Prefix).toBeUndefined();
    expect(rule?.Filter).toBeUndefined();
    expect(rule?.ExpirationInDays).toBeGreaterThanOrEqual(7);
    expect(rule?.AbortIncompleteMultipartUpload).toEqual({ DaysAfterInitiation: 1 });
  });

  it("denies every request not sent over TLS, to the bucket and its objects", () => {
    expect(props("RunBucketPolicy").Bucket).toEqual({ Ref: "RunBucket" });
    const { Statement } = props("RunBucketPolicy").PolicyDocument as { Statement: Record<string, unknown>[] };
    expect(Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [{ "Fn::GetAtt": ["RunBucket", "Arn"] }, { "Fn::Sub": `\${RunBucket.Arn}/*` }],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  it("is named to the observation stages', plan, check-pending, verify and record functions, and only to them", () => {
    const told = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === "AWS::Serverless::Function")
      .filter(([, r]) => {
        const env = r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
        return env?.Variables?.[RUN_BUCKET_ENV] !== undefined;
      });
    expect(told.map(([id]) => id).sort()).toEqual(
      [...OBSERVE_AND_PLAN_FUNCTIONS, "CheckPendingFunction", "RecordFunction"].sort(),
    );
    for (const [id, r] of told) {
      const env = r.Properties?.Environment as { Variables: Record<string, unknown> };
      expect(env.Variables[RUN_BUCKET_ENV], id).toEqual({ Ref: "RunBucket" });
    }
  });
});
