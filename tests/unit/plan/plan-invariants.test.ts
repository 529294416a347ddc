import { describe, expect, it } from "vitest";
import { planChanges } from "../../../src/plan/index";
import type { Action, Plan } from "../../../src/plan/types";
import { AP_ARN, AP_ID, converged, FN_SG, FS_ID, liveFn, liveFs, MT_SG, type World } from "./world";

const plan = (w: World): Plan => planChanges(w.desired, w.observed, { mode: "dry-run", runId: "run-1" });
const of = <T extends Action["type"]>(p: Plan, type: T) =>
  p.actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);

/** Everything drifted at once: the demo's shape. */
function drifted(): World {
  const w = converged();
  const fs = liveFs(w);
  fs.mountTargets.pop();
  fs.lifecycle = { transitionToIA: "NONE", transitionToPrimaryStorageClass: "NONE" };
  fs.accessPoints[0]!.posixUser = { uid: 0, gid: 0, secondaryGids: [] };
  fs.accessPoints[0]!.tags = {};
  w.observed.securityGroups[MT_SG]!.rules.push({
    ruleId: "sgr-open",
    groupId: MT_SG,
    isEgress: false,
    ipProtocol: "-1",
    fromPort: 0,
    toPort: 65535,
    cidrIpv4: "0.0.0.0/0",
  });
  liveFn(w, "embed").timeout = 3;
  return w;
}

