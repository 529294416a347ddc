/**
 * The one entry point for applying a planned action: dispatches on `action.type` to the
 * reconciler of its family.
 */
import type { AwsClients } from "../aws/clients";
import type { Action } from "../plan/types";
import { reconcileAccessPoints } from "./access-points";
import { reconcileAlarms } from "./alarms";
import { TerminalReconcileError } from "./errors";
import { reconcileFileSystem } from "./file-system";
import { reconcileFunctions } from "./functions";
import { reconcileMountTargets } from "./mount-targets";
import { reconcileSecurityGroups } from "./security-groups";
import type { ReconcileOutcome } from "./types";

export async function reconcile(action: Action, clients: AwsClients): Promise<ReconcileOutcome> {
  switch (action.type) {
    case "CreateMountTarget":
    case "AddMountTargetSecurityGroup":
      return reconcileMountTargets(action, clients);
    case "AuthorizeIngress":
    case "AuthorizeEgress":
    case "RevokeIngress":
      return reconcileSecurityGroups(action, clients);
    case "CreateAccessPoint":
    case "TagAccessPoint":
    case "DeleteAccessPoint":
      return reconcileAccessPoints(action, clients);
    case "PutLifecycleConfiguration":
    case "UpdateThroughputMode":
    case "PutBackupPolicy":
      return reconcileFileSystem(action, clients);
    case "UpdateFunctionConfiguration":
    case "UpdateFunctionFileSystem":
      return reconcileFunctions(action, clients);
    case "PutMetricAlarm":
    case "DeleteAlarm":
      return reconcileAlarms(action, clients);
    default: {
      const unknown: { type?: unknown; id?: unknown } = action;
      throw new TerminalReconcileError(
        `unknown action type ${String(unknown.type)} (action ${String(unknown.id)}); upgrade efs-reconciler or re-run plan`,
      );
    }
  }
}

export { accessPointClientToken, accessPointSpecHash } from "./access-point-identity";
export { RetryableReconcileError, TerminalReconcileError } from "./errors";
export { checkPending } from "./pending";
export type { PendingResource, ReconcileOutcome } from "./types";
