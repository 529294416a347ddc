import type { SecurityGroupRule as Ec2SecurityGroupRule } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import {
  canonicalBackupStatus,
  canonicalLifecycle,
  canonicalRule,
  tagMap,
} from "../../../src/observe/canonical";

const base = {
  SecurityGroupRuleId: "sgr-1",
  GroupId: "sg-1",
  IsEgress: false,
} satisfies Ec2SecurityGroupRule;

describe("canonicalRule", () => {
  it.each<{ label: string; raw: Ec2SecurityGroupRule; expected: object | undefined }>([
    {
      label: "all traffic with -1 ports spans 0..65535",
      raw: { ...base, IsEgress: true, IpProtocol: "-1", FromPort: -1, ToPort: -1, CidrIpv4: "0.0.0.0/0" },
      expected: { ipProtocol: "-1", fromPort: 0, toPort: 65535, isEgress: true, cidrIpv4: "0.0.0.0/0" },
    },
    {
      label: "all traffic without ports",
      raw: { ...base, IpProtocol: "-1", CidrIpv6: "::/0" },
      expected: { ipProtocol: "-1", fromPort: 0, toPort: 65535, cidrIpv6: "::/0" },
    },
    {
      label: "upper-case protocol lower-cased",
      raw: {
        ...base,
        IpProtocol: "TCP",
        FromPort: 2049,
        ToPort: 2049,
        ReferencedGroupInfo: { GroupId: "sg-2" },
      },
      expected: { ipProtocol: "tcp", fromPort: 2049, toPort: 2049, referencedGroupId: "sg-2" },
    },
    {
      label: "protocol numbers of tcp and udp named",
      raw: { ...base, IpProtocol: "17", FromPort: 53, ToPort: 53, PrefixListId: "pl-1" },
      expected: { ipProtocol: "udp", fromPort: 53, toPort: 53, prefixListId: "pl-1" },
    },
    {
      label: "icmp keeps its -1 type range",
      raw: { ...base, IpProtocol: "icmp", FromPort: -1, ToPort: -1, CidrIpv4: "10.0.0.0/8" },
      expected: { ipProtocol: "icmp", fromPort: -1, toPort: -1 },
    },
    {
      label: "a rule without id is dropped",
      raw: { GroupId: "sg-1", IpProtocol: "tcp" },
      expected: undefined,
    },
  ])("$label", ({ raw, expected }) => {
    const rule = canonicalRule(raw);
    if (expected === undefined) expect(rule).toBeUndefined();
    else expect(rule).toMatchObject({ ruleId: "sgr-1", groupId: "sg-1", ...expected });
  });

  it("keeps exactly one source and no empty optional fields", () => {
    const rule = canonicalRule({
      ...base,
      IpProtocol: "tcp",
      FromPort: 2049,
      ToPort: 2049,
      CidrIpv4: "10.0.0.0/16",
    });
    expect(rule).toEqual({
      ruleId: "sgr-1",
      groupId: "sg-1",
      isEgress: false,
      ipProtocol: "tcp",
      fromPort: 2049,
      toPort: 2049,
      cidrIpv4: "10.0.0.0/16",
    });
  });
});

describe("canonicalLifecycle", () => {
  it.each([
    { policies: undefined, expected: { transitionToIA: "NONE", transitionToPrimaryStorageClass: "NONE" } },
    {
      policies: [
        { TransitionToPrimaryStorageClass: "AFTER_1_ACCESS" as const },
        { TransitionToIA: "AFTER_1_DAY" as const },
      ],
      expected: { transitionToIA: "AFTER_1_DAY", transitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
    },
    {
      policies: [{ TransitionToArchive: "AFTER_180_DAYS" as const }],
      expected: {
        transitionToIA: "NONE",
        transitionToPrimaryStorageClass: "NONE",
        transitionToArchive: "AFTER_180_DAYS",
      },
    },
  ])("$policies → $expected", ({ policies, expected }) => {
    expect(canonicalLifecycle(policies)).toEqual(expected);
  });
});

describe("canonicalBackupStatus", () => {
  it.each([
    ["ENABLED", "ENABLED"],
    ["ENABLING", "ENABLED"],
    ["DISABLED", "DISABLED"],
    ["DISABLING", "DISABLED"],
    [undefined, "DISABLED"],
  ])("%s → %s", (status, expected) => {
    expect(canonicalBackupStatus(status)).toBe(expected);
  });
});

describe("tagMap", () => {
  it("turns a tag list into a map, dropping entries without a key", () => {
    expect(tagMap([{ Key: "a", Value: "1" }, { Value: "x" }, { Key: "b" }])).toEqual({ a: "1", b: "" });
    expect(tagMap(undefined)).toEqual({});
  });
});
