/**
 * Shared test data for the reconciler tests: actions as the planner emits them, clients that never
 * leave the process (every service is mocked), and AWS-shaped errors.
 */
import { type AwsClients, createClients } from "../../../src/aws/clients";
import type { ActionSpec, ActionType, ResourceType } from "../../../src/plan/types";
import type { ActionOf } from "../../../src/reconcilers/types";

const RESOURCE_TYPES: Record<ActionType, ResourceType> = {
  CreateMountTarget: "AWS::EFS::MountTarget",
  AddMountTargetSecurityGroup: "AWS::EFS::MountTarget",
  AuthorizeIngress: "AWS::EC2::SecurityGroup",
  AuthorizeEgress: "AWS::EC2::SecurityGroup",
  RevokeIngress: "AWS::EC2::SecurityGroup",
  CreateAccessPoint: "AWS::EFS::AccessPoint",
  TagAccessPoint: "AWS::EFS::AccessPoint",
  DeleteAccessPoint: "AWS::EFS::AccessPoint",
  PutLifecycleConfiguration: "AWS::EFS::FileSystem",
  UpdateThroughputMode: "AWS::EFS::FileSystem",
  PutBackupPolicy: "AWS::EFS::FileSystem",
  UpdateFunctionConfiguration: "AWS::Lambda::Function",
  UpdateFunctionFileSystem: "AWS::Lambda::Function",
  PutMetricAlarm: "AWS::CloudWatch::Alarm",
  DeleteAlarm: "AWS::CloudWatch::Alarm",
};

/** A planned action of the given spec, with a fixed id and the given resource id. */
export function action<T extends ActionType>(
  spec: Extract<ActionSpec, { type: T }>,
  resourceId = "res-1",
): ActionOf<T> {
  return {
    ...spec,
    id: `act-${spec.type}`,
    phase: 1,
    driftIds: ["drift-1"],
    resource: { type: RESOURCE_TYPES[spec.type], id: resourceId },
    description: `test ${spec.type}`,
  } as ActionOf<T>;
}

/** Clients whose sends the test mocks with aws-sdk-client-mock (one attempt: no SDK retries). */
export function testClients(): AwsClients {
  return createClients({ region: "us-east-1", maxAttempts: 1 });
}

/** An error shaped like the SDK's service exceptions (EC2 errors have no dedicated classes). */
export function awsError(name: string, status = 400, message = `${name} from AWS`): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status },
  });
}
