/** Lambda entry of the workflow's ExecuteMountTargetAction state: the mount-target reconciler family only. */
import { EFSClient } from "@aws-sdk/client-efs";
import { reconcileMountTargets } from "../../reconcilers/mount-targets";
import { familyActionHandler } from "../handlers";

export const handler = familyActionHandler(reconcileMountTargets, (config) => ({
  efs: new EFSClient(config),
}));
