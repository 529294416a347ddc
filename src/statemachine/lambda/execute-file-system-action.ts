/** Lambda entry of the workflow's ExecuteFileSystemAction state: the file-system reconciler family only (alarms included). */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EFSClient } from "@aws-sdk/client-efs";
import { reconcileFileSystem } from "../../reconcilers/file-system";
import { familyActionHandler } from "../handlers";

export const handler = familyActionHandler(reconcileFileSystem, (config) => ({
  efs: new EFSClient(config),
  cloudwatch: new CloudWatchClient(config),
}));
