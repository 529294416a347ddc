/**
 * Never widen access, as properties of the pure planner over random observed accounts: whatever
 * rules, groups, functions and access points the account holds, no plan authorizes a CIDR, a port
 * other than 2049, or a source other than a bound function's group or a same-VPC allowed group;
 * ingress is revoked only on the manifest's mount-target group (so an allowed group that belongs
 * to someone else is never touched); an access point is deleted only when managed and mounted by
 * nobody but functions the same plan repoints; an allowed group from another VPC is rejected.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DescribeSecurityGroupRulesCommand,
} from "@aws-sdk/client-ec2";
import { CreateAccessPointCommand } from "@aws-sdk/client-efs";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { ObservedAccessPoint, ObservedState, SecurityGroupRule } from "../../src/observe/types";
import { planChanges } from "../../src/plan/index";
import type { Action, ApplyReport, Plan } from "../../src/plan/types";
import { emulatorClients } from "../support/emulator";
import { converged, FN_SG, FS_ID, liveFs, MT_SG, type World } from "../unit/plan/world";
import { runJson } from "./support/cli";
import { type DemoFixture, demoState, freshDemo, NAME_TAG } from "./support/demo";

const PROPERTY_RUNS = 1000;

const FN_SG_2 = "sg-0fn00000000000002";
/** Groups of the file system's VPC (vpc-1) someone else owns, and groups of another VPC (vpc-2). */
const OTHER_SGS = ["sg-0other0000000001", "sg-0other0000000002"];
const FOREIGN_SGS = ["sg-0peer00000000001", "sg-0peer00000000002"];
const ALL_SGS = [MT_SG, FN_SG, FN_SG_2, ...OTHER_SGS, ...FOREIGN_SGS];
const FUNCTIONS = ["search", "embed"] as const;

/** Up to five random rules of one group: any direction, protocol, port range and peer. */
const arbGroupRules = (groupId: string): fc.Arbitrary<SecurityGroupRule[]> =>
  fc
    .array(
      fc.record({
        isEgress: fc.boolean(),
        ipProtocol: fc.constantFrom("-1", "tcp", "udp", "icmp", "50"),
        ports: fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 })),
        nfs: fc.boolean(),
        peer: fc.oneof(
          fc.record({ cidrIpv4: fc.constantFrom("0.0.0.0/0", "10.0.0.0/8", "192.168.1.7/32") }),
          fc.record({ cidrIpv6: fc.constantFrom("::/0", "2001:db8::/32") }),
          fc.record({ prefixListId: fc.constant("pl-0123456789abcdef0") }),
          fc.record({ referencedGroupId: fc.constantFrom(...ALL_SGS, "sg-0gone000000000001") }),
        ),
      }),
      { maxLength: 5 },
    )
    .map((shapes) =>
      shapes.map(({ isEgress, ipProtocol, ports, nfs, peer }, index) => {
        const [a, b] = nfs ? [2049, 2049] : [Math.min(...ports), Math.max(...ports)];
        const all = ipProtocol === "-1";
        return {
          ruleId: `sgr-${groupId.slice(3, 9)}${index}`,
          groupId,
          isEgress,
          ipProtocol,
          fromPort: all ? 0 : a,
          toPort: all ? 65535 : b,
          ...peer,
        };
      }),
    );

/** Up to three more access points on the file system, managed or not, named or not. */
const arbAccessPoints: fc.Arbitrary<ObservedAccessPoint[]> = fc
  .array(
    fc.record({
      managed: fc.boolean(),
      name: fc.constantFrom(undefined, "lambda", "other"),
      uid: fc.constantFrom(0, 1000, 2000),
    }),
    { maxLength: 3 },
  )
  .map((shapes) =>
    shapes.map(({ managed, name, uid }, index) => {
      const id = `fsap-${String(index + 2).padStart(17, "0")}`;
      return {
        accessPointId: id,
        accessPointArn: `arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/${id}`,
        fileSystemId: FS_ID,
        lifeCycleState: "available",
        tags: {
          ...(name ? { "efs-reconciler.io/name": name } : {}),
          ...(managed ? { "efs-reconciler.io/managed-by": "efs-reconciler" } : {}),
        },
        posixUser: { uid, gid: uid, secondaryGids: [] },
        rootDirectory: {
          path: "/lambda",
          creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "755" },
        },
      };
    }),
  );

