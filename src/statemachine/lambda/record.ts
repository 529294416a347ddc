/** Lambda entry of the workflow's RecordPlan and RecordOutcome state (bundled on its own: dist/lambda/record/). */
export { recordHandler as handler } from "../handlers";
