import {
  AttachRolePolicyCommand,
  CreatePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { beforeEach, describe, expect, it } from "vitest";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { seedManagedPolicy, seedRole } from "../../support/seed";

const AWS_EFS_CLIENT_RW = "arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadWriteAccess";

describe("emulator: IAM policies", () => {
  const clients = emulatorClients();

  beforeEach(async () => {
    await resetEmulator();
  });

  it("knows AWS managed policies: attachable, with their default version's document", async () => {
    await seedRole(clients, { roleName: "app", managedPolicyArns: [AWS_EFS_CLIENT_RW] });
    const attached = await clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "app" }));
    expect(attached.AttachedPolicies).toEqual([
      { PolicyName: "AmazonElasticFileSystemClientReadWriteAccess", PolicyArn: AWS_EFS_CLIENT_RW },
    ]);
    const policy = await clients.iam.send(new GetPolicyCommand({ PolicyArn: AWS_EFS_CLIENT_RW }));
    expect(policy.Policy?.DefaultVersionId).toBe("v1");
    const version = await clients.iam.send(
      new GetPolicyVersionCommand({ PolicyArn: AWS_EFS_CLIENT_RW, VersionId: "v1" }),
    );
    expect(JSON.parse(decodeURIComponent(version.PolicyVersion?.Document ?? ""))).toEqual({
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
    });
  });

  it("still knows them after a reset, with none of the attachments made before it", async () => {
    await seedRole(clients, { roleName: "before", managedPolicyArns: [AWS_EFS_CLIENT_RW] });
    await resetEmulator();
    await seedRole(clients, { roleName: "after", managedPolicyArns: [AWS_EFS_CLIENT_RW] });
    const attached = await clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "after" }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([AWS_EFS_CLIENT_RW]);
    const policy = await clients.iam.send(new GetPolicyCommand({ PolicyArn: AWS_EFS_CLIENT_RW }));
    expect(policy.Policy?.AttachmentCount).toBe(1);
  });

  it("URL-encodes GetPolicyVersion's document, as GetRolePolicy's", async () => {
    const first = { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "*" }] };
    const second = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "elasticfilesystem:ClientMount", Resource: "*" }],
    };
    const arn = await seedManagedPolicy(clients, { policyName: "efs", document: first });
    await clients.iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: arn,
        PolicyDocument: JSON.stringify(second),
        SetAsDefault: true,
      }),
    );
    const version = await clients.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v2" }));
    const document = version.PolicyVersion?.Document ?? "";
    expect(document.startsWith("%7B")).toBe(true);
    expect(JSON.parse(decodeURIComponent(document))).toEqual(second);

    await seedRole(clients, { roleName: "inline", inlinePolicies: { efs: second } });
    await clients.iam.send(new AttachRolePolicyCommand({ RoleName: "inline", PolicyArn: arn }));
    const inline = await clients.iam.send(
      new GetRolePolicyCommand({ RoleName: "inline", PolicyName: "efs" }),
    );
    expect(inline.PolicyDocument?.startsWith("%7B")).toBe(true);
    expect(JSON.parse(decodeURIComponent(inline.PolicyDocument ?? ""))).toEqual(second);
  });
});
