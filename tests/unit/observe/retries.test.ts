/**
 * Throttling goes through the SDK's own retry middleware (standard mode, from createClients), so
 * these tests use real clients whose HTTP layer answers in-process: a few throttling replies,
 * then success. aws-sdk-client-mock would bypass that middleware.
 */
import { Readable } from "node:stream";
import { DescribeFileSystemsCommand } from "@aws-sdk/client-efs";
import { GetRolePolicyCommand } from "@aws-sdk/client-iam";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  CallRecorder,
  createClients,
  DEFAULT_MAX_ATTEMPTS,
  type RetryNotice,
} from "../../../src/aws/clients";
import { retryLine } from "../../../src/cli/with-aws-clients";
import type { DesiredState } from "../../../src/desired-state/types";
import { observe } from "../../../src/observe/observe";
import { ObserveError } from "../../../src/observe/observe-error";
import { fnManifest, fsManifest, MT_SG } from "./fake-account";

interface WireRequest {
  method: string;
  path: string;
  query?: Record<string, unknown>;
  headers?: Record<string, string>;
  body?: unknown;
}

interface WireResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Readable;
}

const FS_ID = "fs-00000000000000001";

const JSON_OK: Record<string, unknown> = {
  DescribeFileSystems: {
    FileSystems: [
      {
        FileSystemId: FS_ID,
        FileSystemArn: `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${FS_ID}`,
        OwnerId: "123456789012",
        CreationToken: "t",
        CreationTime: 0,
        LifeCycleState: "available",
        NumberOfMountTargets: 0,
        SizeInBytes: { Value: 0 },
        PerformanceMode: "generalPurpose",
        ThroughputMode: "bursting",
        Encrypted: true,
        Name: "ml-data",
        Tags: [{ Key: "Name", Value: "ml-data" }],
      },
    ],
  },
  DescribeAccessPoints: { AccessPoints: [] },
  DescribeMountTargets: { MountTargets: [] },
  DescribeLifecycleConfiguration: { LifecyclePolicies: [{ TransitionToIA: "AFTER_30_DAYS" }] },
  DescribeAlarms: { MetricAlarms: [], CompositeAlarms: [] },
  GetResources: { ResourceTagMappingList: [], PaginationToken: "" },
  ListFunctions: {
    Functions: [
      {
        FunctionName: "search",
        FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:search",
        Timeout: 45,
      },
    ],
  },
};

const EC2_NS = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"';
const XML_OK: Record<string, string> = {
  DescribeSecurityGroups: `<DescribeSecurityGroupsResponse ${EC2_NS}><requestId>r-1</requestId><securityGroupInfo><item><groupId>${MT_SG}</groupId><groupName>efs</groupName><vpcId>vpc-1</vpcId></item></securityGroupInfo></DescribeSecurityGroupsResponse>`,
  DescribeSecurityGroupRules: `<DescribeSecurityGroupRulesResponse ${EC2_NS}><requestId>r-2</requestId><securityGroupRuleSet><item><securityGroupRuleId>sgr-1</securityGroupRuleId><groupId>${MT_SG}</groupId><isEgress>false</isEgress><ipProtocol>tcp</ipProtocol><fromPort>2049</fromPort><toPort>2049</toPort><cidrIpv4>10.0.0.0/16</cidrIpv4></item></securityGroupRuleSet></DescribeSecurityGroupRulesResponse>`,
};

/**
 * The operation a request is for, from its protocol shape (REST paths for EFS/Lambda, `Action=` for
 * EC2, the `X-Amz-Target` header for CloudWatch's JSON protocol).
 */
