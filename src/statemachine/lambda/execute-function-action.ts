/** Lambda entry of the workflow's ExecuteFunctionAction state: the function reconciler family only. */
import { EFSClient } from "@aws-sdk/client-efs";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { reconcileFunctions } from "../../reconcilers/functions";
import { familyActionHandler } from "../handlers";

export const handler = familyActionHandler(reconcileFunctions, (config) => ({
  efs: new EFSClient(config),
  lambda: new LambdaClient(config),
}));
