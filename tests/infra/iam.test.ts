import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LEASE_PARTITION } from "../../src/lock/dynamodb-lease";
import { ALARM_NAME_PREFIX, alarmTags } from "../../src/plan/alarm-definitions";
import {
  accessPointTags,
  MANAGED_BY_TAG,
  MANAGED_BY_VALUE,
  OWNERSHIP_TAG_KEYS,
} from "../../src/reconcilers/access-point-identity";
import { FAMILIES, FAMILY_TASKS, type Family } from "../../src/statemachine/action-families";
import {
  actionsOf,
  allStatements,
  asList,
  importClosure,
  isReadAction,
  loadTemplate,
  ROOT,
  resourcesOfType,
  roleStatements,
  type Statement,
  sdkActionsOf,
} from "./template";

const template = loadTemplate();

/**
 * Permissions AWS checks on the caller beyond the called action itself (AWS documentation):
 * EFS creates and modifies a mount target's network interface with the caller's permissions;
 * Lambda checks mount targets and the VPC configuration with the caller's permissions.
 */
const REQUIRED_BY_AWS: Partial<Record<Family, string[]>> = {
  mountTargets: [
    "ec2:CreateNetworkInterface",
    "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:DescribeSubnets",
    "ec2:DescribeNetworkInterfaces",
  ],
  functions: [
    "elasticfilesystem:DescribeMountTargets",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
  ],
};

/** Permissions AWS checks on the caller of one call, besides the call's own action (AWS API reference). */
const REQUIRED_WITH_CALL: Record<string, string[]> = {
  "elasticfilesystem:DescribeMountTargetSecurityGroups": ["ec2:DescribeNetworkInterfaceAttribute"],
};

/** Actions without resource-level permissions (or list calls naming no resource): `*` is the only resource. */
const NO_RESOURCE_LEVEL = new Set([
  "ec2:DescribeSubnets",
  "ec2:DescribeRouteTables",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeSecurityGroupRules",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeNetworkInterfaceAttribute",
  "ec2:DescribeVpcs",
  "elasticfilesystem:DescribeFileSystems",
  "elasticfilesystem:DescribeAccessPoints",
  "lambda:ListFunctions",
  "cloudwatch:DescribeAlarms",
  "tag:GetResources",
]);

/** Table management the record store does only for local runs and tests (the stack creates the table). */
const TABLE_MANAGEMENT = new Set([
  "dynamodb:CreateTable",
  "dynamodb:UpdateTimeToLive",
  "dynamodb:DescribeTable",
]);

const LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"];