interface RandomAccount {
  world: World;
  allowed: string[];
}

const arbAccount: fc.Arbitrary<RandomAccount> = fc
  .record({
    allowed: fc.subarray([...OTHER_SGS, ...FOREIGN_SGS, FN_SG_2]),
    fnGroups: fc.tuple(
      fc.subarray([FN_SG, FN_SG_2], { minLength: 1 }),
      fc.subarray([FN_SG, FN_SG_2], { minLength: 1 }),
    ),
    inVpc: fc.tuple(fc.boolean(), fc.boolean()),
    rules: fc.tuple(...ALL_SGS.map((g) => arbGroupRules(g))),
    extraAccessPoints: arbAccessPoints,
    mounts: fc.array(fc.tuple(fc.nat(3), fc.constantFrom("search", "embed", "outsider")), { maxLength: 4 }),
  })
  .map(({ allowed, fnGroups, inVpc, rules, extraAccessPoints, mounts }) => {
    const world = converged();
    world.desired.fileSystems[0]!.spec.mountTargets.allowedSecurityGroupIds = allowed;
    const groups: ObservedState["securityGroups"] = {};
    ALL_SGS.forEach((groupId, i) => {
      groups[groupId] = {
        groupId,
        vpcId: FOREIGN_SGS.includes(groupId) ? "vpc-2" : "vpc-1",
        rules: rules[i] ?? [],
      };
    });
    world.observed.securityGroups = groups;
    FUNCTIONS.forEach((name, i) => {
      const lookup = world.observed.functions[name];
      if (!lookup?.found) return;
      if (inVpc[i])
        lookup.fn.vpcConfig = {
          vpcId: "vpc-1",
          subnetIds: ["subnet-0a", "subnet-0b"],
          securityGroupIds: fnGroups[i] ?? [FN_SG],
        };
      else delete lookup.fn.vpcConfig;
    });
    const fs = liveFs(world);
    fs.accessPoints.push(...extraAccessPoints);
    const mountedBy: Record<string, string[]> = {};
    for (const [index, fn] of mounts) {
      const ap = fs.accessPoints[index];
      if (!ap) continue;
      mountedBy[ap.accessPointArn] = [...new Set([...(mountedBy[ap.accessPointArn] ?? []), fn])];
    }
    world.observed.mountedBy = mountedBy;
    for (const name of FUNCTIONS) {
      const lookup = world.observed.functions[name];
      if (!lookup?.found) continue;
      lookup.fn.fileSystemConfigs = fs.accessPoints
        .filter((ap) => mountedBy[ap.accessPointArn]?.includes(name))
        .slice(0, 1)
        .map((ap) => ({ arn: ap.accessPointArn, localMountPath: "/mnt/efs" }));
    }
    return { world, allowed };
  });

const of = <T extends Action["type"]>(p: Plan, type: T) =>
  p.actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);

function boundGroups(world: World): Set<string> {
  const out = new Set<string>();
  for (const name of FUNCTIONS) {
    const lookup = world.observed.functions[name];
    if (lookup?.found) for (const g of lookup.fn.vpcConfig?.securityGroupIds ?? []) out.add(g);
  }
  return out;
}

function isAllowedNfsRule(rule: SecurityGroupRule, sources: Set<string>): boolean {
  return (
    !rule.isEgress &&
    rule.ipProtocol === "tcp" &&
    rule.fromPort === 2049 &&
    rule.toPort === 2049 &&
    rule.referencedGroupId !== undefined &&
    sources.has(rule.referencedGroupId) &&
    !rule.cidrIpv4 &&
    !rule.cidrIpv6 &&
    !rule.prefixListId
  );
}

