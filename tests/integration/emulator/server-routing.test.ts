import { DescribeAlarmsCommand, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { DescribeFileSystemsCommand } from "@aws-sdk/client-efs";
import { ListRolesCommand } from "@aws-sdk/client-iam";
import { ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { emulatorClients, resetEmulator } from "../../support/emulator";
import { seedFileSystem, seedFunction, seedNetwork, seedRole } from "../../support/seed";

// The server looks a request's backend up once per host (emulator/patches/server_routing.py):
// requests to many services, interleaved and concurrent, must each still reach their own.
describe("emulator request routing", () => {
  const clients = emulatorClients();
  const seeded = { fileSystemId: "", vpcId: "" };

  beforeAll(async () => {
    await resetEmulator();
    const network = await seedNetwork(clients, { azs: ["us-east-1a"] });
    seeded.vpcId = network.vpcId;
    seeded.fileSystemId = (await seedFileSystem(clients, { creationToken: "routing" })).fileSystemId;
    await seedFunction(clients, { functionName: "routing-fn" });
    await seedRole(clients, { roleName: "routing-role" });
    await clients.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: "routing-alarm",
        Namespace: "AWS/EFS",
        MetricName: "PercentIOLimit",
        Statistic: "Average",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 95,
        ComparisonOperator: "GreaterThanThreshold",
      }),
    );
  });

  it("answers each service from its own backend when their requests interleave", async () => {
    const round = () =>
      Promise.all([
        clients.efs
          .send(new DescribeFileSystemsCommand({}))
          .then((r) => r.FileSystems?.map((f) => f.FileSystemId)),
        clients.ec2
          .send(new DescribeVpcsCommand({}))
          .then((r) => r.Vpcs?.some((v) => v.VpcId === seeded.vpcId)),
        clients.lambda
          .send(new ListFunctionsCommand({}))
          .then((r) => r.Functions?.map((f) => f.FunctionName)),
        clients.iam
          .send(new ListRolesCommand({}))
          .then((r) => r.Roles?.some((role) => role.RoleName === "routing-role")),
        clients.cloudwatch
          .send(new DescribeAlarmsCommand({}))
          .then((r) => r.MetricAlarms?.map((a) => a.AlarmName)),
      ]);
    const rounds = await Promise.all([round(), round(), round()]);
    for (const answers of rounds) {
      expect(answers).toEqual([[seeded.fileSystemId], true, ["routing-fn"], true, ["routing-alarm"]]);
    }
  });
});
