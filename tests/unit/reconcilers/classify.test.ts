import { describe, expect, it } from "vitest";
import { classified, toReconcileError } from "../../../src/reconcilers/classify";
import { RetryableReconcileError, TerminalReconcileError } from "../../../src/reconcilers/errors";
import { action, awsError } from "./fixtures";

const ctx = { action: "CreateMountTarget", resource: "fs-0abc/us-east-1a" };

describe("toReconcileError", () => {
  it.each([
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "ThrottledException",
    "SlowDown",
  ])("%s is retryable", (name) => {
    const cause = awsError(name);
    const err = toReconcileError(cause, ctx);
    expect(err).toBeInstanceOf(RetryableReconcileError);
    expect(err.name).toBe("RetryableReconcileError");
    expect(err.cause).toBe(cause);
    expect(err.message).toContain("CreateMountTarget on fs-0abc/us-east-1a");
  });

  it("a 5xx server fault is retryable", () => {
    expect(toReconcileError(awsError("InternalServerError", 500), ctx)).toBeInstanceOf(
      RetryableReconcileError,
    );
    expect(toReconcileError(awsError("SomethingNew", 503), ctx)).toBeInstanceOf(RetryableReconcileError);
  });

  it("a network error is retryable", () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(toReconcileError(reset, ctx)).toBeInstanceOf(RetryableReconcileError);
    expect(toReconcileError(Object.assign(new Error("t"), { name: "TimeoutError" }), ctx)).toBeInstanceOf(
      RetryableReconcileError,
    );
  });

  it.each(["AccessDeniedException", "UnauthorizedOperation", "AccessDenied"])(
    "%s is terminal and names the action, the resource and what to do",
    (name) => {
      const err = toReconcileError(awsError(name, 403), ctx);
      expect(err).toBeInstanceOf(TerminalReconcileError);
      expect(err.name).toBe("TerminalReconcileError");
      expect(err.message).toContain("CreateMountTarget on fs-0abc/us-east-1a");
      expect(err.message).toContain(name);
      expect(err.message).toMatch(/grant/);
    },
  );

  it.each(["UnrecognizedClientException", "AuthFailure", "SignatureDoesNotMatch"])(
    "%s is terminal and says the credentials were rejected, not that a permission is missing",
    (name) => {
      const err = toReconcileError(awsError(name, 401), ctx);
      expect(err).toBeInstanceOf(TerminalReconcileError);
      expect(err.message).toContain(
        `CreateMountTarget on fs-0abc/us-east-1a failed: AWS rejected the credentials (${name}:`,
      );
      expect(err.message).toMatch(/fix the reconciler's credentials and re-run apply$/);
      expect(err.message).not.toMatch(/grant/);
    },
  );

  it("expired credentials are terminal and say to refresh them", () => {
    const err = toReconcileError(awsError("ExpiredTokenException", 400), ctx);
    expect(err).toBeInstanceOf(TerminalReconcileError);
    expect(err.message).toMatch(/the AWS credentials have expired .*refresh them and re-run apply$/);
  });

  it("a validation error is terminal", () => {
    const err = toReconcileError(awsError("ValidationException"), ctx);
    expect(err).toBeInstanceOf(TerminalReconcileError);
    expect(err.message).toMatch(/re-run apply/);
  });

  it("keeps AWS's message on one line", () => {
    const err = toReconcileError(
      awsError("SyntaxError", 500, "Unexpected token\n  Deserialization error"),
      ctx,
    );
    expect(err.message).toContain("SyntaxError: Unexpected token Deserialization error");
    expect(err.message).not.toContain("\n");
  });

  it("reconciler errors pass through unchanged", () => {
    const retry = new RetryableReconcileError("wait");
    const stop = new TerminalReconcileError("stop");
    expect(toReconcileError(retry, ctx)).toBe(retry);
    expect(toReconcileError(stop, ctx)).toBe(stop);
  });

  it("a non-Error value becomes a terminal error with it as cause", () => {
    const err = toReconcileError("boom", ctx);
    expect(err).toBeInstanceOf(TerminalReconcileError);
    expect(err.cause).toBe("boom");
  });
});

describe("classified", () => {
  it("names the action type and resource id of what it runs", async () => {
    const a = action(
      { type: "PutBackupPolicy", params: { fileSystemId: "fs-1", status: "ENABLED" } },
      "fs-1",
    );
    const run = classified(a, async () => {
      throw awsError("AccessDeniedException", 403);
    });
    await expect(run).rejects.toThrow(TerminalReconcileError);
    await expect(run).rejects.toThrow(/PutBackupPolicy on fs-1/);
  });
});
