/**
 * First calls per service are slow in moto (it loads the service model: EFS ~1 s); one cheap
 * call each up front keeps that cost out of timed work and test timeouts.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeFileSystemsCommand, EFSClient } from "@aws-sdk/client-efs";
import { ListRolesCommand } from "@aws-sdk/client-iam";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { emulatorIamClient } from "./iam-role";

/** Credentials the emulator accepts (it does not check them). */
export const EMULATOR_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;
export const EMULATOR_REGION = "us-east-1";

export async function warmUp(endpoint: string): Promise<void> {
  const common = { endpoint, region: EMULATOR_REGION, credentials: EMULATOR_CREDENTIALS, maxAttempts: 1 };
  const efs = new EFSClient(common);
  const ec2 = new EC2Client(common);
  const lambda = new LambdaClient(common);
  const cloudwatch = new CloudWatchClient(common);
  const iam = emulatorIamClient(endpoint);
  try {
    // Sequential: the emulator is single-process and GIL-bound, so parallel first calls only
    // contend for the same lock.
    await efs.send(new DescribeFileSystemsCommand({}));
    await ec2.send(new DescribeVpcsCommand({}));
    await lambda.send(new ListFunctionsCommand({}));
    await iam.send(new ListRolesCommand({}));
    await cloudwatch.send(new DescribeAlarmsCommand({}));
  } finally {
    efs.destroy();
    ec2.destroy();
    lambda.destroy();
    cloudwatch.destroy();
    iam.destroy();
  }
}
