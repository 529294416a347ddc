import { describe, expect, it } from "vitest";
import {
  actionMatches,
  awsManagedPolicyName,
  type EfsAccessInput,
  type EfsClientAction,
  evaluateEfsAccess,
  minimalStatement,
  parsePolicy,
  requiredActions,
  resourceMatches,
} from "../../../src/plan/iam-policy";

const ACCOUNT = "123456789012";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const FS = "fs-0123456789abcdef0";
const FS_ARN = `arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:file-system/${FS}`;
const OTHER_FS_ARN = `arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:file-system/fs-0fedcba9876543210`;
const AP_ARN = `arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:access-point/fsap-0123456789abcdef0`;

/** The document of the AWS managed policy AmazonElasticFileSystemClientReadWriteAccess. */
const AWS_CLIENT_RW = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: [
        "elasticfilesystem:ClientMount",
        "elasticfilesystem:ClientWrite",
        "elasticfilesystem:DescribeMountTargets",
      ],
      Resource: "*",
    },
  ],
};

const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const allow = (Action: string | string[], Resource: string | string[] = FS_ARN, extra: object = {}) => ({
  Effect: "Allow",
  Action,
  Resource,
  ...extra,
});
const deny = (Action: string | string[], Resource: string | string[] = FS_ARN, extra: object = {}) => ({
  Effect: "Deny",
  Action,
  Resource,
  ...extra,
});

interface Case {
  name: string;
  identity?: string[];
  resourcePolicy?: string;
  accessPointArn?: string;
  /** The client actions that end up allowed. */
  allowed: EfsClientAction[];
  /** Sources of the broad grants found (empty: least privilege). */
  broad?: string[];
}

