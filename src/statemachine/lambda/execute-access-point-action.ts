/** Lambda entry of the workflow's ExecuteAccessPointAction state: the access-point reconciler family only. */
import { reconcileAccessPoints } from "../../reconcilers/access-points";
import { familyActionHandler } from "../handlers";

export const handler = familyActionHandler(reconcileAccessPoints);
