/** Lambda entry of the workflow's ExecuteFunctionAction state: the function reconciler family only. */
import { reconcileFunctions } from "../../reconcilers/functions";
import { familyActionHandler } from "../handlers";

export const handler = familyActionHandler(reconcileFunctions);
