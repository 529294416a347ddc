/**
 * The plan's actions grouped by phase, and which failed actions hold the later phases back. Pure.
 */
import type { Action } from "../plan/types";
import type { PhaseBatch } from "./workflow-types";

const PHASES = [1, 2, 3] as const;

export function groupPhases(actions: Action[]): PhaseBatch[] {
  return PHASES.map((phase) => ({ phase, actions: actions.filter((a) => a.phase === phase) })).filter(
    (batch) => batch.actions.length > 0,
  );
}

/**
 * Whether `action`, failed, holds the later phases back (make before break): later phases build on
 * the mount targets, rules and access points phase 1 makes and on the functions phases 1 and 2 move
 * and repoint, so while one of those failed, no function is repointed and nothing is revoked or
 * deleted. A setting no later change depends on (lifecycle, throughput mode, backup policy, an
 * alarm, a function's timeout or log format) fails alone: the rest of the run goes on, so such a
 * failure never keeps a broad rule open.
 */
export function holdsLaterPhases(action: Action): boolean {
  switch (action.type) {
    case "PutLifecycleConfiguration":
    case "UpdateThroughputMode":
    case "PutBackupPolicy":
    case "PutMetricAlarm":
    case "DeleteAlarm":
      return false;
    case "UpdateFunctionConfiguration":
      return action.params.vpcConfig !== undefined;
    case "CreateMountTarget":
    case "AddMountTargetSecurityGroup":
    case "AuthorizeIngress":
    case "AuthorizeEgress":
    case "RevokeIngress":
    case "CreateAccessPoint":
    case "TagAccessPoint":
    case "DeleteAccessPoint":
    case "UpdateFunctionFileSystem":
      return true;
  }
}