describe(`never widen access (${PROPERTY_RUNS} random accounts per property)`, () => {
  it("authorizes only TCP 2049, into the mount-target group, from a bound function's or a same-VPC allowed group", () => {
    fc.assert(
      fc.property(arbAccount, ({ world, allowed }) => {
        const plan = planChanges(world.desired, world.observed, { mode: "dry-run", runId: "prop" });
        const sameVpcAllowed = allowed.filter((g) => !FOREIGN_SGS.includes(g));
        const sources = new Set([...boundGroups(world), ...sameVpcAllowed]);
        for (const a of of(plan, "AuthorizeIngress")) {
          expect(Object.keys(a.params).sort()).toEqual(["groupId", "port", "sourceGroupId"]);
          expect(a.params.port).toBe(2049);
          expect(a.params.groupId).toBe(MT_SG);
          expect(sources.has(a.params.sourceGroupId)).toBe(true);
          expect(FOREIGN_SGS).not.toContain(a.params.sourceGroupId);
        }
        for (const a of of(plan, "AuthorizeEgress")) {
          expect(Object.keys(a.params).sort()).toEqual(["destinationGroupId", "groupId", "port"]);
          expect(a.params.port).toBe(2049);
          expect(a.params.destinationGroupId).toBe(MT_SG);
          expect(boundGroups(world).has(a.params.groupId)).toBe(true);
        }
        for (const a of [...of(plan, "CreateMountTarget")])
          expect(a.params.securityGroupIds).toEqual([MT_SG]);
        for (const a of of(plan, "AddMountTargetSecurityGroup")) expect(a.params.securityGroupId).toBe(MT_SG);
      }),
      { numRuns: PROPERTY_RUNS, seed: 2049 },
    );
  });

  it("revokes ingress only on the manifest's mount-target group, only rules it observed outside the allowed set", () => {
    fc.assert(
      fc.property(arbAccount, ({ world, allowed }) => {
        const plan = planChanges(world.desired, world.observed, { mode: "dry-run", runId: "prop" });
        const sameVpcAllowed = allowed.filter((g) => !FOREIGN_SGS.includes(g));
        const sources = new Set([...boundGroups(world), ...sameVpcAllowed]);
        const mtRules = world.observed.securityGroups[MT_SG]?.rules ?? [];
        for (const a of of(plan, "RevokeIngress")) {
          expect(a.params.groupId).toBe(MT_SG);
          expect(allowed).not.toContain(a.params.groupId);
          const observedRule = mtRules.find((r) => r.ruleId === a.params.ruleId);
          expect(observedRule).toEqual(a.params.rule);
          expect(observedRule?.isEgress).toBe(false);
          // Bound functions only matter while networked; a rule from a live allowed source stays.
          if (observedRule && sameVpcAllowed.length > 0) {
            expect(isAllowedNfsRule(observedRule, new Set(sameVpcAllowed))).toBe(false);
          }
        }
        // Every rule that is exactly NFS from an allowed source is kept.
        const revoked = new Set(of(plan, "RevokeIngress").map((a) => a.params.ruleId));
        for (const r of mtRules) if (isAllowedNfsRule(r, sources)) expect(revoked.has(r.ruleId)).toBe(false);
        // Nothing is ever done to a group the manifests do not name as the mount-target group.
        for (const a of plan.actions) {
          if (a.resource.type !== "AWS::EC2::SecurityGroup") continue;
          expect(a.resource.id === MT_SG || boundGroups(world).has(a.resource.id)).toBe(true);
          if (a.resource.id !== MT_SG) expect(a.type).toBe("AuthorizeEgress");
        }
      }),
      { numRuns: PROPERTY_RUNS, seed: 22 },
    );
  });

  it("deletes only managed access points no manifest function keeps mounting; one a function outside the manifests mounts is released", () => {
    fc.assert(
      fc.property(arbAccount, ({ world }) => {
        const plan = planChanges(world.desired, world.observed, { mode: "dry-run", runId: "prop" });
        const fs = liveFs(world);
        const repointed = new Set(of(plan, "UpdateFunctionFileSystem").map((a) => a.params.functionName));
        const tagged = new Set(of(plan, "TagAccessPoint").map((a) => a.params.accessPointId));
        for (const a of of(plan, "DeleteAccessPoint")) {
          const ap = fs.accessPoints.find((x) => x.accessPointId === a.params.accessPointId);
          // Managed already, or adopted (tagged managed) by this plan's phase 1 before the phase-3 delete.
          const managed = ap?.tags["efs-reconciler.io/managed-by"] === "efs-reconciler";
          expect(managed || tagged.has(a.params.accessPointId)).toBe(true);
          expect(a.params.fileSystemId).toBe(FS_ID);
          const mounters = world.observed.mountedBy[ap?.accessPointArn ?? ""] ?? [];
          // A manifest function mounting it is repointed in this plan first (make before break).
          for (const fn of mounters.filter((f) => a.params.manifestFunctions.includes(f))) {
            expect(repointed.has(fn)).toBe(true);
          }
          // A function outside the manifests keeps it: the reconciler releases it at delete time,
          // never deletes it, and the plan says so.
          const outside = mounters.filter((f) => !a.params.manifestFunctions.includes(f));
          if (outside.length > 0) expect(a.description).toMatch(/^release /);
          // A repoint still settling at delete time is waited for, never taken for someone else's mount.
          for (const fn of repointed) expect(a.params.manifestFunctions).toContain(fn);
        }
        // Adoption (tagging) only of an access point a manifest's own function mounts, or one it names.
        for (const a of of(plan, "TagAccessPoint")) {
          const ap = fs.accessPoints.find((x) => x.accessPointId === a.params.accessPointId);
          const mounters = world.observed.mountedBy[ap?.accessPointArn ?? ""] ?? [];
          expect(
            mounters.some((f) => f === "search" || f === "embed") ||
              ap?.tags["efs-reconciler.io/name"] === a.params.name,
          ).toBe(true);
        }
      }),
      { numRuns: PROPERTY_RUNS, seed: 7 },
    );
  });

  it("rejects an allowed group from another VPC: a manual drift saying so, never a rule from it", () => {
    fc.assert(
      fc.property(arbAccount, ({ world, allowed }) => {
        const plan = planChanges(world.desired, world.observed, { mode: "dry-run", runId: "prop" });
        for (const g of allowed.filter((x) => FOREIGN_SGS.includes(x))) {
          const drift = plan.drift.filter((d) => d.field === `ingress.from.${g}`);
          expect(drift.map((d) => [d.code, d.remediation])).toEqual([["SG_INGRESS_MISSING", "manual"]]);
          expect(drift[0]?.message).toBe(
            `allowedSecurityGroupIds entry ${g} is in vpc-2, not in vpc-1 of the mount-target security group ${MT_SG}, so it is not allowed as an NFS source; name a security group of vpc-1 instead`,
          );
          expect(of(plan, "AuthorizeIngress").map((a) => a.params.sourceGroupId)).not.toContain(g);
        }
      }),
      { numRuns: PROPERTY_RUNS, seed: 4 },
    );
  });
});