const cases: Case[] = [
  {
    name: "exact grant on the file system ARN",
    identity: [doc(allow(["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]))],
    allowed: ["ClientMount", "ClientWrite"],
  },
  {
    name: "nothing granted",
    identity: [doc(allow("s3:GetObject", "*"))],
    allowed: [],
  },
  {
    name: "wildcard action elasticfilesystem:Client* (client actions only: not broad)",
    identity: [doc(allow("elasticfilesystem:Client*"))],
    allowed: ["ClientMount", "ClientWrite", "ClientRootAccess"],
  },
  {
    name: "action names are case-insensitive",
    identity: [doc(allow("ElasticFileSystem:clientmount"))],
    allowed: ["ClientMount"],
  },
  {
    name: "wildcard action elasticfilesystem:* is broad",
    identity: [doc(allow("elasticfilesystem:*"))],
    allowed: ["ClientMount", "ClientWrite", "ClientRootAccess"],
    broad: ["inline policy p0"],
  },
  {
    name: "Action * on Resource * is broad",
    identity: [doc(allow("*", "*"))],
    allowed: ["ClientMount", "ClientWrite", "ClientRootAccess"],
    broad: ["inline policy p0"],
  },
  {
    name: "wildcard resource file-system/* grants, and is broad",
    identity: [
      doc(allow("elasticfilesystem:ClientMount", `arn:aws:elasticfilesystem:*:${ACCOUNT}:file-system/*`)),
    ],
    allowed: ["ClientMount"],
    broad: ["inline policy p0"],
  },
  {
    name: "resource wildcard ? matching only this id",
    identity: [doc(allow("elasticfilesystem:ClientMount", FS_ARN.replace(/0$/, "?")))],
    allowed: ["ClientMount"],
  },
  {
    name: "grant on another file system does not count",
    identity: [doc(allow("elasticfilesystem:ClientMount", OTHER_FS_ARN))],
    allowed: [],
  },
  {
    name: "resource ARNs are case-sensitive",
    identity: [doc(allow("elasticfilesystem:ClientMount", FS_ARN.toUpperCase()))],
    allowed: [],
  },
  {
    name: "NotAction grants every other action, EFS included (broad)",
    identity: [doc({ Effect: "Allow", NotAction: ["iam:*", "s3:*"], Resource: "*" })],
    allowed: ["ClientMount", "ClientWrite", "ClientRootAccess"],
    broad: ["inline policy p0"],
  },
  {
    name: "NotAction excluding EFS grants nothing on EFS",
    identity: [doc({ Effect: "Allow", NotAction: "elasticfilesystem:*", Resource: "*" })],
    allowed: [],
  },
  {
    name: "NotResource grants on the file system when it is not excluded (broad)",
    identity: [doc({ Effect: "Allow", Action: "elasticfilesystem:ClientMount", NotResource: OTHER_FS_ARN })],
    allowed: ["ClientMount"],
    broad: ["inline policy p0"],
  },
  {
    name: "explicit Deny wins over Allow",
    identity: [
      doc(allow(["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"])),
      doc(deny("elasticfilesystem:ClientWrite", "*")),
    ],
    allowed: ["ClientMount"],
  },
  {
    name: "a conditioned Allow on an unknown key does not count",
    identity: [
      doc(
        allow("elasticfilesystem:ClientMount", FS_ARN, {
          Condition: { StringEquals: { "aws:ResourceTag/team": "ml" } },
        }),
      ),
    ],
    allowed: [],
  },
  {
    name: "a conditioned Deny on an unknown key counts",
    identity: [
      doc(allow(["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"])),
      doc(
        deny("elasticfilesystem:ClientWrite", "*", {
          Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
        }),
      ),
    ],
    allowed: ["ClientMount"],
  },
  {
    name: "a Deny unless TLS does not apply to Lambda (it mounts with TLS)",
    identity: [doc(allow(["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]))],
    resourcePolicy: doc({
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "*",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    }),
    allowed: ["ClientMount", "ClientWrite"],
  },
  {
    name: "an Allow on the mounted access point counts when the function mounts it",
    identity: [
      doc(
        allow("elasticfilesystem:ClientMount", FS_ARN, {
          Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": AP_ARN } },
        }),
      ),
    ],
    accessPointArn: AP_ARN,
    allowed: ["ClientMount"],
  },
  {
    name: "an Allow on another access point does not",
    identity: [
      doc(
        allow("elasticfilesystem:ClientMount", FS_ARN, {
          Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": `${AP_ARN}9` } },
        }),
      ),
    ],
    accessPointArn: AP_ARN,
    allowed: [],
  },
  {
    name: "AWS managed policy AmazonElasticFileSystemClientReadWriteAccess: grants mount and write, is broad",
    identity: [JSON.stringify(AWS_CLIENT_RW)],
    allowed: ["ClientMount", "ClientWrite"],
    broad: ["inline policy p0"],
  },
  {
    name: "missing write for readWrite: a mount-only grant",
    identity: [doc(allow("elasticfilesystem:ClientMount"))],
    allowed: ["ClientMount"],
  },
  {
    name: "resource policy grant to the role (no identity grant)",
    identity: [doc(allow("logs:*", "*"))],
    resourcePolicy: doc({
      Effect: "Allow",
      Principal: { AWS: ROLE },
      Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
      Resource: FS_ARN,
    }),
    allowed: ["ClientMount", "ClientWrite"],
  },
  {
    name: "resource policy grant to everyone, without Resource (its own file system)",
    resourcePolicy: doc({ Effect: "Allow", Principal: "*", Action: "elasticfilesystem:ClientMount" }),
    allowed: ["ClientMount"],
  },
  {
    name: "resource policy grant to the account root only delegates (no grant by itself)",
    resourcePolicy: doc({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: "elasticfilesystem:ClientMount",
    }),
    allowed: [],
  },
  {
    name: "resource policy conditioned on the mount target path counts (Lambda mounts through one)",
    resourcePolicy: doc({
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: ["elasticfilesystem:ClientMount"],
      Condition: { Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" } },
    }),
    allowed: ["ClientMount"],
  },
  {
    name: "resource policy Deny to the account denies the role",
    identity: [doc(allow(["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]))],
    resourcePolicy: doc({
      Effect: "Deny",
      Principal: { AWS: ACCOUNT },
      Action: "elasticfilesystem:ClientWrite",
    }),
    allowed: ["ClientMount"],
  },
  {
    name: "resource policy Deny with NotPrincipal naming the role exempts it",
    identity: [doc(allow(["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]))],
    resourcePolicy: doc({
      Effect: "Deny",
      NotPrincipal: { AWS: ROLE },
      Action: "elasticfilesystem:*",
    }),
    allowed: ["ClientMount", "ClientWrite"],
  },
  {
    name: "a policy that is not JSON grants nothing",
    identity: ["{not json"],
    allowed: [],
  },
];

function input(c: Case): EfsAccessInput {
  return {
    roleArn: ROLE,
    fileSystemArn: FS_ARN,
    identityPolicies: (c.identity ?? []).map((document, i) => ({ label: `inline policy p${i}`, document })),
    resourcePolicy: c.resourcePolicy ?? null,
    ...(c.accessPointArn ? { accessPointArn: c.accessPointArn } : {}),
  };
}

describe("evaluateEfsAccess", () => {
  it.each(cases)("$name", (c) => {
    const result = evaluateEfsAccess(input(c));
    const allowed = (["ClientMount", "ClientWrite", "ClientRootAccess"] as const).filter(
      (a) => result.decisions[a].allowed,
    );
    expect(allowed).toEqual(c.allowed);
    expect(result.broadGrants.map((g) => g.source)).toEqual(c.broad ?? []);
  });

  it("says which policy grants and which denies", () => {
    const result = evaluateEfsAccess({
      roleArn: ROLE,
      fileSystemArn: FS_ARN,
      identityPolicies: [
        { label: "inline policy efs", document: doc(allow("elasticfilesystem:ClientWrite")) },
        { label: "managed policy guard", document: doc(deny("elasticfilesystem:ClientWrite", "*")) },
        {
          label: "inline policy tagged",
          document: doc(
            allow("elasticfilesystem:ClientMount", FS_ARN, {
              Condition: { StringEquals: { "aws:ResourceTag/team": "ml" } },
            }),
          ),
        },
      ],
      resourcePolicy: null,
    });
    expect(result.decisions.ClientWrite).toEqual({
      allowed: false,
      allowedBy: ["inline policy efs"],
      deniedBy: ["managed policy guard"],
      conditionallyAllowedBy: [],
    });
    expect(result.decisions.ClientMount.conditionallyAllowedBy).toEqual(["inline policy tagged"]);
  });

  it("describes a broad grant: the actions beyond the client ones and the resources", () => {
    const result = evaluateEfsAccess({
      ...input({ name: "", allowed: [] }),
      identityPolicies: [
        {
          label: "AWS managed policy AmazonElasticFileSystemClientReadWriteAccess",
          document: JSON.stringify(AWS_CLIENT_RW),
        },
      ],
    });
    expect(result.broadGrants).toEqual([
      {
        source: "AWS managed policy AmazonElasticFileSystemClientReadWriteAccess",
        beyondClient: ["DescribeMountTargets"],
        onEveryFileSystem: true,
        resources: ["*"],
      },
    ]);
  });

  it("reports unreadable policies", () => {
    const result = evaluateEfsAccess(
      input({ name: "", identity: ['{"Statement": [{"Effect": "Maybe"}]}'], allowed: [] }),
    );
    expect(result.unreadable).toEqual(['inline policy p0: a statement has Effect "Maybe"']);
  });
});

describe("policy helpers", () => {
  it.each([
    ["*", "elasticfilesystem:ClientMount", true],
    ["elasticfilesystem:Client*", "elasticfilesystem:ClientWrite", true],
    ["elasticfilesystem:Client*", "elasticfilesystem:DescribeMountTargets", false],
    ["elasticfilesystem:Client?ount", "elasticfilesystem:ClientMount", true],
    ["efs:ClientMount", "elasticfilesystem:ClientMount", false],
  ])("action %s matches %s: %s", (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });

  it.each([
    ["*", FS_ARN, true],
    ["arn:aws:elasticfilesystem:*:*:file-system/*", FS_ARN, true],
    ["arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123*", FS_ARN, true],
    ["arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/*", FS_ARN, false],
    ["arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0.", FS_ARN, false],
  ])("resource %s matches %s: %s", (pattern, arn, expected) => {
    expect(resourceMatches(pattern, arn)).toBe(expected);
  });

  it("parses a single statement object and string or list fields", () => {
    const parsed = parsePolicy(
      JSON.stringify({ Statement: { Sid: "One", Effect: "Allow", Action: "a:b", Resource: "*" } }),
    );
    expect(parsed).toEqual({
      ok: true,
      statements: [{ sid: "One", effect: "Allow", actions: ["a:b"], resources: ["*"] }],
    });
  });

  it("names AWS managed policies by ARN, paths included", () => {
    expect(awsManagedPolicyName("arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadWriteAccess")).toBe(
      "AmazonElasticFileSystemClientReadWriteAccess",
    );
    expect(awsManagedPolicyName("arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")).toBe(
      "AWSLambdaVPCAccessExecutionRole",
    );
    expect(awsManagedPolicyName(`arn:aws:iam::${ACCOUNT}:policy/mine`)).toBeUndefined();
  });

  it("gives the least-privilege statement per access", () => {
    expect(requiredActions("readOnly")).toEqual(["ClientMount"]);
    expect(minimalStatement(FS_ARN, "readWrite")).toEqual({
      Effect: "Allow",
      Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
      Resource: FS_ARN,
    });
    expect(minimalStatement(FS_ARN, "readOnly").Action).toEqual(["elasticfilesystem:ClientMount"]);
  });
});
