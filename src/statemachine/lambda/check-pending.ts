/** Lambda entry of the workflow's SettlePhase, PollPending and GiveUpWaiting state (bundled on its own: dist/lambda/check-pending/). */
export { checkPendingHandler as handler } from "../handlers";
