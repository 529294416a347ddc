/**
 * The validated, defaulted desired state: what the manifests say, with every default of the
 * contract (§1) applied. Pure data; no AWS types.
 */

export const API_VERSION = "efs-reconciler.io/v1alpha1";

export type Kind = "FileSystem" | "AccessPoint" | "LambdaFunction";

/** Where an object (or one of its fields) was written. `line`/`col` are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

export interface ManifestObject<K extends Kind, S> {
  kind: K;
  name: string;
  labels: Record<string, string>;
  spec: S;
  /** Location of the document (its first node). `file` is relative to the current directory. */
  source: SourceLocation;
}

export type TransitionToIA =
  | "AFTER_1_DAY"
  | "AFTER_7_DAYS"
  | "AFTER_14_DAYS"
  | "AFTER_30_DAYS"
  | "AFTER_60_DAYS"
  | "AFTER_90_DAYS"
  | "AFTER_180_DAYS"
  | "AFTER_270_DAYS"
  | "AFTER_365_DAYS"
  | "NONE";

export type TransitionToPrimary = "AFTER_1_ACCESS" | "NONE";

export interface FileSystemSpec {
  /** Exactly one of `fileSystemId` and `selector` is set. */
  fileSystemId?: string;
  selector?: { tags: Record<string, string> };
  encrypted: boolean;
  performanceMode: "generalPurpose" | "maxIO";
  throughputMode: "bursting" | "elastic" | "provisioned";
  /** Set iff `throughputMode` is `provisioned`. */
  provisionedThroughputInMibps?: number;
  lifecyclePolicy: {
    transitionToIA: TransitionToIA;
    transitionToPrimaryStorageClass: TransitionToPrimary;
  };
  /** Absent: not managed. */
  backupPolicy?: "ENABLED" | "DISABLED";
  mountTargets: {
    securityGroupId: string;
    availabilityZones: string[];
    allowedSecurityGroupIds: string[];
  };
  /** CloudWatch alarms on the file system: a threshold, or `false` for no alarm. */
  alarms: {
    /** Percent (1..100); default 90. */
    percentIOLimit: number | false;
    /** Bytes (integer ≥ 0); default false. */
    burstCreditBalanceBytes: number | false;
  };
}

export interface AccessPointSpec {
  /** `metadata.name` of a FileSystem manifest. */
  fileSystem: string;
  posixUser: { uid: number; gid: number; secondaryGids: number[] };
  rootDirectory: {
    path: string;
    creationInfo: {
      ownerUid: number;
      ownerGid: number;
      /** Canonical four-digit octal string, e.g. "0755" (manifests may say "755"). */
      permissions: string;
    };
  };
}

export interface LambdaFunctionSpec {
  /** Name or ARN, as written. */
  functionName: string;
  /** `metadata.name` of an AccessPoint manifest. */
  accessPoint: string;
  mountPath: string;
  timeoutSeconds: { min: number; max: number };
  minAvailabilityZones: number;
  /** Absent: the function's VpcConfig is not managed. */
  vpc?: { subnetIds: string[]; securityGroupIds: string[] };
  /** What the execution role must be granted on the file system; default readWrite. */
  access: "readWrite" | "readOnly";
  /** The Lambda log format; `unmanaged`: not checked. Default JSON. */
  logFormat: "JSON" | "Text" | "unmanaged";
}

export type FileSystemManifest = ManifestObject<"FileSystem", FileSystemSpec>;
export type AccessPointManifest = ManifestObject<"AccessPoint", AccessPointSpec>;
export type LambdaFunctionManifest = ManifestObject<"LambdaFunction", LambdaFunctionSpec>;
export type AnyManifest = FileSystemManifest | AccessPointManifest | LambdaFunctionManifest;

export interface DesiredState {
  fileSystems: FileSystemManifest[];
  accessPoints: AccessPointManifest[];
  functions: LambdaFunctionManifest[];
  /** Git commit of the manifest directory when available, else `sha256:` of the contents. */
  revision: string;
}

/** One invalid-manifest finding: rendered as `FILE:LINE:COL: KIND/NAME: message`. */
export interface ManifestError {
  file: string;
  line: number;
  col: number;
  /** `KIND/NAME` when known, else `-`. */
  object: string;
  message: string;
}
