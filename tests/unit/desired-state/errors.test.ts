import { describe, expect, it } from "vitest";
import {
  compareManifestErrors,
  formatManifestError,
  functionNameOf,
  type ManifestError,
  manifestSchema,
} from "../../../src/desired-state";
import { formatFieldPath, suggestClosest } from "../../../src/desired-state/wording";

const error = (file: string, line: number, col: number, message = "m"): ManifestError => ({
  file,
  line,
  col,
  object: "FileSystem/data",
  message,
});

describe("formatManifestError", () => {
  it("renders FILE:LINE:COL: KIND/NAME: message", () => {
    expect(
      formatManifestError({
        file: "desired-state/efs.yaml",
        line: 19,
        col: 22,
        object: "FileSystem/ml-data",
        message: 'spec.mountTargets.securityGroupId: "sg-1" is not a security group id',
      }),
    ).toBe(
      'desired-state/efs.yaml:19:22: FileSystem/ml-data: spec.mountTargets.securityGroupId: "sg-1" is not a security group id',
    );
  });

  it("keeps every error on one line", () => {
    expect(
      formatManifestError({ file: "a.yaml", line: 1, col: 1, object: "-", message: "first\n  second" }),
    ).toBe("a.yaml:1:1: -: first second");
  });
});

describe("compareManifestErrors", () => {
  it("orders by file, then line, then column", () => {
    const sorted = [
      error("b.yaml", 1, 1),
      error("a.yaml", 10, 1),
      error("a.yaml", 2, 5),
      error("a.yaml", 2, 3),
    ]
      .sort(compareManifestErrors)
      .map((e) => `${e.file}:${e.line}:${e.col}`);
    expect(sorted).toEqual(["a.yaml:2:3", "a.yaml:2:5", "a.yaml:10:1", "b.yaml:1:1"]);
  });
});

describe("functionNameOf", () => {
  it.each([
    ["search", "search"],
    ["arn:aws:lambda:us-east-1:123456789012:function:search", "search"],
    ["arn:aws:lambda:us-east-1:123456789012:function:search:live", "search"],
    ["arn:aws-cn:lambda:cn-north-1:123456789012:function:search:$LATEST", "search"],
  ])("%s → %s", (input, name) => {
    expect(functionNameOf(input)).toBe(name);
  });
});

describe("wording", () => {
  it("formats field paths with indexes and non-identifier keys", () => {
    expect(formatFieldPath(["spec", "vpc", "subnetIds", 0])).toBe("spec.vpc.subnetIds[0]");
    expect(formatFieldPath(["metadata", "labels", "app.kubernetes.io/name"])).toBe(
      'metadata.labels["app.kubernetes.io/name"]',
    );
  });

  it("suggests the closest field for a typo, and nothing for an unrelated word", () => {
    expect(suggestClosest("mountTarget", ["mountTargets", "selector"])).toBe("mountTargets");
    expect(suggestClosest("filesystemid", ["fileSystemId", "selector"])).toBe("fileSystemId");
    expect(suggestClosest("banana", ["fileSystemId", "selector"])).toBeUndefined();
  });
});

describe("manifestSchema (for callers that validate parsed objects themselves)", () => {
  it("parses any kind with defaults and rejects an unknown field", () => {
    const parsed = manifestSchema.parse({
      apiVersion: "efs-reconciler.io/v1alpha1",
      kind: "LambdaFunction",
      metadata: { name: "api" },
      spec: { functionName: "api-fn", accessPoint: "app", timeoutSeconds: 45 },
    });
    expect(parsed.kind === "LambdaFunction" && parsed.spec.timeoutSeconds).toEqual({ min: 45, max: 45 });
    expect(parsed.kind === "LambdaFunction" && [parsed.spec.access, parsed.spec.logFormat]).toEqual([
      "readWrite",
      "JSON",
    ]);
    expect(
      manifestSchema.safeParse({
        apiVersion: "efs-reconciler.io/v1alpha1",
        kind: "LambdaFunction",
        metadata: { name: "api" },
        spec: { functionName: "api-fn", accessPoint: "app", memorySize: 1024 },
      }).success,
    ).toBe(false);
  });
});
