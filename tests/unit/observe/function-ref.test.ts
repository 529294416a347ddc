import { describe, expect, it } from "vitest";
import { parseFunctionRef, refersTo } from "../../../src/observe/function-ref";

const ARN = "arn:aws:lambda:us-east-1:123456789012:function:search";

describe("parseFunctionRef", () => {
  it.each([
    ["search", { name: "search" }],
    ["search:live", { name: "search" }],
    ["123456789012:function:search", { name: "search", account: "123456789012" }],
    [ARN, { name: "search", partition: "aws", region: "us-east-1", account: "123456789012" }],
    [`${ARN}:7`, { name: "search", partition: "aws", region: "us-east-1", account: "123456789012" }],
  ])("%s", (input, expected) => {
    expect(parseFunctionRef(input)).toEqual(expected);
  });
});

describe("refersTo", () => {
  it.each([
    { ref: "search", name: "search", arn: ARN, expected: true },
    { ref: "search", name: "searcher", arn: ARN.replace("search", "searcher"), expected: false },
    { ref: ARN, name: "search", arn: ARN, expected: true },
    { ref: ARN.replace("us-east-1", "eu-west-1"), name: "search", arn: ARN, expected: false },
    { ref: ARN.replace("123456789012", "210987654321"), name: "search", arn: ARN, expected: false },
    { ref: ARN.replace("arn:aws:", "arn:aws-cn:"), name: "search", arn: ARN, expected: false },
    { ref: "123456789012:function:search", name: "search", arn: ARN, expected: true },
    { ref: ARN, name: "search", arn: undefined, expected: false },
  ])("$ref vs $arn → $expected", ({ ref, name, arn, expected }) => {
    expect(refersTo(parseFunctionRef(ref), name, arn)).toBe(expected);
  });
});
