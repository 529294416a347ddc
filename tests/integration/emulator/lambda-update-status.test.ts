import {
  GetFunctionConfigurationCommand,
  ListFunctionsCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { seedFunction } from "../../support/seed";

describe("emulator: Lambda State and LastUpdateStatus", () => {
  const clients = emulatorClients();

  beforeEach(async () => {
    await resetEmulator();
  });

  it("reports Active / Successful after creation and after every update", async () => {
    await seedFunction(clients, { functionName: "status", timeout: 3 });
    const created = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "status" }),
    );
    expect(created).toMatchObject({ State: "Active", LastUpdateStatus: "Successful" });

    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "status", Timeout: 42 }),
    );
    const updated = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "status" }),
    );
    expect(updated).toMatchObject({ State: "Active", LastUpdateStatus: "Successful", Timeout: 42 });

    const listed = await clients.lambda.send(new ListFunctionsCommand({}));
    expect(listed.Functions?.[0]).toMatchObject({
      State: "Active",
      LastUpdateStatus: "Successful",
      Timeout: 42,
    });
  });
});
