/**
 * The drift-code catalogue of the contract (§2): default severity and remediation per code.
 */
import type { DriftCode, Remediation, Severity } from "./types";

export const DRIFT_CATALOG: Record<
  DriftCode,
  { severity: Severity; remediation: Remediation; meaning: string }
> = {
  FS_NOT_FOUND: { severity: "critical", remediation: "manual", meaning: "no live file system matches" },
  FS_NOT_ENCRYPTED: {
    severity: "high",
    remediation: "manual",
    meaning: "encryption at rest off (needs migration)",
  },
  FS_PERFORMANCE_MODE: {
    severity: "medium",
    remediation: "manual",
    meaning: "performance mode differs (needs migration)",
  },
  FS_THROUGHPUT_MODE: {
    severity: "medium",
    remediation: "auto",
    meaning: "throughput mode / provisioned MiB/s differs",
  },
  FS_LIFECYCLE_POLICY: { severity: "low", remediation: "auto", meaning: "lifecycle transitions differ" },
  FS_BACKUP_POLICY: { severity: "medium", remediation: "auto", meaning: "backup policy differs" },
  MT_MISSING_IN_AZ: { severity: "high", remediation: "auto", meaning: "a required AZ has no mount target" },
  MT_SECURITY_GROUPS: {
    severity: "high",
    remediation: "auto",
    meaning: "a mount target lacks the manifest's security group",
  },
  SG_INGRESS_NOT_ALLOWED: {
    severity: "high",
    remediation: "auto",
    meaning: "an ingress rule outside the allowed set",
  },
  SG_INGRESS_MISSING: {
    severity: "high",
    remediation: "auto",
    meaning: "a bound function's SG cannot reach TCP 2049",
  },
  SG_EGRESS_MISSING: {
    severity: "high",
    remediation: "auto",
    meaning: "a function SG has no egress to TCP 2049 of the mount-target SG",
  },
  AP_MISSING: { severity: "high", remediation: "auto", meaning: "the access point does not exist" },
  AP_POSIX_USER: { severity: "high", remediation: "auto", meaning: "POSIX user differs (replacement)" },
  AP_ROOT_DIRECTORY: {
    severity: "high",
    remediation: "auto",
    meaning: "root path or creation info differs (replacement)",
  },
  AP_ORPHANED: {
    severity: "low",
    remediation: "auto",
    meaning: "a managed access point no manifest wants and no function mounts",
  },
  FN_NOT_FOUND: { severity: "critical", remediation: "manual", meaning: "the function does not exist" },
  FN_NOT_IN_VPC: { severity: "critical", remediation: "manual", meaning: "function has no VpcConfig" },
  FN_VPC_CONFIG: { severity: "high", remediation: "auto", meaning: "`vpc` is set and differs" },
  FN_TOO_FEW_AZS: {
    severity: "medium",
    remediation: "manual",
    meaning: "subnets span fewer than `minAvailabilityZones` AZs",
  },
  FN_FILE_SYSTEM_CONFIG: {
    severity: "high",
    remediation: "auto",
    meaning: "function does not mount the access point at `mountPath`",
  },
  FN_TIMEOUT: { severity: "medium", remediation: "auto", meaning: "timeout out of range" },
  FN_PUBLIC_SUBNET: {
    severity: "medium",
    remediation: "manual",
    meaning: "a function subnet routes `0.0.0.0/0` to an internet gateway",
  },
  MT_PUBLIC_SUBNET: {
    severity: "high",
    remediation: "manual",
    meaning: "a mount target sits in a public subnet",
  },
  FN_IAM_EFS_ACCESS_MISSING: {
    severity: "critical",
    remediation: "manual",
    meaning:
      "the role lacks `elasticfilesystem:ClientMount` (and `ClientWrite` for `readWrite`) on the file system",
  },
  FN_IAM_EFS_ACCESS_TOO_BROAD: {
    severity: "medium",
    remediation: "manual",
    meaning: "the role grants EFS actions beyond `ClientMount`/`ClientWrite`/`ClientRootAccess`, or on `*`",
  },
  FN_LOG_FORMAT: {
    severity: "low",
    remediation: "auto",
    meaning: "the function's log format differs from `logFormat`",
  },
  FS_ALARMS: {
    severity: "low",
    remediation: "auto",
    meaning: "a configured CloudWatch alarm on the file system is missing or different",
  },
};

export const NFS_PORT = 2049;
