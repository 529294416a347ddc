/** Lambda entry of the workflow's Plan state (bundled on its own: dist/lambda/plan/). */
export { planHandler as handler } from "../handlers";
