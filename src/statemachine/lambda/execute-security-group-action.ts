/** Lambda entry of the workflow's ExecuteSecurityGroupAction state: the security-group reconciler family only. */
import { EC2Client } from "@aws-sdk/client-ec2";
import { reconcileSecurityGroups } from "../../reconcilers/security-groups";
import { familyActionHandler } from "../handlers";

export const handler = familyActionHandler(reconcileSecurityGroups, (config) => ({
  ec2: new EC2Client(config),
}));
