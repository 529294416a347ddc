/** Lambda entry of the workflow's ExecuteFileSystemAction state: the file-system reconciler family only. */
import { reconcileFileSystem } from "../../reconcilers/file-system";
import { familyActionHandler } from "../handlers";

export const handler = familyActionHandler(reconcileFileSystem);
