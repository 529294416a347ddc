/** Lambda entry of the workflow's ExecuteSecurityGroupAction state: the security-group reconciler family only. */
import { reconcileSecurityGroups } from "../../reconcilers/security-groups";
import { familyActionHandler } from "../handlers";

export const handler = familyActionHandler(reconcileSecurityGroups);
