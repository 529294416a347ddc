/** Lambda entry of the workflow's ExecuteAccessPointAction state: the access-point reconciler family only. */
import { EFSClient } from "@aws-sdk/client-efs";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { reconcileAccessPoints } from "../../reconcilers/access-points";
import { familyActionHandler } from "../handlers";

export const handler = familyActionHandler(reconcileAccessPoints, (config) => ({
  efs: new EFSClient(config),
  lambda: new LambdaClient(config),
}));