function operationOf(req: WireRequest): string {
  const target = Object.entries(req.headers ?? {}).find(([k]) => k.toLowerCase() === "x-amz-target")?.[1];
  if (target) return target.split(".").at(-1) ?? "Unknown";
  if (typeof req.body === "string" && req.body.includes("Action=")) {
    return /Action=([A-Za-z]+)/.exec(req.body)?.[1] ?? "Unknown";
  }
  if (req.path.startsWith("/2015-03-31/functions")) return "ListFunctions";
  if (req.path.endsWith("/lifecycle-configuration")) return "DescribeLifecycleConfiguration";
  if (req.path.startsWith("/2015-02-01/file-systems")) return "DescribeFileSystems";
  if (req.path.startsWith("/2015-02-01/access-points")) return "DescribeAccessPoints";
  if (req.path.startsWith("/2015-02-01/mount-targets")) return "DescribeMountTargets";
  return `Unknown ${req.method} ${req.path}`;
}

function reply(statusCode: number, contentType: string, body: string): { response: WireResponse } {
  return {
    response: {
      statusCode,
      headers: { "content-type": contentType },
      body: Readable.from([Buffer.from(body)]),
    },
  };
}

/** An HTTP layer answering like AWS, throttling the first `throttles[op]` attempts of an operation. */
function throttlingHandler(throttles: Record<string, number>) {
  const attempts: Record<string, number> = {};
  return {
    attempts,
    handle: async (req: WireRequest) => {
      const op = operationOf(req);
      attempts[op] = (attempts[op] ?? 0) + 1;
      const throttled = attempts[op] <= (throttles[op] ?? 0);
      if (op in XML_OK) {
        return throttled
          ? reply(
              400,
              "text/xml",
              "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>r-0</RequestID></Response>",
            )
          : reply(200, "text/xml", XML_OK[op] ?? "");
      }
      if (throttled) {
        return reply(
          400,
          "application/json",
          JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }),
        );
      }
      const body = JSON_OK[op];
      if (!body)
        return reply(404, "application/json", JSON.stringify({ __type: "UnknownOperation", message: op }));
      return reply(200, "application/json", JSON.stringify(body));
    },
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
  };
}

function desired(): DesiredState {
  return {
    revision: "x",
    fileSystems: [fsManifest("ml-data")],
    accessPoints: [],
    functions: [fnManifest("search", "search")],
  };
}

function setup(throttles: Record<string, number>) {
  const handler = throttlingHandler(throttles);
  const recorder = new CallRecorder();
  const clients = createClients({ region: "us-east-1", recorder, requestHandler: handler });
  const attemptsOf = (command: string) =>
    recorder.calls.filter((c) => c.command === command).map((c) => c.attempts);
  return { handler, recorder, clients, attemptsOf };
}

