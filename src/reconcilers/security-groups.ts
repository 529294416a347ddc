/**
 * Security-group reconcilers: allow NFS into the mount-target group and out of function groups;
 * revoke an ingress rule of the mount-target group only if it is still exactly the planned one.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  type IpPermission,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import type { ClientsFor } from "../aws/clients";
import type { Action } from "../plan/types";
import { classified, isAwsError, wrongFamilyError } from "./classify";
import { TerminalReconcileError } from "./errors";
import { skipped, succeeded } from "./outcome";
import {
  describeRule,
  isNfsEgressTo,
  isNfsIngressFrom,
  readGroupRules,
  sameRule,
} from "./security-group-rules";
import type { ActionOf, ReconcileOutcome } from "./types";

/** The AWS clients this reconciler family calls. */
export type SecurityGroupsClients = ClientsFor<"ec2">;

export const INGRESS_RULE_DESCRIPTION = "efs-reconciler: NFS from Lambda";
export const EGRESS_RULE_DESCRIPTION = "efs-reconciler: NFS to EFS mount targets";

function nfsPermission(peerGroupId: string, port: number, description: string): IpPermission[] {
  return [
    {
      IpProtocol: "tcp",
      FromPort: port,
      ToPort: port,
      UserIdGroupPairs: [{ GroupId: peerGroupId, Description: description }],
    },
  ];
}

function ruleIds(rules: { SecurityGroupRuleId?: string | undefined }[] | undefined): string {
  const ids = (rules ?? []).map((r) => r.SecurityGroupRuleId).filter((id): id is string => Boolean(id));
  return ids.length > 0 ? ` (rule ${ids.join(", ")})` : "";
}

export async function reconcileAuthorizeIngress(
  action: ActionOf<"AuthorizeIngress">,
  clients: SecurityGroupsClients,
): Promise<ReconcileOutcome> {
  return classified(action, async () => {
    const { groupId, sourceGroupId, port } = action.params;
    const rules = await readGroupRules(clients.ec2, groupId);
    const existing = rules.find((r) => isNfsIngressFrom(r, sourceGroupId, port));
    if (existing) {
      return skipped(
        action,
        `security group ${groupId} already allowed TCP ${port} from ${sourceGroupId} (rule ${existing.ruleId})`,
      );
    }
    try {
      const out = await clients.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: nfsPermission(sourceGroupId, port, INGRESS_RULE_DESCRIPTION),
        }),
      );
      return succeeded(
        action,
        `allowed TCP ${port} into ${groupId} from ${sourceGroupId}${ruleIds(out.SecurityGroupRules)}`,
      );
    } catch (err) {
      if (isAwsError(err, "InvalidPermission.Duplicate")) {
        return skipped(action, `security group ${groupId} already allowed TCP ${port} from ${sourceGroupId}`);
      }
      throw err;
    }
  });
}

export async function reconcileAuthorizeEgress(
  action: ActionOf<"AuthorizeEgress">,
  clients: SecurityGroupsClients,
): Promise<ReconcileOutcome> {
  return classified(action, async () => {
    const { groupId, destinationGroupId, port } = action.params;
    const rules = await readGroupRules(clients.ec2, groupId);
    const existing = rules.find((r) => isNfsEgressTo(r, destinationGroupId, port));
    if (existing) {
      return skipped(
        action,
        `security group ${groupId} already allowed TCP ${port} out to ${destinationGroupId} ` +
          `(rule ${existing.ruleId}: ${describeRule(existing)})`,
      );
    }
    try {
      const out = await clients.ec2.send(
        new AuthorizeSecurityGroupEgressCommand({
          GroupId: groupId,
          IpPermissions: nfsPermission(destinationGroupId, port, EGRESS_RULE_DESCRIPTION),
        }),
      );
      return succeeded(
        action,
        `allowed TCP ${port} out of ${groupId} to ${destinationGroupId}${ruleIds(out.SecurityGroupRules)}`,
      );
    } catch (err) {
      if (isAwsError(err, "InvalidPermission.Duplicate")) {
        return skipped(
          action,
          `security group ${groupId} already allowed TCP ${port} out to ${destinationGroupId}`,
        );
      }
      throw err;
    }
  });
}

/**
 * Revokes one ingress rule by id, only while it still says what the plan saw: a rule changed
 * since the plan is never revoked blindly.
 */
export async function reconcileRevokeIngress(
  action: ActionOf<"RevokeIngress">,
  clients: SecurityGroupsClients,
): Promise<ReconcileOutcome> {
  return classified(action, async () => {
    const { groupId, ruleId, rule: planned } = action.params;
    if (planned.isEgress || planned.groupId !== groupId || planned.ruleId !== ruleId) {
      throw new TerminalReconcileError(
        `refused to revoke rule ${ruleId} of ${groupId}: the planned rule (${planned.ruleId} of ${planned.groupId}, ` +
          `${describeRule(planned)}) is not an ingress rule of that group; re-run plan`,
      );
    }
    const live = (await readGroupRules(clients.ec2, groupId)).find((r) => r.ruleId === ruleId);
    if (!live) return skipped(action, `rule ${ruleId} of ${groupId} was already revoked`);
    if (!sameRule(live, planned)) {
      throw new TerminalReconcileError(
        `refused to revoke rule ${ruleId} of ${groupId} (planned: ${describeRule(planned)}; now: ` +
          `${describeRule(live)}): changed by someone else since the plan; re-run plan`,
      );
    }
    try {
      await clients.ec2.send(
        new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [ruleId] }),
      );
    } catch (err) {
      if (isAwsError(err, "InvalidPermission.NotFound", "InvalidSecurityGroupRuleId.NotFound")) {
        return skipped(action, `rule ${ruleId} of ${groupId} was already revoked`);
      }
      throw err;
    }
    return succeeded(action, `revoked ${describeRule(live)} (rule ${ruleId}) from ${groupId}`);
  });
}

/** Runs one security-group action; refuses actions of other families. */
export async function reconcileSecurityGroups(
  action: Action,
  clients: SecurityGroupsClients,
): Promise<ReconcileOutcome> {
  switch (action.type) {
    case "AuthorizeIngress":
      return reconcileAuthorizeIngress(action, clients);
    case "AuthorizeEgress":
      return reconcileAuthorizeEgress(action, clients);
    case "RevokeIngress":
      return reconcileRevokeIngress(action, clients);
    default:
      throw wrongFamilyError("security-group", action);
  }
}