describe("never widen access, end to end on the emulator", () => {
  let fixture: DemoFixture | undefined;

  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });

  async function rulesOf(groupId: string): Promise<string[]> {
    const out = await emulatorClients().ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }),
    );
    return (out.SecurityGroupRules ?? [])
      .map(
        (r) =>
          `${r.IsEgress ? "out" : "in"} ${r.IpProtocol} ${r.FromPort}-${r.ToPort} ${r.CidrIpv4 ?? r.ReferencedGroupInfo?.GroupId}`,
      )
      .sort();
  }

  it("someone else's allowed group is never touched, another VPC's is rejected, unmanaged access points stay", async () => {
    fixture = await freshDemo();
    const { ids, manifests, stateDir } = fixture;
    const { ec2, efs } = emulatorClients();
    expect((await runJson<ApplyReport>("apply", manifests, stateDir)).code).toBe(0);
    // Someone else's group in the same VPC, wide open, named as an extra NFS client.
    const theirs = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "batch-jobs", Description: "batch", VpcId: ids.vpcId }),
    );
    const theirId = theirs.GroupId ?? "";
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: theirId,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        ],
      }),
    );
    // A group of another VPC.
    const otherVpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.99.0.0/16" }));
    const foreign = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: "peer",
        Description: "peer",
        VpcId: otherVpc.Vpc?.VpcId ?? "",
      }),
    );
    const foreignId = foreign.GroupId ?? "";
    // Access points that are not the controller's: untagged, and a copy that only carries the name.
    const untagged = await efs.send(
      new CreateAccessPointCommand({
        FileSystemId: ids.fileSystemId,
        ClientToken: "not-ours",
        PosixUser: { Uid: 3000, Gid: 3000 },
        RootDirectory: { Path: "/other" },
      }),
    );
    const nameOnly = await efs.send(
      new CreateAccessPointCommand({
        FileSystemId: ids.fileSystemId,
        ClientToken: "name-only",
        PosixUser: { Uid: 4000, Gid: 4000 },
        RootDirectory: { Path: "/copy" },
        Tags: [{ Key: NAME_TAG, Value: "lambda" }],
      }),
    );
    const efsYaml = join(manifests, "efs.yaml");
    const text = await readFile(efsYaml, "utf8");
    await writeFile(
      efsYaml,
      text.replace(
        `    securityGroupId: ${ids.mountTargetSecurityGroupId}\n`,
        `    securityGroupId: ${ids.mountTargetSecurityGroupId}\n    allowedSecurityGroupIds: [${theirId}, ${foreignId}]\n`,
      ),
    );
    const theirRulesBefore = await rulesOf(theirId);
    const foreignRulesBefore = await rulesOf(foreignId);

    const plan = await runJson<Plan>("plan", manifests, stateDir);
    expect(plan.code).toBe(2);
    const rejected = plan.doc.drift.find((d) => d.field === `ingress.from.${foreignId}`);
    expect([rejected?.code, rejected?.remediation]).toEqual(["SG_INGRESS_MISSING", "manual"]);
    expect(rejected?.message).toContain(`is in ${otherVpc.Vpc?.VpcId}, not in ${ids.vpcId}`);
    const nameOnlyDrift = plan.doc.drift.find((d) => d.resource.id === nameOnly.AccessPointId);
    expect([nameOnlyDrift?.code, nameOnlyDrift?.remediation]).toEqual(["AP_ORPHANED", "manual"]);
    for (const a of plan.doc.actions) {
      expect([theirId, foreignId, untagged.AccessPointId, nameOnly.AccessPointId]).not.toContain(
        a.resource.id,
      );
    }

    const apply = await runJson<ApplyReport>("apply", manifests, stateDir);
    expect(apply.doc.results.filter((r) => r.status === "failed")).toEqual([]);
    expect(apply.code).toBe(2); // only the manual drift (the rejected group, the name-only access point) is left
    expect(await rulesOf(theirId)).toEqual(theirRulesBefore);
    expect(await rulesOf(foreignId)).toEqual(foreignRulesBefore);
    expect((await rulesOf(ids.mountTargetSecurityGroupId)).filter((r) => r.startsWith("in "))).toEqual(
      [`in tcp 2049-2049 ${ids.functionSecurityGroupId}`, `in tcp 2049-2049 ${theirId}`].sort(),
    );
    const left = (await demoState(ids)).accessPoints.map((ap) => ap.id);
    expect(left).toContain(untagged.AccessPointId);
    expect(left).toContain(nameOnly.AccessPointId);
  }, 60_000);
});