describe("plan invariants", () => {
  it("ids are stable across runs and independent of the run id", () => {
    const a = planChanges(drifted().desired, drifted().observed, { mode: "dry-run", runId: "a" });
    const b = planChanges(drifted().desired, drifted().observed, { mode: "apply", runId: "b" });
    expect(a.drift.map((d) => d.id)).toEqual(b.drift.map((d) => d.id));
    expect(a.actions.map((x) => x.id)).toEqual(b.actions.map((x) => x.id));
    expect(new Set(a.drift.map((d) => d.id)).size).toBe(a.drift.length);
    expect(new Set(a.actions.map((x) => x.id)).size).toBe(a.actions.length);
  });

  it("make before break: creates and authorizations in phase 1, repoints in 2, revokes and deletes in 3", () => {
    const p = plan(drifted());
    const phaseOf = (t: Action["type"]) => new Set(of(p, t).map((a) => a.phase));
    expect(phaseOf("CreateMountTarget")).toEqual(new Set([1]));
    expect(phaseOf("CreateAccessPoint")).toEqual(new Set([1]));
    expect(phaseOf("UpdateFunctionFileSystem")).toEqual(new Set([2]));
    expect(phaseOf("RevokeIngress")).toEqual(new Set([3]));
    expect(phaseOf("DeleteAccessPoint")).toEqual(new Set([3]));
    const phases = p.actions.map((a) => a.phase);
    expect(phases).toEqual([...phases].sort());
  });

  it("adopts the untagged access point the bound functions mount, then replaces it (root → 1000)", () => {
    const p = plan(drifted());
    expect(of(p, "TagAccessPoint").map((a) => a.params)).toEqual([{ accessPointId: AP_ID, name: "lambda" }]);
    const create = of(p, "CreateAccessPoint")[0]!;
    expect(create.params.definition.posixUser).toEqual({ uid: 1000, gid: 1000, secondaryGids: [] });
    expect(create.params.clientToken).toMatch(/^efsr-[0-9a-f]{40}$/);
    for (const r of of(p, "UpdateFunctionFileSystem")) {
      expect(r.params.target).toEqual({ create: create.params.definition, specHash: create.params.specHash });
    }
    expect(of(p, "DeleteAccessPoint").map((a) => a.params.accessPointId)).toEqual([AP_ID]);
  });

  it("releases, never deletes, a replaced access point a function outside the manifests mounts", () => {
    const w = converged();
    liveFs(w).accessPoints[0]!.posixUser = { uid: 0, gid: 0, secondaryGids: [] };
    w.observed.mountedBy[AP_ARN] = ["embed", "search", "someone-elses-fn"];
    const p = plan(w);
    expect(of(p, "CreateAccessPoint")).toHaveLength(1);
    // The delete action carries the manifests' functions: at delete time the reconciler finds
    // someone-elses-fn among the mounters, keeps the access point and removes its own tags.
    const [release, ...more] = of(p, "DeleteAccessPoint");
    expect(more).toEqual([]);
    expect(release?.params).toMatchObject({ accessPointId: AP_ID, manifestFunctions: ["embed", "search"] });
    expect(release?.phase).toBe(3);
    expect(release?.description).toContain(
      "release replaced access point (someone-elses-fn, outside the manifests",
    );
  });

  it("keeps a replaced access point a manifest function still mounts and this run does not repoint", () => {
    const w = converged();
    liveFs(w).accessPoints[0]!.posixUser = { uid: 0, gid: 0, secondaryGids: [] };
    // search left its VPC: it is not repointed (FN_NOT_IN_VPC is manual) and still mounts the old one.
    delete liveFn(w, "search").vpcConfig;
    const p = plan(w);
    expect(of(p, "UpdateFunctionFileSystem").map((a) => a.params.functionName)).toEqual(["embed"]);
    expect(of(p, "DeleteAccessPoint")).toEqual([]);
  });

  it("after a crash mid-replacement the matching duplicate becomes live and the old one is cleaned up", () => {
    const w = converged();
    const fs = liveFs(w);
    const old = fs.accessPoints[0]!;
    old.posixUser = { uid: 0, gid: 0, secondaryGids: [] };
    fs.accessPoints.push({
      ...old,
      accessPointId: "fsap-new",
      accessPointArn: "arn:ap/fsap-new",
      posixUser: { uid: 1000, gid: 1000, secondaryGids: [] },
    });
    const p = plan(w);
    // No second create: the new one exists; functions move to it, the old one goes.
    expect(of(p, "CreateAccessPoint")).toEqual([]);
    expect(of(p, "UpdateFunctionFileSystem").map((a) => a.params.target)).toEqual([
      { accessPointArn: "arn:ap/fsap-new" },
      { accessPointArn: "arn:ap/fsap-new" },
    ]);
    expect(of(p, "DeleteAccessPoint").map((a) => a.params.accessPointId)).toEqual([AP_ID]);
    expect(p.drift.map((d) => d.code).sort()).toEqual([
      "AP_ORPHANED",
      "FN_FILE_SYSTEM_CONFIG",
      "FN_FILE_SYSTEM_CONFIG",
    ]);
  });

  it("never authorizes a CIDR, a port other than 2049, or a source outside bound and allowed groups", () => {
    const w = drifted();
    w.desired.fileSystems[0]!.spec.mountTargets.allowedSecurityGroupIds = ["sg-0extra0000000001"];
    w.observed.securityGroups["sg-0extra0000000001"] = {
      ...w.observed.securityGroups[MT_SG]!,
      groupId: "sg-0extra0000000001",
      rules: [],
    };
    w.observed.securityGroups[MT_SG]!.rules = [];
    w.observed.securityGroups[FN_SG]!.rules = [];
    const p = plan(w);
    const allowed = new Set([FN_SG, "sg-0extra0000000001"]);
    for (const a of of(p, "AuthorizeIngress")) {
      expect(a.params.port).toBe(2049);
      expect(a.params.groupId).toBe(MT_SG);
      expect(allowed.has(a.params.sourceGroupId)).toBe(true);
    }
    for (const a of of(p, "AuthorizeEgress")) {
      expect(a.params).toEqual({ groupId: FN_SG, destinationGroupId: MT_SG, port: 2049 });
    }
    expect(of(p, "AuthorizeIngress")).toHaveLength(2);
  });

  it("only the manifest's mount-target security group ever has ingress revoked", () => {
    const w = converged();
    w.observed.securityGroups[FN_SG]!.rules.push({
      ruleId: "sgr-fn-open",
      groupId: FN_SG,
      isEgress: false,
      ipProtocol: "tcp",
      fromPort: 22,
      toPort: 22,
      cidrIpv4: "0.0.0.0/0",
    });
    expect(plan(w).actions).toEqual([]);
  });

  it("matches the JSON contract's top-level shape", () => {
    const p = plan(drifted());
    expect(Object.keys(p)).toEqual([
      "formatVersion",
      "mode",
      "runId",
      "manifestRevision",
      "drift",
      "actions",
      "summary",
    ]);
    expect(p.manifestRevision).toBe("sha256:test");
    const d = p.drift[0]!;
    expect(Object.keys(d)).toEqual([
      "id",
      "code",
      "severity",
      "remediation",
      "resource",
      "manifest",
      "field",
      "expected",
      "actual",
      "message",
    ]);
    expect(d.manifest).toEqual({ kind: "FileSystem", name: "ml-data", file: "desired-state/efs.yaml" });
    expect(p.summary.drift).toBe(p.drift.length);
    expect(of(p, "CreateMountTarget")[0]!.params).toEqual({
      fileSystemId: FS_ID,
      availabilityZone: "us-east-1b",
      subnetId: "subnet-0b",
      securityGroupIds: [MT_SG],
    });
  });
});
