/**
 * The diff's lookups by index (functions per file system and per access point, alarms per file
 * system, compiled IAM patterns) decide exactly what the scans they replace decided.
 */
import { describe, expect, it } from "vitest";
import { syntheticFleet } from "../../../bench/lib/pure-diff";
import { alarmName } from "../../../src/plan/alarm-definitions";
import { actionMatches, resourceMatches } from "../../../src/plan/iam-policy";
import { planChanges } from "../../../src/plan/index";

const META = { mode: "dry-run" as const, runId: "test" };

describe("diff over many file systems", () => {
  it("finds each app's own drift and nothing else (1 app in 10 drifted, 3 codes each)", () => {
    const { desired, observed } = syntheticFleet(40);
    const plan = planChanges(desired, observed, META);
    const drifted = [...new Set(plan.drift.map((d) => d.manifest.name))].sort();
    expect(drifted).toEqual(["app-00000", "app-00010", "app-00020", "app-00030"]);
    expect(plan.drift.map((d) => d.code).sort()).toEqual(
      Array.from({ length: 4 }, () => ["FS_LIFECYCLE_POLICY", "MT_MISSING_IN_AZ", "SG_INGRESS_NOT_ALLOWED"])
        .flat()
        .sort(),
    );
  });

  it("deletes an unwanted managed alarm of a file system, never one of a file system whose id extends it", () => {
    const { desired, observed } = syntheticFleet(2);
    const fs0 = desired.fileSystems[0];
    const fs0Id = fs0?.spec.fileSystemId ?? "";
    if (!fs0) throw new Error("no file system");
    fs0.spec.alarms = { percentIOLimit: false, burstCreditBalanceBytes: false };
    const own = observed.alarms?.[alarmName(fs0Id, "percentIOLimit")];
    if (!own || !observed.alarms) throw new Error("the synthetic fleet has no alarm");
    const longerId = `${fs0Id}2`;
    const other = alarmName(longerId, "percentIOLimit");
    observed.alarms[other] = {
      ...own,
      alarmName: other,
      dimensions: [{ name: "FileSystemId", value: longerId }],
    };

    const plan = planChanges(desired, observed, META);
    const deletes = plan.actions.filter((a) => a.type === "DeleteAlarm").map((a) => a.resource.id);
    expect(deletes).toEqual([own.alarmName]);
  });
});

describe("IAM pattern matching", () => {
  it("matches exact patterns like their wildcard-free globs: actions ignore case, resources do not", () => {
    expect(actionMatches("elasticfilesystem:ClientMount", "elasticfilesystem:clientmount")).toBe(true);
    expect(actionMatches("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite")).toBe(false);
    expect(actionMatches("elasticfilesystem:Client*", "elasticfilesystem:ClientWrite")).toBe(true);
    expect(actionMatches("elasticfilesystem:Client?ount", "elasticfilesystem:ClientMount")).toBe(true);
    expect(actionMatches("elasticfilesystem:Client?", "elasticfilesystem:ClientMount")).toBe(false);
    const arn = "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0abc";
    expect(resourceMatches(arn, arn)).toBe(true);
    expect(resourceMatches(arn.toUpperCase(), arn)).toBe(false);
    expect(resourceMatches("arn:aws:elasticfilesystem:*:*:file-system/fs-0ab?", arn)).toBe(true);
    expect(resourceMatches("arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0ab.", arn)).toBe(
      false,
    );
  });
});