beforeEach(() => {
  vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIATESTTESTTESTTEST");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test-secret");
  vi.stubEnv("AWS_SESSION_TOKEN", "");
  vi.stubEnv("AWS_PROFILE", "");
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("observe under throttling (SDK standard retries)", () => {
  it("retries a throttled EFS, Lambda, EC2 and CloudWatch read and completes the observation", async () => {
    const { handler, clients, attemptsOf, recorder } = setup({
      DescribeFileSystems: 1,
      ListFunctions: 1,
      DescribeSecurityGroups: 1,
      DescribeAlarms: 1,
    });

    const state = await observe(desired(), clients);

    expect(state.fileSystems["ml-data"]?.found).toBe(true);
    expect(state.functions.search?.found).toBe(true);
    expect(state.securityGroups[MT_SG]?.rules.map((r) => r.cidrIpv4)).toEqual(["10.0.0.0/16"]);
    expect(attemptsOf("DescribeFileSystems")).toEqual([2]);
    expect(attemptsOf("ListFunctions")).toEqual([2]);
    expect(attemptsOf("DescribeSecurityGroups")).toEqual([2]);
    expect(attemptsOf("DescribeSecurityGroupRules")).toEqual([1]);
    expect(attemptsOf("DescribeAlarms")).toEqual([2]);
    expect(state.alarms).toEqual({});
    expect(handler.attempts).toMatchObject({
      DescribeFileSystems: 2,
      ListFunctions: 2,
      DescribeSecurityGroups: 2,
    });
    expect(recorder.mutating()).toEqual([]);
  });

  it("rides out a longer burst of throttling replies", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0); // zero backoff jitter: same strategy, no waiting
    const { handler, clients, attemptsOf } = setup({
      DescribeFileSystems: 3,
      DescribeLifecycleConfiguration: 4,
      ListFunctions: 3,
      DescribeSecurityGroupRules: 5,
    });

    const state = await observe(desired(), clients);

    const lookup = state.fileSystems["ml-data"];
    expect(lookup?.found && lookup.fileSystem.lifecycle.transitionToIA).toBe("AFTER_30_DAYS");
    expect(attemptsOf("DescribeFileSystems")).toEqual([4]);
    expect(attemptsOf("DescribeLifecycleConfiguration")).toEqual([5]);
    expect(attemptsOf("ListFunctions")).toEqual([4]);
    expect(attemptsOf("DescribeSecurityGroupRules")).toEqual([6]);
    expect(handler.attempts.DescribeSecurityGroupRules).toBe(6);
  });

  it("gives up after the configured attempts with an ObserveError that says so", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const { handler, clients, attemptsOf } = setup({ ListFunctions: 100 });

    const err = await observe(desired(), clients).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(ObserveError);
    expect((err as ObserveError).message).toContain(`throttling after ${DEFAULT_MAX_ATTEMPTS} attempts`);
    expect(((err as ObserveError).cause as Error).name).toBe("ThrottlingException");
    expect(handler.attempts.ListFunctions).toBe(DEFAULT_MAX_ATTEMPTS);
    expect(attemptsOf("ListFunctions")).toEqual([DEFAULT_MAX_ATTEMPTS]);
  });
});

describe("retry notices (progress on long waits)", () => {
  it("tells onRetry of each throttled attempt the SDK retries, not of the one that succeeds", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const handler = throttlingHandler({ DescribeFileSystems: 2 });
    const notices: RetryNotice[] = [];
    const clients = createClients({
      region: "us-east-1",
      requestHandler: handler,
      onRetry: (r) => notices.push(r),
    });

    await clients.efs.send(new DescribeFileSystemsCommand({}));

    expect(notices.map(({ error: _, ...n }) => n)).toEqual([
      { service: "efs", command: "DescribeFileSystems", attempt: 1, maxAttempts: DEFAULT_MAX_ATTEMPTS },
      { service: "efs", command: "DescribeFileSystems", attempt: 2, maxAttempts: DEFAULT_MAX_ATTEMPTS },
    ]);
    expect(notices[0]).toMatchObject({ error: { name: "ThrottlingException" } });
  });

  it("tells of a dropped connection, and of nothing for an error no retry can fix", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const ok = throttlingHandler({});
    let dropped = 0;
    const handler = {
      ...ok,
      handle: async (req: WireRequest) => {
        if (operationOf(req) === "DescribeFileSystems" && dropped++ === 0) {
          throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
        }
        return ok.handle(req);
      },
    };
    const notices: RetryNotice[] = [];
    const clients = createClients({
      region: "us-east-1",
      requestHandler: handler,
      maxAttempts: 3,
      onRetry: (r) => notices.push(r),
    });

    await clients.efs.send(new DescribeFileSystemsCommand({}));
    // Answered 404: not retried, so no notice.
    await expect(
      clients.iam.send(new GetRolePolicyCommand({ RoleName: "r", PolicyName: "p" })),
    ).rejects.toThrow();

    expect(notices.map((n) => `${n.command} ${n.attempt}/${n.maxAttempts}`)).toEqual([
      "DescribeFileSystems 1/3",
    ]);
    expect(retryLine(notices[0]!)).toBe(
      "EFS DescribeFileSystems failed (Error: socket hang up); retrying, attempt 2 of 3",
    );
  });
});
