/**
 * Every task of the workflow from one set of dependencies, with the product's own observe, plan,
 * reconcile and check functions: what the local engine, the CLI and the tests run. The Lambda
 * entries (src/statemachine/lambda/*.ts) compose only the task they run from src/statemachine/tasks.ts.
 */
import { observe } from "../observe/observe";
import { planChanges } from "../plan/index";
import { reconcile } from "../reconcilers/index";
import { checkPending } from "../reconcilers/pending";
import {
  createCheckPendingTask,
  createExecuteActionTask,
  createPlanTask,
  createRecordTask,
  createTakeLeaseTask,
  createVerifyTask,
  type TaskCore,
  type TaskDeps,
} from "./tasks";
import type { WorkflowTasks } from "./workflow-types";

export const DEFAULT_TASK_CORE: TaskCore = { observe, planChanges, reconcile, checkPending };

/** Every task of the workflow, from one set of dependencies (the local engine, tests). */
export function createTasks(deps: TaskDeps, core: TaskCore = DEFAULT_TASK_CORE): WorkflowTasks {
  return {
    takeLease: createTakeLeaseTask(deps),
    plan: createPlanTask(deps, core),
    record: createRecordTask(deps),
    executeAction: createExecuteActionTask(deps, core.reconcile),
    checkPending: createCheckPendingTask(deps, core.checkPending),
    verify: createVerifyTask(deps, core),
  };
}