function kebab(id: string): string {
  return id
    .replace(/Function$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase();
}

/** The actions a function's code can call: the SDK commands its Lambda entry's import closure sends. */
function codeActions(functionId: string): Set<string> {
  return sdkActionsOf(importClosure(join(ROOT, `src/statemachine/lambda/${kebab(functionId)}.ts`)));
}

/** The function of a reconciler family (`ExecuteMountTargetActionFunction`). */
function familyFunction(family: Family): string {
  return FAMILY_TASKS[family].placeholder.replace(/Arn$/, "");
}

/**
 * What a function's role must allow: what its code calls (less the table management only local
 * runs do), s3:ListBucket beside s3:GetObject (without it S3 answers GetObject of a missing
 * document with AccessDenied), and for a reconciler family what AWS checks on the caller.
 */
function expectedActions(functionId: string): Set<string> {
  const code = [...codeActions(functionId)].filter((a) => !TABLE_MANAGEMENT.has(a));
  const family = FAMILIES.find((f) => familyFunction(f) === functionId);
  return new Set([
    ...code,
    ...code.flatMap((a) => REQUIRED_WITH_CALL[a] ?? []),
    ...(code.includes("s3:GetObject") ? ["s3:ListBucket"] : []),
    ...((family && REQUIRED_BY_AWS[family]) ?? []),
  ]);
}

function familyActions(family: Family): Set<string> {
  return expectedActions(familyFunction(family));
}

const observeActions = sdkActionsOf(importClosure(join(ROOT, "src/observe/observe.ts")));

/** Role id → the actions its function's code needs (besides writing its own logs). */
const EXPECTED: Record<string, Set<string>> = Object.fromEntries(
  resourcesOfType(template, "AWS::Serverless::Function").map(([id]) => [`${id}Role`, expectedActions(id)]),
);

function sorted(set: Iterable<string>): string[] {
  return [...set].sort();
}

function statementsWith(statements: Statement[], action: string): Statement[] {
  return statements.filter((s) => asList(s.Action).includes(action));
}

describe("IAM in infra-sam/template.yaml", () => {
  const functions = resourcesOfType(template, "AWS::Serverless::Function");

  it("has no wildcard action, no NotAction and no Deny-less trick anywhere", () => {
    // The one Deny: the run bucket's policy refusing every request not sent over TLS.
    const statements = allStatements(template.Resources).filter((s) => s.Sid !== "DenyInsecureTransport");
    expect(statements.length).toBeGreaterThan(20);
    for (const s of statements) {
      expect(s.NotAction, s.Sid).toBeUndefined();
      expect(s.NotResource, s.Sid).toBeUndefined();
      expect(s.Effect, s.Sid).toBe("Allow");
      for (const action of asList(s.Action)) {
        expect(action, s.Sid).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
      }
    }
  });

  it("the wildcard check can fail", () => {
    const bad = allStatements({ P: { Statement: [{ Effect: "Allow", Action: "ec2:*", Resource: "*" }] } });
    expect(asList(bad[0]?.Action)[0]).not.toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
  });

  it("gives every function its own role", () => {
    for (const [id, fn] of functions) {
      expect(fn.Properties?.Role, id).toEqual({ "Fn::GetAtt": [`${id}Role`, "Arn"] });
      const trust = template.Resources[`${id}Role`]?.Properties?.AssumeRolePolicyDocument as {
        Statement: { Principal: unknown; Action: string }[];
      };
      expect(trust.Statement, id).toEqual([
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ]);
    }
    expect(Object.keys(EXPECTED).sort()).toEqual(functions.map(([id]) => `${id}Role`).sort());
  });

  it("grants each role exactly what its function's code calls, and its own log group", () => {
    for (const [role, expected] of Object.entries(EXPECTED)) {
      const statements = roleStatements(template, role);
      const granted = actionsOf(statements);
      expect(sorted(granted), role).toEqual(sorted(new Set([...expected, ...LOG_ACTIONS])));
      const logs = statements.filter((s) => asList(s.Action).some((a) => a.startsWith("logs:")));
      const fn = role.replace(/Role$/, "");
      const logging = template.Resources[fn]?.Properties?.LoggingConfig as { LogGroup: { Ref: string } };
      const group = logging.LogGroup.Ref;
      expect(
        logs.map((s) => s.Resource),
        role,
      ).toEqual([{ "Fn::GetAtt": [group, "Arn"] }]);
    }
  });

  it("derives real expectations from the code (the check can fail)", () => {
    expect(observeActions.has("elasticfilesystem:DescribeFileSystems")).toBe(true);
    expect(familyActions("accessPoints").has("elasticfilesystem:DeleteAccessPoint")).toBe(true);
    expect(familyActions("securityGroups").has("ec2:RevokeSecurityGroupIngress")).toBe(true);
    expect(familyActions("securityGroups").has("elasticfilesystem:DeleteAccessPoint")).toBe(false);
    // Each entry's closure holds only its own task: no write of a family reaches Plan or Verify,
    // and a family's function does not inherit observation's reads.
    expect(sorted(familyActions("securityGroups"))).toEqual([
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:DescribeSecurityGroupRules",
      "ec2:RevokeSecurityGroupIngress",
    ]);
    expect(sorted([...expectedActions("PlanFunction")].filter((a) => !isReadAction(a)))).toEqual([
      "s3:PutObject",
    ]);
    expect(sorted([...expectedActions("TakeLeaseFunction")].filter((a) => !isReadAction(a)))).toEqual([
      "dynamodb:DeleteItem",
      "dynamodb:PutItem",
    ]);
    expect(expectedActions("TakeLeaseFunction").has("elasticfilesystem:DescribeFileSystems")).toBe(false);
    expect(expectedActions("PlanFunction").has("elasticfilesystem:DeleteAccessPoint")).toBe(false);
    expect(expectedActions("RecordFunction").has("dynamodb:CreateTable")).toBe(false);
    expect(sorted([...expectedActions("CheckPendingFunction")].filter((a) => a.startsWith("s3:")))).toEqual([
      "s3:GetObject",
      "s3:ListBucket",
      "s3:PutObject",
    ]);
  });

  it("keeps every write action in the role of the one family that needs it; observation is read-only", () => {
    const writers = new Map<string, string[]>();
    for (const role of Object.keys(EXPECTED)) {
      for (const action of actionsOf(roleStatements(template, role))) {
        if (isReadAction(action) || action.startsWith("logs:")) continue;
        writers.set(action, [...(writers.get(action) ?? []), role]);
      }
    }
    for (const [action, roles] of writers) {
      if (action.startsWith("dynamodb:") || action.startsWith("events:") || action.startsWith("s3:"))
        continue;
      const owners = FAMILIES.filter((f) => familyActions(f).has(action)).map(
        (f) => `${FAMILY_TASKS[f].placeholder.replace(/Arn$/, "")}Role`,
      );
      expect(owners.length, action).toBeGreaterThan(0);
      expect(roles.sort(), action).toEqual(owners.sort());
    }
    for (const role of [
      "TakeLeaseFunctionRole",
      "PlanFunctionRole",
      "VerifyFunctionRole",
      "CheckPendingFunctionRole",
    ]) {
      const writes = [...actionsOf(roleStatements(template, role))].filter(
        (a) => !isReadAction(a) && !a.startsWith("logs:"),
      );
      expect(
        writes.filter((a) => !a.startsWith("dynamodb:") && !a.startsWith("s3:")),
        role,
      ).toEqual([]);
    }
  });

  it("lets the take-lease function write only the run lease item", () => {
    const statements = roleStatements(template, "TakeLeaseFunctionRole").filter((s) =>
      asList(s.Action).some((a) => a.startsWith("dynamodb:")),
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Resource).toEqual({ "Fn::GetAtt": ["RunsTable", "Arn"] });
    expect(statements[0]?.Condition).toEqual({
      "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [LEASE_PARTITION] },
    });
    const describe = statementsWith(
      roleStatements(template, "TakeLeaseFunctionRole"),
      "states:DescribeExecution",
    );
    expect(describe.map((s) => s.Resource)).toEqual([
      {
        "Fn::Sub": `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:\${AWS::StackName}-remediation:*`,
      },
    ]);
    expect(template.Resources.StateMachine?.Properties?.Name).toEqual({
      "Fn::Sub": `\${AWS::StackName}-remediation`,
    });
  });

  it("uses the `*` resource only for actions without resource-level permissions", () => {
    for (const role of Object.keys(EXPECTED)) {
      for (const s of roleStatements(template, role)) {
        if (!asList(s.Resource as string | string[]).includes("*")) continue;
        for (const action of asList(s.Action))
          expect(NO_RESOURCE_LEVEL.has(action), `${role}: ${action}`).toBe(true);
      }
    }
  });

  it("deletes and creates only managed access points, and writes only the reconciler's tags", () => {
    const statements = roleStatements(template, "ExecuteAccessPointActionFunctionRole");
    const [del] = statementsWith(statements, "elasticfilesystem:DeleteAccessPoint");
    expect(del?.Condition).toEqual({
      StringEquals: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE },
    });
    const [create] = statementsWith(statements, "elasticfilesystem:CreateAccessPoint");
    expect(create?.Condition).toEqual({
      StringEquals: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE },
    });
    const [tag] = statementsWith(statements, "elasticfilesystem:TagResource");
    const condition = tag?.Condition as { "ForAllValues:StringEquals": { "aws:TagKeys": string[] } };
    const keys = condition["ForAllValues:StringEquals"]["aws:TagKeys"];
    expect(keys.sort()).toEqual(
      accessPointTags("name", "hash")
        .map((t) => t.Key)
        .sort(),
    );
    // Releasing an access point removes only the reconciler's own tags, and only from a managed one.
    const [untag] = statementsWith(statements, "elasticfilesystem:UntagResource");
    expect(untag?.Condition).toEqual({
      StringEquals: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE },
      "ForAllValues:StringEquals": { "aws:TagKeys": [...OWNERSHIP_TAG_KEYS] },
    });
  });

  it("writes only the reconciler's efs-reconciler-* alarms, tagged managed", () => {
    const statements = roleStatements(template, "ExecuteFileSystemActionFunctionRole");
    const alarmArn = {
      "Fn::Sub": `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${ALARM_NAME_PREFIX}*`,
    };
    for (const action of ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource"]) {
      const found = statementsWith(statements, action);
      expect(found.length, action).toBeGreaterThan(0);
      for (const s of found) expect(s.Resource, action).toEqual(alarmArn);
    }
    const [tag] = statementsWith(statements, "cloudwatch:TagResource");
    const condition = tag?.Condition as { "ForAllValues:StringEquals": { "aws:TagKeys": string[] } };
    expect(condition["ForAllValues:StringEquals"]["aws:TagKeys"]).toEqual(alarmTags().map((t) => t.Key));
  });

  it("can confine revoking ingress to the manifests' mount-target security groups", () => {
    const statements = roleStatements(template, "ExecuteSecurityGroupActionFunctionRole");
    const onGroups = statementsWith(statements, "ec2:RevokeSecurityGroupIngress").filter((s) =>
      JSON.stringify(s.Resource).includes("security-group/"),
    );
    expect(onGroups).toHaveLength(1);
    expect(onGroups[0]?.Condition).toEqual({
      "Fn::If": [
        "RestrictMountTargetSecurityGroups",
        { StringEquals: { "ec2:SecurityGroupID": { Ref: "MountTargetSecurityGroupIds" } } },
        { Ref: "AWS::NoValue" },
      ],
    });
    const egress = statementsWith(statements, "ec2:AuthorizeSecurityGroupEgress");
    expect(egress.every((s) => !asList(s.Action).includes("ec2:RevokeSecurityGroupEgress"))).toBe(true);
  });

  it("lets the state machine invoke its own functions, run its Distributed Map and use its run bucket, nothing else", () => {
    expect(template.Resources.StateMachine?.Properties?.Role).toEqual({
      "Fn::GetAtt": ["StateMachineRole", "Arn"],
    });
    const statements = roleStatements(template, "StateMachineRole");
    // ItemReader reads with s3:GetObject; a ResultWriter needs these four (AWS documentation).
    const bucketActions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:ListMultipartUploadParts",
      "s3:AbortMultipartUpload",
    ];
    const childActions = ["states:StartExecution", "states:DescribeExecution", "states:StopExecution"];
    expect(sorted(actionsOf(statements))).toEqual(
      sorted(["lambda:InvokeFunction", ...bucketActions, ...childActions]),
    );

    const invoked = statementsWith(statements, "lambda:InvokeFunction").flatMap((s) =>
      asList(s.Resource as unknown[]),
    );
    expect(invoked).toEqual(expect.arrayContaining(functions.map(([id]) => ({ "Fn::GetAtt": [id, "Arn"] }))));
    expect(invoked).toHaveLength(functions.length);

    for (const action of bucketActions) {
      expect(
        statementsWith(statements, action).map((s) => s.Resource),
        action,
      ).toEqual([{ "Fn::Sub": `\${RunBucket.Arn}/*` }]);
    }
    // Its own state machine, by the name the template gives it (a reference would be circular).
    const arn = `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}`;
    expect(statementsWith(statements, "states:StartExecution").map((s) => s.Resource)).toEqual([
      { "Fn::Sub": `${arn}:stateMachine:\${AWS::StackName}-remediation` },
    ]);
    for (const action of ["states:DescribeExecution", "states:StopExecution"]) {
      const resources = statementsWith(statements, action).flatMap((s) => asList(s.Resource as unknown[]));
      // A Distributed Map's child executions are named STATE-MACHINE/MAP-LABEL:ID.
      expect(resources, action).toContainEqual({
        "Fn::Sub": `${arn}:execution:\${AWS::StackName}-remediation/*`,
      });
      for (const r of resources)
        expect(JSON.stringify(r), action).toContain(`execution:\${AWS::StackName}-remediation`);
    }
    expect(template.Resources.StateMachine?.Properties?.Name).toEqual({
      "Fn::Sub": `\${AWS::StackName}-remediation`,
    });
  });
});
