/**
 * The emulator's fault injection over the wire: each service's real throttling, access-denied and
 * expired-token answers (status, headers, error shape), deterministic decisions from a seed, rules
 * keyed on operation and resource, and the "crash" stand-in that fails every mutation after the
 * k-th. A faulted call never reaches moto, so it changes nothing.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import { DescribeFileSystemsCommand } from "@aws-sdk/client-efs";
import { ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import { CallRecorder, DEFAULT_MAX_ATTEMPTS } from "../../src/aws/clients";
import { emulatorClients, emulatorEndpoint, resetEmulator } from "../support/emulator";
import { seedNetwork } from "../support/seed";
import { countInjected, faultReport, productionClients, setFaults } from "./support/faults";

/** A request the fault hook recognises (it reads only the SigV4 credential scope, not the signature). */
async function rawCall(
  service: "ec2" | "elasticfilesystem" | "lambda",
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${emulatorEndpoint()}${path}`, {
    method,
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
      ...(body ? { "content-type": "application/x-www-form-urlencoded; charset=utf-8" } : {}),
    },
    ...(body ? { body } : {}),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

interface SdkError {
  name: string;
  message: string;
  $metadata: { httpStatusCode?: number; attempts?: number };
  retryAfterSeconds?: string;
  Reason?: string;
}

async function sdkError(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call;
  } catch (err) {
    return err as SdkError;
  }
  throw new Error("the call succeeded; a fault was expected");
}

beforeEach(async () => {
  await resetEmulator();
});

describe("throttling answers, as each service sends them", () => {
  it("EC2: HTTP 503 RequestLimitExceeded in EC2's XML error document", async () => {
    await setFaults({ rate: 1, services: ["ec2"] });
    const raw = await rawCall("ec2", "POST", "/", "Action=DescribeVpcs&Version=2016-11-15");
    expect(raw.status).toBe(503);
    expect(raw.headers.get("content-type")).toMatch(/^text\/xml/);
    expect(raw.text).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Response><Errors><Error><Code>RequestLimitExceeded<\/Code><Message>Request limit exceeded.<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/,
    );
    const err = await sdkError(emulatorClients().ec2.send(new DescribeVpcsCommand({})));
    expect(err.name).toBe("RequestLimitExceeded");
    expect(err.message).toBe("Request limit exceeded.");
    expect(err.$metadata.httpStatusCode).toBe(503);
  });

  it("EFS: HTTP 429 ThrottlingException, x-amzn-ErrorType and an ErrorCode/Message body", async () => {
    await setFaults({ rate: 1, services: ["efs"] });
    const raw = await rawCall("elasticfilesystem", "GET", "/2015-02-01/file-systems");
    expect(raw.status).toBe(429);
    expect(raw.headers.get("x-amzn-errortype")).toBe("ThrottlingException");
    expect(raw.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(raw.text)).toEqual({ ErrorCode: "ThrottlingException", Message: "Rate exceeded" });
    const err = await sdkError(emulatorClients().efs.send(new DescribeFileSystemsCommand({})));
    expect(err.name).toBe("ThrottlingException");
    expect(err.$metadata.httpStatusCode).toBe(429);
  });

  it("Lambda: HTTP 429 TooManyRequestsException with Retry-After (the SDK's retryAfterSeconds) and a reason", async () => {
    await setFaults({ rate: 1, services: ["lambda"] });
    const raw = await rawCall("lambda", "GET", "/2015-03-31/functions/");
    expect(raw.status).toBe(429);
    expect(raw.headers.get("x-amzn-errortype")).toBe("TooManyRequestsException");
    expect(raw.headers.get("retry-after")).toBe("1");
    expect(JSON.parse(raw.text)).toEqual({
      Reason: "CallerRateLimitExceeded",
      Type: "User",
      message: "Rate exceeded",
    });
    const err = await sdkError(emulatorClients().lambda.send(new ListFunctionsCommand({})));
    expect(err.name).toBe("TooManyRequestsException");
    expect(err.retryAfterSeconds).toBe("1");
    expect(err.Reason).toBe("CallerRateLimitExceeded");
    expect(err.$metadata.httpStatusCode).toBe(429);
  });

  it("only the listed services are throttled; control routes and unsigned requests never are", async () => {
    await setFaults({ rate: 1, services: ["lambda"] });
    const clients = emulatorClients();
    await expect(clients.ec2.send(new DescribeVpcsCommand({}))).resolves.toBeDefined();
    await expect(clients.efs.send(new DescribeFileSystemsCommand({}))).resolves.toBeDefined();
    expect((await fetch(`${emulatorEndpoint()}/efs-reconciler/health`)).status).toBe(200);
    expect((await fetch(`${emulatorEndpoint()}/moto-api/`)).status).toBeLessThan(500);
    expect(countInjected(await faultReport())).toEqual({ ec2: 0, efs: 0, lambda: 0, total: 0 });
  });

  it("the production retry policy rides through: every extra attempt answers exactly one injected throttle", async () => {
    await setFaults({ seed: 3, rate: 0.3 });
    const recorder = new CallRecorder();
    const clients = productionClients(recorder);
    for (let i = 0; i < 4; i++) {
      await clients.ec2.send(new DescribeVpcsCommand({}));
      await clients.efs.send(new DescribeFileSystemsCommand({}));
    }
    const injected = countInjected(await faultReport());
    const attempts = recorder.calls.reduce((n, c) => n + c.attempts, 0);
    expect(recorder.calls.every((c) => c.ok)).toBe(true);
    expect(injected.total).toBeGreaterThan(0);
    expect(attempts).toBe(recorder.count() + injected.total);
    expect(Math.max(...recorder.calls.map((c) => c.attempts))).toBeLessThanOrEqual(DEFAULT_MAX_ATTEMPTS);
  });
});

describe("deterministic decisions", () => {
  async function pattern(seed: number): Promise<string> {
    await setFaults({ seed, rate: 0.3 });
    const ec2 = emulatorClients().ec2;
    let out = "";
    for (let i = 0; i < 30; i++) {
      out += await ec2.send(new DescribeVpcsCommand({})).then(
        () => ".",
        () => "T",
      );
    }
    return out;
  }

  it("the same seed throttles the same calls; another seed others", async () => {
    const first = await pattern(42);
    expect(await pattern(42)).toBe(first);
    expect(await pattern(7)).not.toBe(first);
    const throttled = [...first].filter((c) => c === "T").length;
    expect(throttled).toBeGreaterThan(0);
    expect(throttled).toBeLessThan(30);
  });
});

describe("rules keyed on operation and resource", () => {
  it("denies one operation on one resource only, then lets it through after `times`", async () => {
    const clients = emulatorClients();
    const net = await seedNetwork(clients, { azs: ["us-east-1a"] });
    for (const groupId of [net.efsSecurityGroupId, net.lambdaSecurityGroupId]) {
      await clients.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
          ],
        }),
      );
    }
    const ruleOf = async (groupId: string) => {
      const out = await clients.ec2.send(
        new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }),
      );
      return out.SecurityGroupRules?.find((r) => !r.IsEgress)?.SecurityGroupRuleId;
    };
    const efsRule = await ruleOf(net.efsSecurityGroupId);
    const lambdaRule = await ruleOf(net.lambdaSecurityGroupId);
    await setFaults({
      rules: [
        {
          service: "ec2",
          operation: "RevokeSecurityGroupIngress",
          match: net.efsSecurityGroupId,
          error: "accessDenied",
          times: 1,
        },
      ],
    });

    const revoke = (groupId: string, ruleId: string | undefined) =>
      clients.ec2.send(
        new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [ruleId ?? ""] }),
      );
    const denied = await sdkError(revoke(net.efsSecurityGroupId, efsRule));
    expect(denied.name).toBe("UnauthorizedOperation");
    expect(denied.$metadata.httpStatusCode).toBe(403);
    expect(denied.message).toContain(
      "is not authorized to perform: ec2:RevokeSecurityGroupIngress because no identity-based policy allows",
    );
    expect(denied.message).toContain("Encoded authorization failure message:");
    expect(await ruleOf(net.efsSecurityGroupId)).toBe(efsRule); // the denied call changed nothing

    await revoke(net.lambdaSecurityGroupId, lambdaRule); // another resource: not matched
    expect(await ruleOf(net.lambdaSecurityGroupId)).toBeUndefined();
    await revoke(net.efsSecurityGroupId, efsRule); // `times: 1` used up
    expect(await ruleOf(net.efsSecurityGroupId)).toBeUndefined();

    const report = await faultReport();
    expect(report.injected).toEqual([
      {
        service: "ec2",
        operation: "RevokeSecurityGroupIngress",
        mutating: true,
        error: "accessDenied",
        reason: "rule 0",
      },
    ]);
  });

  it("answers expired and invalid tokens in each service's own error", async () => {
    const clients = emulatorClients();
    await setFaults({ rules: [{ error: "expiredToken" }] });
    const ec2 = await sdkError(clients.ec2.send(new DescribeVpcsCommand({})));
    const efs = await sdkError(clients.efs.send(new DescribeFileSystemsCommand({})));
    const lambda = await sdkError(clients.lambda.send(new ListFunctionsCommand({})));
    expect([ec2.name, ec2.$metadata.httpStatusCode]).toEqual(["RequestExpired", 400]);
    expect([efs.name, efs.$metadata.httpStatusCode]).toEqual(["ExpiredTokenException", 403]);
    expect([lambda.name, lambda.$metadata.httpStatusCode]).toEqual(["ExpiredTokenException", 403]);
    expect(lambda.message).toBe("The security token included in the request is expired");

    await setFaults({ rules: [{ error: "invalidToken" }] });
    expect((await sdkError(clients.ec2.send(new DescribeVpcsCommand({})))).name).toBe("AuthFailure");
    expect((await sdkError(clients.lambda.send(new ListFunctionsCommand({})))).name).toBe(
      "UnrecognizedClientException",
    );
  });
});

describe("the crash stand-in: every mutation after the k-th fails", () => {
  it("lets k mutating calls through, then denies every mutation while reads keep working", async () => {
    const clients = emulatorClients();
    const net = await seedNetwork(clients, { azs: ["us-east-1a"] });
    await setFaults({ failMutationsAfter: 2 });
    const create = (name: string) =>
      clients.ec2.send(
        new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: net.vpcId }),
      );
    await create("one");
    await create("two");
    const third = await sdkError(create("three"));
    expect(third.name).toBe("UnauthorizedOperation");
    const groups = await clients.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [net.vpcId] }] }),
    );
    expect(groups.SecurityGroups?.map((g) => g.GroupName).sort()).toEqual(
      ["default", "efs-reconciler-test-efs", "efs-reconciler-test-lambda", "one", "two"].sort(),
    );
    const report = await faultReport();
    expect(report.mutations).toBe(2);
    expect(report.injected.map((f) => `${f.operation}:${f.reason}`)).toEqual([
      "CreateSecurityGroup:failMutationsAfter",
    ]);
  });
});

describe("configuration", () => {
  it("refuses an unknown key or a bad value with HTTP 400 and says what is allowed", async () => {
    const post = (body: unknown) =>
      fetch(`${emulatorEndpoint()}/efs-reconciler/config`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const bad = await post({ faults: { rate: 2 } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "faults.rate must be a number from 0 to 1, got 2" });
    const unknown = await post({ faults: { rules: [{ error: "boom" }] } });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toContain(
      "faults.rules[0].error must be one of",
    );
  });

  it("shows the faults in the config while set; every reset turns them off", async () => {
    await setFaults({ seed: 1, rate: 0.1 });
    const config = await fetch(`${emulatorEndpoint()}/efs-reconciler/config`).then((r) => r.json());
    expect(config).toMatchObject({ faults: { seed: 1, rate: 0.1, services: ["ec2", "efs", "lambda"] } });
    await resetEmulator();
    expect(await fetch(`${emulatorEndpoint()}/efs-reconciler/config`).then((r) => r.json())).toEqual({
      mountTargetCreatingDescribes: 0,
    });
    expect((await faultReport()).config).toBeNull();
  });
});
