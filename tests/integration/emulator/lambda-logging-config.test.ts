import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  ListFunctionsCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { seedFunction } from "../../support/seed";

describe("emulator: Lambda LoggingConfig", () => {
  const clients = emulatorClients();

  beforeEach(async () => {
    await resetEmulator();
  });

  it("defaults to Text logs in /aws/lambda/NAME, in Get, GetConfiguration and List", async () => {
    await seedFunction(clients, { functionName: "logs-default" });
    const expected = { LogFormat: "Text", LogGroup: "/aws/lambda/logs-default" };
    const config = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "logs-default" }),
    );
    expect(config.LoggingConfig).toEqual(expected);
    const fn = await clients.lambda.send(new GetFunctionCommand({ FunctionName: "logs-default" }));
    expect(fn.Configuration?.LoggingConfig).toEqual(expected);
    const list = await clients.lambda.send(new ListFunctionsCommand({}));
    expect(list.Functions?.[0]?.LoggingConfig).toEqual(expected);
  });

  it("updates the format and log group, keeping what the update does not mention", async () => {
    await seedFunction(clients, { functionName: "logs-json" });
    const updated = await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "logs-json",
        LoggingConfig: { LogFormat: "JSON" },
      }),
    );
    expect(updated.LoggingConfig).toEqual({
      LogFormat: "JSON",
      LogGroup: "/aws/lambda/logs-json",
      ApplicationLogLevel: "INFO",
      SystemLogLevel: "INFO",
    });

    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "logs-json",
        LoggingConfig: { LogGroup: "/custom/group", ApplicationLogLevel: "WARN" },
      }),
    );
    const config = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "logs-json" }),
    );
    expect(config.LoggingConfig).toEqual({
      LogFormat: "JSON",
      LogGroup: "/custom/group",
      ApplicationLogLevel: "WARN",
      SystemLogLevel: "INFO",
    });

    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "logs-json",
        LoggingConfig: { LogFormat: "Text" },
      }),
    );
    const text = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "logs-json" }),
    );
    expect(text.LoggingConfig).toEqual({ LogFormat: "Text", LogGroup: "/custom/group" });
  });

  it("stores a LoggingConfig given at creation", async () => {
    await seedFunction(clients, {
      functionName: "logs-created",
      loggingConfig: { LogFormat: "JSON", SystemLogLevel: "WARN" },
    });
    const config = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "logs-created" }),
    );
    expect(config.LoggingConfig).toMatchObject({ LogFormat: "JSON", SystemLogLevel: "WARN" });
  });

  it("rejects an unknown log format", async () => {
    await seedFunction(clients, { functionName: "logs-bad" });
    await expect(
      clients.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "logs-bad",
          LoggingConfig: { LogFormat: "XML" as "JSON" },
        }),
      ),
    ).rejects.toMatchObject({ name: "ValidationException" });
  });
});
