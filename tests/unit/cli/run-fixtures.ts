/** What the `efs-reconciler run` tests share: the command line, the ARNs, a mocked execution. */
import {
  DescribeExecutionCommand,
  type HistoryEvent,
  type SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import type { AwsClientStub } from "aws-sdk-client-mock";

export const ENV = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
export const ARN = "arn:aws:states:eu-west-1:123456789012:stateMachine:efs-reconciler-remediation";
export const EXECUTION = "arn:aws:states:eu-west-1:123456789012:execution:efs-reconciler-remediation:run";
export const BASE = ["run", "--state-machine-arn", ARN, "--region", "eu-west-1", "--poll-interval", "0.001"];

/** A history event: state `name` exited with `output`. */
export function exited(id: number, name: string, output: unknown): HistoryEvent {
  return {
    id,
    timestamp: new Date("2026-11-28T12:00:00Z"),
    type: "TaskStateExited",
    stateExitedEventDetails: { name, output: JSON.stringify(output) },
  };
}

/** The execution starts, answers RUNNING once, then ends with `ending`. */
export function mockExecution(sfn: AwsClientStub<SFNClient>, ending: Record<string, unknown>): void {
  sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: new Date() });
  sfn
    .on(DescribeExecutionCommand)
    .resolvesOnce({ executionArn: EXECUTION, status: "RUNNING", stateMachineArn: ARN, startDate: new Date() })
    .resolves({ executionArn: EXECUTION, stateMachineArn: ARN, startDate: new Date(), ...ending });
}
