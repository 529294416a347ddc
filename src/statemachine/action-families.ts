/**
 * The reconciler families of the deployed workflow: each family's actions run in its own Task
 * state and Lambda function, whose role holds only that family's write permissions. The Map's
 * `RouteAction` Choice sends every action to the Task state of its family.
 */
import type { ActionType } from "../plan/types";

export const FAMILIES = [
  "mountTargets",
  "securityGroups",
  "accessPoints",
  "fileSystem",
  "functions",
] as const;

export type Family = (typeof FAMILIES)[number];

/** The family of every action type (the compiler refuses a new action type without one). */
export const ACTION_FAMILY: Record<ActionType, Family> = {
  CreateMountTarget: "mountTargets",
  AddMountTargetSecurityGroup: "mountTargets",
  AuthorizeIngress: "securityGroups",
  AuthorizeEgress: "securityGroups",
  RevokeIngress: "securityGroups",
  CreateAccessPoint: "accessPoints",
  TagAccessPoint: "accessPoints",
  DeleteAccessPoint: "accessPoints",
  PutLifecycleConfiguration: "fileSystem",
  UpdateThroughputMode: "fileSystem",
  PutBackupPolicy: "fileSystem",
  // The file system's CloudWatch alarms belong to its settings: same function, plus CloudWatch writes.
  PutMetricAlarm: "fileSystem",
  DeleteAlarm: "fileSystem",
  UpdateFunctionConfiguration: "functions",
  UpdateFunctionFileSystem: "functions",
};

/** Each family's Task state in the definition and the `${…}` placeholder of its function's ARN. */
export const FAMILY_TASKS = {
  mountTargets: { state: "ExecuteMountTargetAction", placeholder: "ExecuteMountTargetActionFunctionArn" },
  securityGroups: {
    state: "ExecuteSecurityGroupAction",
    placeholder: "ExecuteSecurityGroupActionFunctionArn",
  },
  accessPoints: { state: "ExecuteAccessPointAction", placeholder: "ExecuteAccessPointActionFunctionArn" },
  fileSystem: { state: "ExecuteFileSystemAction", placeholder: "ExecuteFileSystemActionFunctionArn" },
  functions: { state: "ExecuteFunctionAction", placeholder: "ExecuteFunctionActionFunctionArn" },
} as const satisfies Record<Family, { state: string; placeholder: string }>;

/** Names of the Task states that run one action (one per family). */
export const EXECUTE_ACTION_STATES: ReadonlySet<string> = new Set(FAMILIES.map((f) => FAMILY_TASKS[f].state));

/** The state an action type the deployment does not know ends in (a failed result). */
export const UNKNOWN_ACTION_STATE = "UnknownActionType";

/** The action types of a family, in declaration order. */
export function actionTypesOf(family: Family): ActionType[] {
  return (Object.keys(ACTION_FAMILY) as ActionType[]).filter((t) => ACTION_FAMILY[t] === family);
}
