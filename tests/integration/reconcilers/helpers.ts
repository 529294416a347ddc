/**
 * Shared steps of the reconciler integration tests: run an action of a real plan, then run it
 * again and prove that the second run wrote nothing.
 */
import { expect } from "vitest";
import type { AwsClients } from "../../../src/aws/clients";
import type { Action } from "../../../src/plan/types";
import { reconcile } from "../../../src/reconcilers/index";
import type { ReconcileOutcome } from "../../../src/reconcilers/types";
import { accountSnapshot } from "../../support/scenarios";

/** Runs `action` once more: it reports `skipped` and the account is byte-for-byte unchanged. */
export async function expectRerunSkipped(action: Action, clients: AwsClients): Promise<ReconcileOutcome> {
  const before = await accountSnapshot(clients);
  const again = await reconcile(action, clients);
  expect(again).toMatchObject({ actionId: action.id, status: "skipped" });
  expect(await accountSnapshot(clients)).toBe(before);
  return again;
}

/** Runs `action`, expects it to be refused with `errorName` and the account to be unchanged. */
export async function expectRefused(
  action: Action,
  clients: AwsClients,
  errorName: "RetryableReconcileError" | "TerminalReconcileError",
  message: RegExp,
): Promise<void> {
  const before = await accountSnapshot(clients);
  await expect(reconcile(action, clients)).rejects.toMatchObject({
    name: errorName,
    message: expect.stringMatching(message),
  });
  expect(await accountSnapshot(clients)).toBe(before);
}
