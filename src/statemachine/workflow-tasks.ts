/**
 * Every task of the workflow from one set of dependencies, with the product's own observe, plan,
 * reconcile and check functions: what the local engine, the CLI and the tests run. The Lambda
 * entries (src/statemachine/lambda/*.ts) compose only the task they run from src/statemachine/tasks.ts.
 */

import { observeChecklistAlone } from "../observe/observe-checklist";
import { observeNetworkAlone } from "../observe/observe-network";
import { observeSourcesAlone } from "../observe/observe-sources";
import { planChanges } from "../plan/index";
import { reconcile } from "../reconcilers/index";
import { checkPending } from "../reconcilers/pending";
import {
  createCheckPendingTask,
  createExecuteActionTask,
  createObserveChecklistTask,
  createObserveNetworkTask,
  createObserveSourcesTask,
  createPlanTask,
  createRecordTask,
  createTakeLeaseTask,
  createVerifyTask,
  type ObserveStages,
  type TaskCore,
  type TaskDeps,
} from "./tasks";
import type { WorkflowTasks } from "./workflow-types";

/** Observation's stages as the workflow runs them: each in a function of its own. */
export const OBSERVE_STAGES: ObserveStages = {
  sources: observeSourcesAlone,
  network: observeNetworkAlone,
  checklist: observeChecklistAlone,
};

export const DEFAULT_TASK_CORE: TaskCore = { observe: OBSERVE_STAGES, planChanges, reconcile, checkPending };

/** Every task of the workflow, from one set of dependencies (the local engine, tests). */
export function createTasks(deps: TaskDeps, core: TaskCore = DEFAULT_TASK_CORE): WorkflowTasks {
  return {
    takeLease: createTakeLeaseTask(deps),
    observeSources: createObserveSourcesTask(deps, core.observe),
    observeNetwork: createObserveNetworkTask(deps, core.observe),
    observeChecklist: createObserveChecklistTask(deps, core.observe),
    plan: createPlanTask(deps, core),
    record: createRecordTask(deps),
    executeAction: createExecuteActionTask(deps, core.reconcile),
    checkPending: createCheckPendingTask(deps, core.checkPending),
    verify: createVerifyTask(deps, core),
  };
}
