/**
 * Drift items and planned actions: the JSON contract of §2/§3 of the spec.
 */
import type { Kind } from "../desired-state/types";
import type { AlarmDefinition } from "./alarm-definitions";

export type DriftCode =
  | "FS_NOT_FOUND"
  | "FS_NOT_ENCRYPTED"
  | "FS_PERFORMANCE_MODE"
  | "FS_THROUGHPUT_MODE"
  | "FS_LIFECYCLE_POLICY"
  | "FS_BACKUP_POLICY"
  | "MT_MISSING_IN_AZ"
  | "MT_SECURITY_GROUPS"
  | "SG_INGRESS_NOT_ALLOWED"
  | "SG_INGRESS_MISSING"
  | "SG_EGRESS_MISSING"
  | "AP_MISSING"
  | "AP_POSIX_USER"
  | "AP_ROOT_DIRECTORY"
  | "AP_ORPHANED"
  | "FN_NOT_FOUND"
  | "FN_NOT_IN_VPC"
  | "FN_VPC_CONFIG"
  | "FN_TOO_FEW_AZS"
  | "FN_FILE_SYSTEM_CONFIG"
  | "FN_TIMEOUT"
  | "FN_PUBLIC_SUBNET"
  | "MT_PUBLIC_SUBNET"
  | "FN_IAM_EFS_ACCESS_MISSING"
  | "FN_IAM_EFS_ACCESS_TOO_BROAD"
  | "FN_LOG_FORMAT"
  | "FS_ALARMS";

export type Severity = "critical" | "high" | "medium" | "low";
export type Remediation = "auto" | "manual";

export type ResourceType =
  | "AWS::EFS::FileSystem"
  | "AWS::EFS::MountTarget"
  | "AWS::EFS::AccessPoint"
  | "AWS::EC2::SecurityGroup"
  | "AWS::Lambda::Function"
  | "AWS::CloudWatch::Alarm";

export interface ResourceRef {
  type: ResourceType;
  /** The AWS id; a missing mount target is `FS_ID/AZ`, a missing access point `FS_ID/NAME`. */
  id: string;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Drift {
  /** Stable hash of code + resource + field. */
  id: string;
  code: DriftCode;
  severity: Severity;
  remediation: Remediation;
  resource: ResourceRef;
  manifest: { kind: Kind; name: string; file: string };
  field: string;
  expected: JsonValue;
  actual: JsonValue;
  message: string;
}

/** Access point as a reconciler creates it (also the input of the ClientToken hash). */
export interface AccessPointDefinition {
  fileSystemId: string;
  name: string;
  posixUser: { uid: number; gid: number; secondaryGids: number[] };
  rootDirectory: {
    path: string;
    creationInfo: { ownerUid: number; ownerGid: number; permissions: string };
  };
}

/** Where a function's mount comes from: an existing access point, or the one a CreateAccessPoint action of the same plan makes. */
export type AccessPointTarget =
  | { accessPointArn: string }
  | { create: AccessPointDefinition; specHash: string };

/**
 * Every action type with its parameters. Each is one idempotent reconciler call.
 * Phase 1 makes (nothing is removed), phase 2 repoints functions (after mount targets are
 * `available`), phase 3 breaks (revokes rules, deletes replaced/orphaned access points).
 */
export type ActionSpec =
  | {
      type: "CreateMountTarget";
      params: {
        fileSystemId: string;
        availabilityZone: string;
        subnetId: string;
        securityGroupIds: string[];
      };
    }
  | {
      type: "AddMountTargetSecurityGroup";
      params: { fileSystemId: string; mountTargetId: string; securityGroupId: string };
    }
  | {
      type: "AuthorizeIngress";
      /** TCP 2049 into `groupId` from `sourceGroupId`. */
      params: { groupId: string; sourceGroupId: string; port: 2049 };
    }
  | {
      type: "AuthorizeEgress";
      /** TCP 2049 from `groupId` to `destinationGroupId`. */
      params: { groupId: string; destinationGroupId: string; port: 2049 };
    }
  | {
      type: "RevokeIngress";
      params: { groupId: string; ruleId: string; rule: import("../observe/types").SecurityGroupRule };
    }
  | {
      type: "CreateAccessPoint";
      params: { definition: AccessPointDefinition; specHash: string; clientToken: string };
    }
  | {
      type: "TagAccessPoint";
      /** Adoption of an untagged access point mounted by a bound function. */
      params: { accessPointId: string; name: string };
    }
  | {
      type: "DeleteAccessPoint";
      params: {
        accessPointId: string;
        accessPointArn: string;
        fileSystemId: string;
        /**
         * Every function the manifests bind (live names, sorted). A function outside this list that
         * mounts the access point when it is to be deleted keeps it, and efs-reconciler releases it
         * (removes its own tags) instead of deleting it.
         */
        manifestFunctions: string[];
      };
    }
  | {
      type: "PutLifecycleConfiguration";
      params: {
        fileSystemId: string;
        transitionToIA: string;
        /** Any live archive transition is kept as the reconciler finds it: manifests do not manage it. */
        transitionToPrimaryStorageClass: string;
      };
    }
  | {
      type: "UpdateThroughputMode";
      params: { fileSystemId: string; throughputMode: string; provisionedThroughputInMibps?: number };
    }
  | {
      type: "PutBackupPolicy";
      params: { fileSystemId: string; status: "ENABLED" | "DISABLED" };
    }
  | {
      type: "UpdateFunctionConfiguration";
      /** Phase 1: timeout, VPC and log format only; set fields are the ones to change. */
      params: {
        functionName: string;
        timeout?: number;
        vpcConfig?: { subnetIds: string[]; securityGroupIds: string[] };
        logFormat?: "JSON" | "Text";
      };
    }
  | {
      type: "UpdateFunctionFileSystem";
      /** Phase 2: mount `target` at `localMountPath` (replaces any other file system config). */
      params: {
        functionName: string;
        localMountPath: string;
        target: AccessPointTarget;
        /**
         * The function's file system configs when planned: configs found instead at apply time were
         * changed by someone else since the plan, and are not overwritten (absent: no check).
         */
        replaces?: { arn: string; localMountPath: string }[];
      };
    }
  | {
      type: "PutMetricAlarm";
      /**
       * Phase 1: create or update the alarm to exactly `alarm` (its actions are kept), tagged
       * managed. `exists`: whether the plan saw it (display only; the reconciler re-reads).
       */
      params: { alarm: AlarmDefinition; exists: boolean };
    }
  | {
      type: "DeleteAlarm";
      /** Phase 3: delete an alarm efs-reconciler made (tagged managed) that no manifest wants any more. */
      params: { alarmName: string; fileSystemId: string };
    };

export type ActionType = ActionSpec["type"];

export type Action = ActionSpec & {
  /** Stable hash of type + resource + params. */
  id: string;
  phase: 1 | 2 | 3;
  driftIds: string[];
  resource: ResourceRef;
  /** One human line: what and why. */
  description: string;
};

export interface Plan {
  formatVersion: "1";
  mode: "dry-run" | "apply";
  runId: string;
  manifestRevision: string;
  drift: Drift[];
  actions: Action[];
  summary: { drift: number; auto: number; manual: number; actions: number };
}

export type ActionStatus = "succeeded" | "failed" | "skipped";

export interface ActionResult {
  actionId: string;
  status: ActionStatus;
  error: string | null;
}

export interface ApplyReport extends Plan {
  results: ActionResult[];
  remaining: Drift[];
}
