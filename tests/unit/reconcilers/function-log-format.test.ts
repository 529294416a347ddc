/**
 * The log format part of UpdateFunctionConfiguration, against a stateful Lambda stand-in: only
 * what differs is sent, in one update with the timeout, and the log group is kept.
 */
import {
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  LambdaClient,
  type LoggingConfig,
  UpdateFunctionConfigurationCommand,
  type UpdateFunctionConfigurationCommandInput,
} from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { reconcileUpdateFunctionConfiguration } from "../../../src/reconcilers/functions";
import { loggingConfigUpdate } from "../../../src/reconcilers/logging-config";
import { action, testClients } from "./fixtures";

const lambda = mockClient(LambdaClient);
const clients = testClients();

let fn: FunctionConfiguration;

beforeEach(() => {
  lambda.reset();
  fn = {
    FunctionName: "api",
    Timeout: 10,
    State: "Active",
    LastUpdateStatus: "Successful",
    LoggingConfig: { LogFormat: "Text", LogGroup: "/custom/api" },
  };
  lambda.on(GetFunctionConfigurationCommand).callsFake(() => fn);
  lambda
    .on(UpdateFunctionConfigurationCommand)
    .callsFake((input: UpdateFunctionConfigurationCommandInput) => {
      fn = {
        ...fn,
        ...(input.Timeout !== undefined ? { Timeout: input.Timeout } : {}),
        ...(input.LoggingConfig ? { LoggingConfig: { ...input.LoggingConfig } } : {}),
        // The stand-in finishes updates at once, so a second run can follow.
        LastUpdateStatus: "Successful",
      };
      return fn;
    });
});

const sent = () => lambda.commandCalls(UpdateFunctionConfigurationCommand).map((c) => c.args[0].input);

describe("UpdateFunctionConfiguration: log format", () => {
  it("switches Text to JSON keeping the log group; the second run changes nothing", async () => {
    const a = action(
      { type: "UpdateFunctionConfiguration", params: { functionName: "api", logFormat: "JSON" } },
      "api",
    );
    const first = await reconcileUpdateFunctionConfiguration(a, clients);
    const second = await reconcileUpdateFunctionConfiguration(a, clients);
    expect(first).toMatchObject({
      status: "succeeded",
      message: "updated function api: log format Text → JSON",
    });
    expect(second.status).toBe("skipped");
    expect(sent()).toEqual([
      { FunctionName: "api", LoggingConfig: { LogFormat: "JSON", LogGroup: "/custom/api" } },
    ]);
    expect(fn.LoggingConfig?.LogFormat).toBe("JSON");
  });

  it("sends timeout and log format in one update, and only what differs", async () => {
    const a = action(
      {
        type: "UpdateFunctionConfiguration",
        params: { functionName: "api", timeout: 30, logFormat: "JSON" },
      },
      "api",
    );
    await reconcileUpdateFunctionConfiguration(a, clients);
    expect(sent()).toEqual([
      { FunctionName: "api", Timeout: 30, LoggingConfig: { LogFormat: "JSON", LogGroup: "/custom/api" } },
    ]);
    fn = { ...fn, Timeout: 10 };
    await reconcileUpdateFunctionConfiguration(a, clients);
    expect(sent()[1]).toEqual({ FunctionName: "api", Timeout: 30 });
  });

  it("is a no-op when the format is already the wanted one", async () => {
    fn.LoggingConfig = { LogFormat: "JSON", LogGroup: "/aws/lambda/api" };
    const a = action(
      { type: "UpdateFunctionConfiguration", params: { functionName: "api", logFormat: "JSON" } },
      "api",
    );
    expect((await reconcileUpdateFunctionConfiguration(a, clients)).status).toBe("skipped");
    expect(sent()).toEqual([]);
  });
});

describe("loggingConfigUpdate", () => {
  it.each<[string, LoggingConfig | undefined, "JSON" | "Text", LoggingConfig | undefined]>([
    ["no config reads as Text: to JSON", undefined, "JSON", { LogFormat: "JSON" }],
    ["no config reads as Text: already Text", undefined, "Text", undefined],
    [
      "JSON to Text drops the JSON-only log levels",
      { LogFormat: "JSON", LogGroup: "/g", ApplicationLogLevel: "WARN", SystemLogLevel: "INFO" },
      "Text",
      { LogFormat: "Text", LogGroup: "/g" },
    ],
    [
      "levels kept when the format stays JSON-capable",
      { LogFormat: "Text", LogGroup: "/g", ApplicationLogLevel: "WARN" },
      "JSON",
      { LogFormat: "JSON", LogGroup: "/g", ApplicationLogLevel: "WARN" },
    ],
  ])("%s", (_name, live, wanted, expected) => {
    expect(loggingConfigUpdate(live, wanted)).toEqual(expected);
  });
});
