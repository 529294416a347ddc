import { describe, expect, it } from "vitest";
import { ObserveError, toObserveError } from "../../../src/observe/observe-error";

function sdkError(name: string, attempts = 1): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { attempts } });
}

describe("toObserveError", () => {
  it.each([
    { name: "ExpiredToken", hint: "check the AWS credentials" },
    {
      name: "AccessDeniedException",
      hint: "grant the caller elasticfilesystem:DescribeMountTargets (read-only) in region eu-west-1",
    },
    { name: "ThrottlingException", hint: "throttling after 8 attempts" },
    { name: "ECONNREFUSED", hint: "--endpoint-url" },
    { name: "InternalError", hint: "that region eu-west-1 is the intended one" },
  ])("$name → $hint", ({ name, hint }) => {
    const cause = sdkError(name, 8);
    const err = toObserveError("efs", "DescribeMountTargets", "eu-west-1", cause);
    expect(err).toBeInstanceOf(ObserveError);
    expect(err.name).toBe("ObserveError");
    expect(err.cause).toBe(cause);
    expect(err.operation).toBe("efs:DescribeMountTargets");
    expect(err.message).toContain(`EFS DescribeMountTargets (${name}: ${name} happened)`);
    expect(err.message).toContain(hint);
  });

  it("copes with a thrown non-error", () => {
    expect(toObserveError("ec2", "DescribeSubnets", "us-east-1", "nope").message).toContain(
      "EC2 DescribeSubnets (Error)",
    );
  });
});
