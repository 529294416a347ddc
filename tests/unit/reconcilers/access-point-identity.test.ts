import { describe, expect, it } from "vitest";
import type { AccessPointDefinition } from "../../../src/plan/types";
import {
  accessPointClientToken,
  accessPointSpecHash,
  accessPointTags,
  canonicalPermissions,
} from "../../../src/reconcilers/access-point-identity";

const base: AccessPointDefinition = {
  fileSystemId: "fs-0abc",
  name: "models",
  posixUser: { uid: 1000, gid: 1000, secondaryGids: [2000, 3000] },
  rootDirectory: { path: "/models", creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "755" } },
};

const posix = base.posixUser;
const info = base.rootDirectory.creationInfo;
function withRoot(rootDirectory: Partial<AccessPointDefinition["rootDirectory"]>): AccessPointDefinition {
  return { ...base, rootDirectory: { ...base.rootDirectory, ...rootDirectory } };
}

describe("accessPointSpecHash", () => {
  it("keeps its value across releases (live spec-hash tags depend on it)", () => {
    expect(accessPointSpecHash(base)).toBe("8c88af0987ff9bad");
    expect(accessPointClientToken(base)).toBe("efsr-665b70fb24c0a57180c012e82e52c97ac3e64fe5");
  });

  it("is deterministic across calls and copies", () => {
    expect(accessPointSpecHash(base)).toBe(accessPointSpecHash(structuredClone(base)));
    expect(accessPointSpecHash(base)).toMatch(/^[0-9a-f]{16}$/);
  });

  it("ignores how the permissions are spelled and the order of secondary gids", () => {
    const spelled: AccessPointDefinition = {
      ...withRoot({ creationInfo: { ...info, permissions: "0755" } }),
      posixUser: { ...posix, secondaryGids: [3000, 2000] },
    };
    expect(accessPointSpecHash(spelled)).toBe(accessPointSpecHash(base));
  });

  it.each<[string, AccessPointDefinition]>([
    ["uid", { ...base, posixUser: { ...posix, uid: 1001 } }],
    ["gid", { ...base, posixUser: { ...posix, gid: 1001 } }],
    ["secondary gids", { ...base, posixUser: { ...posix, secondaryGids: [2000] } }],
    ["root path", withRoot({ path: "/models-v2" })],
    ["owner uid", withRoot({ creationInfo: { ...info, ownerUid: 1001 } })],
    ["owner gid", withRoot({ creationInfo: { ...info, ownerGid: 1001 } })],
    ["permissions", withRoot({ creationInfo: { ...info, permissions: "750" } })],
  ])("differs when the %s differs", (_field, changed) => {
    expect(accessPointSpecHash(changed)).not.toBe(accessPointSpecHash(base));
  });
});

describe("accessPointClientToken", () => {
  it("is deterministic and within the 64 characters EFS allows", () => {
    const token = accessPointClientToken(base);
    expect(token).toBe(accessPointClientToken(structuredClone(base)));
    expect(token.length).toBeLessThanOrEqual(64);
  });

  it.each<[string, AccessPointDefinition]>([
    ["file system", { ...base, fileSystemId: "fs-0def" }],
    ["name", { ...base, name: "datasets" }],
    ["spec", withRoot({ path: "/other" })],
  ])("differs when the %s differs", (_field, changed) => {
    expect(accessPointClientToken(changed)).not.toBe(accessPointClientToken(base));
  });
});

describe("identity helpers", () => {
  it.each([
    ["755", "0755"],
    ["0755", "0755"],
    ["0700", "0700"],
    ["7777", "7777"],
  ])("canonicalPermissions(%s) = %s", (input, expected) => {
    expect(canonicalPermissions(input)).toBe(expected);
  });

  it("tags carry the name, the owner, the spec hash and a Name", () => {
    expect(accessPointTags("models", "abc")).toEqual([
      { Key: "efs-reconciler.io/name", Value: "models" },
      { Key: "efs-reconciler.io/managed-by", Value: "efs-reconciler" },
      { Key: "efs-reconciler.io/spec-hash", Value: "abc" },
      { Key: "Name", Value: "models" },
    ]);
  });
});
