/**
 * The identity of a managed access point: its tags, the hash of its (immutable) spec, and the
 * ClientToken that makes its creation idempotent. Pure: the planner and the reconcilers share it.
 */
import { createHash } from "node:crypto";
import type { AccessPointDefinition } from "../plan/types";

export const NAME_TAG = "efs-reconciler.io/name";
export const MANAGED_BY_TAG = "efs-reconciler.io/managed-by";
export const MANAGED_BY_VALUE = "efs-reconciler";
export const SPEC_HASH_TAG = "efs-reconciler.io/spec-hash";

/**
 * The tags that make an access point efs-reconciler's. Releasing one removes exactly these; its
 * `Name` tag, a label for people, stays.
 */
export const OWNERSHIP_TAG_KEYS: readonly string[] = [NAME_TAG, MANAGED_BY_TAG, SPEC_HASH_TAG];

/** "755", "0755" → "0755": the octal permissions as one canonical string. */
export function canonicalPermissions(permissions: string): string {
  const value = Number.parseInt(permissions, 8);
  if (!/^[0-7]{3,4}$/.test(permissions) || Number.isNaN(value)) return permissions;
  return value.toString(8).padStart(4, "0");
}

/** What makes an access point what it is (everything AWS cannot change in place), canonical. */
function canonicalSpec(def: AccessPointDefinition): unknown {
  const info = def.rootDirectory.creationInfo;
  return {
    posixUser: {
      uid: def.posixUser.uid,
      gid: def.posixUser.gid,
      secondaryGids: [...new Set(def.posixUser.secondaryGids)].sort((a, b) => a - b),
    },
    rootDirectory: {
      path: def.rootDirectory.path,
      creationInfo: {
        ownerUid: info.ownerUid,
        ownerGid: info.ownerGid,
        permissions: canonicalPermissions(info.permissions),
      },
    },
  };
}

function sha256Hex(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

/**
 * Hash of the POSIX user and root directory (16 hex chars), the value of the spec-hash tag. Equal
 * specs hash equally whatever the permission spelling or secondary-gid order.
 */
export function accessPointSpecHash(def: AccessPointDefinition): string {
  return sha256Hex(canonicalSpec(def)).slice(0, 16);
}

/**
 * The CreateAccessPoint ClientToken (45 chars, within EFS's 64): one per file system, name and
 * spec, so a retried create returns the access point the first attempt made.
 */
export function accessPointClientToken(def: AccessPointDefinition): string {
  return `efsr-${sha256Hex({ fileSystemId: def.fileSystemId, name: def.name, spec: canonicalSpec(def) }).slice(0, 40)}`;
}

/** The tags a created access point carries. */
export function accessPointTags(name: string, specHash: string): { Key: string; Value: string }[] {
  return [
    { Key: NAME_TAG, Value: name },
    { Key: MANAGED_BY_TAG, Value: MANAGED_BY_VALUE },
    { Key: SPEC_HASH_TAG, Value: specHash },
    { Key: "Name", Value: name },
  ];
}
