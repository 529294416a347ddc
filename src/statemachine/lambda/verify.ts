/** Lambda entry of the workflow's Verify state (bundled on its own: dist/lambda/verify/). */
export { verifyHandler as handler } from "../handlers";
