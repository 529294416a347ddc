import { accessPoint, fileSystem, lambdaFunction } from "./manifest-texts";

export interface InvalidCase {
  rule: string;
  /** Files that replace or add to the three valid base files (fs.yaml, ap.yaml, fn.yaml). */
  files: Record<string, string>;
  expected: string[];
}

const r = (from: string, to: string) => (text: string) => {
  if (!text.includes(from)) throw new Error(`test setup: ${JSON.stringify(from)} not in manifest`);
  return text.replace(from, to);
};

const long = (n: number) => "a".repeat(n);

export const invalidCases: InvalidCase[] = [
  // YAML itself
  {
    rule: "YAML syntax error",
    files: { "fs.yaml": fileSystem("  encrypted: [true\n") },
    expected: [
      "DIR/fs.yaml:10:1: FileSystem/data: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
  },
  {
    rule: "duplicate YAML key",
    files: { "fs.yaml": fileSystem("  encrypted: true\n  encrypted: false\n") },
    expected: ["DIR/fs.yaml:10:3: FileSystem/data: invalid YAML: Map keys must be unique"],
  },
  {
    rule: "unresolved YAML tag",
    files: { "fs.yaml": fileSystem("  encrypted: !Ref Encrypted\n") },
    expected: ["DIR/fs.yaml:9:14: FileSystem/data: invalid YAML: Unresolved tag: !Ref"],
  },
  {
    rule: "document is not a mapping",
    files: { "x.yaml": "- a\n- b\n" },
    expected: [
      "DIR/x.yaml:1:1: -: a manifest must be a mapping with apiVersion, kind, metadata and spec, got a list",
    ],
  },
  {
    rule: "document is a scalar",
    files: { "x.yaml": "hello\n" },
    expected: [
      'DIR/x.yaml:1:1: -: a manifest must be a mapping with apiVersion, kind, metadata and spec, got "hello"',
    ],
  },
  // apiVersion / kind
  {
    rule: "unknown apiVersion",
    files: { "fs.yaml": fileSystem("", r("efs-reconciler.io/v1alpha1", "v1")) },
    expected: [
      'DIR/fs.yaml:1:13: FileSystem/data: apiVersion: unknown apiVersion "v1": use efs-reconciler.io/v1alpha1',
    ],
  },
  {
    rule: "missing apiVersion",
    files: { "fs.yaml": fileSystem("", r("apiVersion: efs-reconciler.io/v1alpha1\n", "")) },
    expected: [
      "DIR/fs.yaml:1:1: FileSystem/data: apiVersion: required field is missing: add apiVersion: efs-reconciler.io/v1alpha1",
    ],
  },
  {
    rule: "unknown kind",
    files: { "fs.yaml": fileSystem("", r("kind: FileSystem", "kind: Filesystem")) },
    expected: [
      'DIR/fs.yaml:2:7: Filesystem/data: kind: unknown kind "Filesystem": use FileSystem, AccessPoint or LambdaFunction',
    ],
  },
  {
    rule: "missing kind",
    files: { "fs.yaml": fileSystem("", r("kind: FileSystem\n", "")) },
    expected: [
      "DIR/fs.yaml:1:1: -: kind: required field is missing: add kind: FileSystem, AccessPoint or LambdaFunction",
    ],
  },
  // unknown and missing fields
  {
    rule: "unknown top-level field",
    files: { "fs.yaml": `${fileSystem()}status: {}\n` },
    expected: [
      "DIR/fs.yaml:9:1: FileSystem/data: status: unknown field: allowed fields are apiVersion, kind, metadata, spec",
    ],
  },
  {
    rule: "unknown metadata field",
    files: { "fs.yaml": fileSystem("", r("  name: data\n", "  name: data\n  namespace: x\n")) },
    expected: [
      "DIR/fs.yaml:5:3: FileSystem/data: metadata.namespace: unknown field: allowed fields are name, labels",
    ],
  },
  {
    rule: "unknown spec field (typo)",
    files: { "fs.yaml": fileSystem("  mountTarget: {}\n") },
    expected: [
      "DIR/fs.yaml:9:3: FileSystem/data: spec.mountTarget: unknown field: did you mean mountTargets?",
    ],
  },
  {
    rule: "unknown spec field (not a manifest field)",
    files: { "fn.yaml": lambdaFunction("  memorySize: 1024\n") },
    expected: [
      "DIR/fn.yaml:8:3: LambdaFunction/api: spec.memorySize: unknown field: allowed fields are functionName, accessPoint, mountPath, timeoutSeconds, minAvailabilityZones, vpc, access, logFormat",
    ],
  },
  {
    rule: "unknown nested field",
    files: { "ap.yaml": accessPoint("", r("    gid: 1000\n", "    gid: 1000\n    groups: []\n")) },
    expected: [
      "DIR/ap.yaml:10:5: AccessPoint/app: spec.posixUser.groups: unknown field: allowed fields are uid, gid, secondaryGids",
    ],
  },
  {
    rule: "missing metadata.name",
    files: { "fs.yaml": fileSystem("", r("  name: data\n", "  labels: {}\n")) },
    expected: ["DIR/fs.yaml:3:1: -: metadata.name: required field is missing"],
  },
  {
    rule: "missing spec",
    files: {
      "fn.yaml": "apiVersion: efs-reconciler.io/v1alpha1\nkind: LambdaFunction\nmetadata:\n  name: api\n",
    },
    expected: ["DIR/fn.yaml:1:1: LambdaFunction/api: spec: required field is missing"],
  },
  {
    rule: "missing spec.mountTargets",
    files: {
      "fs.yaml": fileSystem("", r("  mountTargets:\n    securityGroupId: sg-0123456789abcdef0\n", "")),
    },
    expected: ["DIR/fs.yaml:5:1: FileSystem/data: spec.mountTargets: required field is missing"],
  },
  {
    rule: "missing posixUser.uid",
    files: { "ap.yaml": accessPoint("", r("    uid: 1000\n", "")) },
    expected: ["DIR/ap.yaml:7:3: AccessPoint/app: spec.posixUser.uid: required field is missing"],
  },
  {
    rule: "missing creationInfo.permissions",
    files: { "ap.yaml": accessPoint("", r('      permissions: "755"\n', "")) },
    expected: [
      "DIR/ap.yaml:12:5: AccessPoint/app: spec.rootDirectory.creationInfo.permissions: required field is missing",
    ],
  },
  {
    rule: "missing functionName",
    files: { "fn.yaml": lambdaFunction("", r("  functionName: api-fn\n", "")) },
    expected: ["DIR/fn.yaml:5:1: LambdaFunction/api: spec.functionName: required field is missing"],
  },
  {
    rule: "empty spec value",
    files: {
      "fn.yaml":
        "apiVersion: efs-reconciler.io/v1alpha1\nkind: LambdaFunction\nmetadata:\n  name: api\nspec:\n",
    },
    expected: ["DIR/fn.yaml:5:1: LambdaFunction/api: spec: expected a mapping, got an empty value"],
  },
  // wrong types and enum values
  {
    rule: "boolean as a string",
    files: { "fs.yaml": fileSystem('  encrypted: "yes"\n') },
    expected: ['DIR/fs.yaml:9:14: FileSystem/data: spec.encrypted: expected true or false, got "yes"'],
  },
  {
    rule: "YAML 1.1 boolean",
    files: { "fs.yaml": fileSystem("  encrypted: yes\n") },
    expected: ['DIR/fs.yaml:9:14: FileSystem/data: spec.encrypted: expected true or false, got "yes"'],
  },
  {
    rule: "label value not a string",
    files: { "fs.yaml": fileSystem("", r("  name: data\n", "  name: data\n  labels:\n    version: 2\n")) },
    expected: [
      'DIR/fs.yaml:6:14: FileSystem/data: metadata.labels.version: expected a string, got 2: quote it ("2")',
    ],
  },
  {
    rule: "integer as a string",
    files: { "ap.yaml": accessPoint("", r("uid: 1000", 'uid: "1000"')) },
    expected: [
      'DIR/ap.yaml:8:10: AccessPoint/app: spec.posixUser.uid: expected an integer, got "1000": remove the quotes',
    ],
  },
  {
    rule: "list instead of mapping",
    files: {
      "ap.yaml": accessPoint(
        "",
        r("  posixUser:\n    uid: 1000\n    gid: 1000\n", "  posixUser:\n    - 1000\n    - 1000\n"),
      ),
    },
    expected: ["DIR/ap.yaml:7:3: AccessPoint/app: spec.posixUser: expected a mapping, got a list"],
  },
  {
    rule: "performanceMode enum",
    files: { "fs.yaml": fileSystem("  performanceMode: fast\n") },
    expected: [
      'DIR/fs.yaml:9:20: FileSystem/data: spec.performanceMode: "fast" is not allowed: use one of generalPurpose, maxIO',
    ],
  },
  {
    rule: "throughputMode enum",
    files: { "fs.yaml": fileSystem("  throughputMode: Bursting\n") },
    expected: [
      'DIR/fs.yaml:9:19: FileSystem/data: spec.throughputMode: "Bursting" is not allowed: use one of bursting, elastic, provisioned',
    ],
  },
  {
    rule: "transitionToIA enum",
    files: { "fs.yaml": fileSystem("  lifecyclePolicy:\n    transitionToIA: AFTER_2_DAYS\n") },
    expected: [
      'DIR/fs.yaml:10:21: FileSystem/data: spec.lifecyclePolicy.transitionToIA: "AFTER_2_DAYS" is not allowed: use one of AFTER_1_DAY, AFTER_7_DAYS, AFTER_14_DAYS, AFTER_30_DAYS, AFTER_60_DAYS, AFTER_90_DAYS, AFTER_180_DAYS, AFTER_270_DAYS, AFTER_365_DAYS, NONE',
    ],
  },
  {
    rule: "transitionToPrimaryStorageClass enum",
    files: {
      "fs.yaml": fileSystem("  lifecyclePolicy:\n    transitionToPrimaryStorageClass: AFTER_2_ACCESSES\n"),
    },
    expected: [
      'DIR/fs.yaml:10:38: FileSystem/data: spec.lifecyclePolicy.transitionToPrimaryStorageClass: "AFTER_2_ACCESSES" is not allowed: use one of AFTER_1_ACCESS, NONE',
    ],
  },
  {
    rule: "backupPolicy enum",
    files: { "fs.yaml": fileSystem("  backupPolicy: true\n") },
    expected: [
      "DIR/fs.yaml:9:17: FileSystem/data: spec.backupPolicy: true is not allowed: use one of ENABLED, DISABLED",
    ],
  },
  {
    rule: "access enum",
    files: { "fn.yaml": lambdaFunction("  access: write\n") },
    expected: [
      'DIR/fn.yaml:8:11: LambdaFunction/api: spec.access: "write" is not allowed: use one of readWrite, readOnly',
    ],
  },
  {
    rule: "logFormat enum (case matters)",
    files: { "fn.yaml": lambdaFunction("  logFormat: json\n") },
    expected: [
      'DIR/fn.yaml:8:14: LambdaFunction/api: spec.logFormat: "json" is not allowed: use one of JSON, Text, unmanaged',
    ],
  },
  // alarms
  {
    rule: "percentIOLimit above 100",
    files: { "fs.yaml": fileSystem("  alarms:\n    percentIOLimit: 150\n") },
    expected: [
      "DIR/fs.yaml:10:21: FileSystem/data: spec.alarms.percentIOLimit: 150 is not a percentage: use 1..100, or false for no alarm",
    ],
  },
  {
    rule: "percentIOLimit 0",
    files: { "fs.yaml": fileSystem("  alarms:\n    percentIOLimit: 0\n") },
    expected: [
      "DIR/fs.yaml:10:21: FileSystem/data: spec.alarms.percentIOLimit: 0 is not a percentage: use 1..100, or false for no alarm",
    ],
  },
  {
    rule: "percentIOLimit true",
    files: { "fs.yaml": fileSystem("  alarms:\n    percentIOLimit: true\n") },
    expected: [
      "DIR/fs.yaml:10:21: FileSystem/data: spec.alarms.percentIOLimit: expected a percentage 1..100, or false for no alarm, got true",
    ],
  },
  {
    rule: "burstCreditBalanceBytes negative",
    files: { "fs.yaml": fileSystem("  alarms:\n    burstCreditBalanceBytes: -1\n") },
    expected: [
      "DIR/fs.yaml:10:30: FileSystem/data: spec.alarms.burstCreditBalanceBytes: -1 is not allowed: use an integer ≥ 0, or false for no alarm",
    ],
  },
  {
    rule: "burstCreditBalanceBytes fractional",
    files: { "fs.yaml": fileSystem("  alarms:\n    burstCreditBalanceBytes: 1.5\n") },
    expected: [
      "DIR/fs.yaml:10:30: FileSystem/data: spec.alarms.burstCreditBalanceBytes: expected a number of bytes (integer ≥ 0), or false for no alarm, got 1.5",
    ],
  },
  {
    rule: "burstCreditBalanceBytes as a string",
    files: { "fs.yaml": fileSystem('  alarms:\n    burstCreditBalanceBytes: "1 TiB"\n') },
    expected: [
      'DIR/fs.yaml:10:30: FileSystem/data: spec.alarms.burstCreditBalanceBytes: expected a number of bytes (integer ≥ 0), or false for no alarm, got "1 TiB"',
    ],
  },
  {
    rule: "unknown alarm",
    files: { "fs.yaml": fileSystem("  alarms:\n    clientConnections: 10\n") },
    expected: [
      "DIR/fs.yaml:10:5: FileSystem/data: spec.alarms.clientConnections: unknown field: allowed fields are percentIOLimit, burstCreditBalanceBytes",
    ],
  },
  // names
  {
    rule: "name with capitals",
    files: { "fs.yaml": fileSystem("", r("name: data", "name: Data_1")) },
    expected: [
      'DIR/ap.yaml:6:15: AccessPoint/app: spec.fileSystem: no FileSystem named "data" in the manifests: add a FileSystem manifest with metadata.name: data, or fix the name',
      'DIR/fs.yaml:4:9: FileSystem/Data_1: metadata.name: "Data_1" is not a valid name: use lower-case letters, digits and "-", starting and ending with a letter or digit',
    ],
  },
  {
    rule: "name ending with -",
    files: { "fs.yaml": fileSystem("", r("name: data", "name: data-")) },
    expected: [
      'DIR/ap.yaml:6:15: AccessPoint/app: spec.fileSystem: no FileSystem named "data" in the manifests: did you mean "data-"?',
      'DIR/fs.yaml:4:9: FileSystem/data-: metadata.name: "data-" is not a valid name: use lower-case letters, digits and "-", starting and ending with a letter or digit',
    ],
  },
  {
    rule: "name longer than 63",
    files: { "fs.yaml": fileSystem("", r("name: data", `name: ${long(64)}`)) },
    expected: [
      'DIR/ap.yaml:6:15: AccessPoint/app: spec.fileSystem: no FileSystem named "data" in the manifests: add a FileSystem manifest with metadata.name: data, or fix the name',
      'DIR/fs.yaml:4:9: FileSystem/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: metadata.name: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…" is longer than 63 characters',
    ],
  },
  // FileSystem identity
  {
    rule: "both fileSystemId and selector",
    files: { "fs.yaml": fileSystem("  selector:\n    tags: { Name: data }\n") },
    expected: [
      "DIR/fs.yaml:9:3: FileSystem/data: spec.selector: set either fileSystemId or selector, not both: remove one of them",
    ],
  },
  {
    rule: "neither fileSystemId nor selector",
    files: { "fs.yaml": fileSystem("", r("  fileSystemId: fs-0123456789abcdef0\n", "")) },
    expected: [
      "DIR/fs.yaml:5:1: FileSystem/data: spec: set exactly one of fileSystemId or selector to say which file system this is",
    ],
  },
  {
    rule: "bad fileSystemId",
    files: { "fs.yaml": fileSystem("", r("fs-0123456789abcdef0", "fs-XYZ")) },
    expected: [
      'DIR/fs.yaml:6:17: FileSystem/data: spec.fileSystemId: "fs-XYZ" is not a file system id (expected "fs-" followed by lower-case letters and digits, e.g. fs-0123456789abcdef0)',
    ],
  },
  {
    rule: "empty selector.tags",
    files: {
      "fs.yaml": fileSystem("", r("  fileSystemId: fs-0123456789abcdef0\n", "  selector: { tags: {} }\n")),
    },
    expected: ["DIR/fs.yaml:6:21: FileSystem/data: spec.selector.tags: must list at least one tag"],
  },
  // throughput
  {
    rule: "provisioned without throughput",
    files: { "fs.yaml": fileSystem("  throughputMode: provisioned\n") },
    expected: [
      "DIR/fs.yaml:9:19: FileSystem/data: spec.throughputMode: provisioned throughput needs provisionedThroughputInMibps (MiB/s, greater than 0): add it",
    ],
  },
  {
    rule: "throughput without provisioned",
    files: { "fs.yaml": fileSystem("  throughputMode: elastic\n  provisionedThroughputInMibps: 100\n") },
    expected: [
      "DIR/fs.yaml:10:33: FileSystem/data: spec.provisionedThroughputInMibps: not allowed with throughputMode elastic: remove it, or set throughputMode: provisioned",
    ],
  },
  {
    rule: "throughput not positive",
    files: { "fs.yaml": fileSystem("  throughputMode: provisioned\n  provisionedThroughputInMibps: 0\n") },
    expected: [
      "DIR/fs.yaml:10:33: FileSystem/data: spec.provisionedThroughputInMibps: 0 MiB/s is not allowed: use a number greater than 0",
    ],
  },
  {
    rule: "invalid throughputMode is reported once, not also as a throughput conflict",
    files: { "fs.yaml": fileSystem("  throughputMode: fast\n  provisionedThroughputInMibps: 100\n") },
    expected: [
      'DIR/fs.yaml:9:19: FileSystem/data: spec.throughputMode: "fast" is not allowed: use one of bursting, elastic, provisioned',
    ],
  },
  // security groups, subnets, AZs
  {
    rule: "mount target security group is not an sg id",
    files: { "fs.yaml": fileSystem("", r("sg-0123456789abcdef0", "SG-0EFS0000000000001")) },
    expected: [
      'DIR/fs.yaml:8:22: FileSystem/data: spec.mountTargets.securityGroupId: "SG-0EFS0000000000001" is not a security group id (expected "sg-" followed by lower-case letters and digits, e.g. sg-0123456789abcdef0)',
    ],
  },
  {
    rule: "allowed security group is not an sg id",
    files: {
      "fs.yaml": fileSystem(
        "    allowedSecurityGroupIds: [sg-0123456789abcdef0, subnet-0123456789abcdef0]\n",
      ),
    },
    expected: [
      'DIR/fs.yaml:9:53: FileSystem/data: spec.mountTargets.allowedSecurityGroupIds[1]: "subnet-0123456789abcdef0" is not a security group id (expected "sg-" followed by lower-case letters and digits, e.g. sg-0123456789abcdef0)',
    ],
  },
  {
    rule: "vpc security group is not an sg id",
    files: {
      "fn.yaml": lambdaFunction(
        "  vpc:\n    subnetIds: [subnet-0123456789abcdef0]\n    securityGroupIds: [default]\n",
      ),
    },
    expected: [
      'DIR/fn.yaml:10:24: LambdaFunction/api: spec.vpc.securityGroupIds[0]: "default" is not a security group id (expected "sg-" followed by lower-case letters and digits, e.g. sg-0123456789abcdef0)',
    ],
  },
  {
    rule: "bad subnet id",
    files: {
      "fn.yaml": lambdaFunction(
        "  vpc:\n    subnetIds: [subnet_1]\n    securityGroupIds: [sg-0123456789abcdef0]\n",
      ),
    },
    expected: [
      'DIR/fn.yaml:9:17: LambdaFunction/api: spec.vpc.subnetIds[0]: "subnet_1" is not a subnet id (expected "subnet-" followed by lower-case letters and digits, e.g. subnet-0123456789abcdef0)',
    ],
  },
  {
    rule: "empty vpc lists",
    files: { "fn.yaml": lambdaFunction("  vpc:\n    subnetIds: []\n    securityGroupIds: []\n") },
    expected: [
      "DIR/fn.yaml:9:16: LambdaFunction/api: spec.vpc.subnetIds: must list at least one subnet",
      "DIR/fn.yaml:10:23: LambdaFunction/api: spec.vpc.securityGroupIds: must list at least one security group",
    ],
  },
  {
    rule: "vpc without securityGroupIds",
    files: { "fn.yaml": lambdaFunction("  vpc:\n    subnetIds: [subnet-0123456789abcdef0]\n") },
    expected: ["DIR/fn.yaml:8:3: LambdaFunction/api: spec.vpc.securityGroupIds: required field is missing"],
  },
  {
    rule: "bad availability zone",
    files: { "fs.yaml": fileSystem("    availabilityZones: [us-east-1a, use1-az1]\n") },
    expected: [
      'DIR/fs.yaml:9:37: FileSystem/data: spec.mountTargets.availabilityZones[1]: "use1-az1" is not an availability zone name such as "us-east-1a"',
    ],
  },
  // POSIX identities
  {
    rule: "root uid",
    files: { "ap.yaml": accessPoint("", r("uid: 1000", "uid: 0")) },
    expected: [
      "DIR/ap.yaml:8:10: AccessPoint/app: spec.posixUser.uid: 0 is root, and root is not allowed: use a non-root uid (1..4294967295)",
    ],
  },
  {
    rule: "root gid",
    files: { "ap.yaml": accessPoint("", r("gid: 1000", "gid: 0")) },
    expected: [
      "DIR/ap.yaml:9:10: AccessPoint/app: spec.posixUser.gid: 0 is root, and root is not allowed: use a non-root gid (1..4294967295)",
    ],
  },
  {
    rule: "root ownerUid",
    files: { "ap.yaml": accessPoint("", r("ownerUid: 1000", "ownerUid: 0")) },
    expected: [
      "DIR/ap.yaml:13:17: AccessPoint/app: spec.rootDirectory.creationInfo.ownerUid: 0 is root, and root is not allowed: use a non-root uid (1..4294967295)",
    ],
  },
  {
    rule: "root ownerGid",
    files: { "ap.yaml": accessPoint("", r("ownerGid: 1000", "ownerGid: 0")) },
    expected: [
      "DIR/ap.yaml:14:17: AccessPoint/app: spec.rootDirectory.creationInfo.ownerGid: 0 is root, and root is not allowed: use a non-root gid (1..4294967295)",
    ],
  },
  {
    rule: "uid above 32 bits",
    files: { "ap.yaml": accessPoint("", r("uid: 1000", "uid: 4294967296")) },
    expected: [
      "DIR/ap.yaml:8:10: AccessPoint/app: spec.posixUser.uid: 4294967296 is not a valid uid: use 1..4294967295",
    ],
  },
  {
    rule: "negative gid",
    files: { "ap.yaml": accessPoint("", r("gid: 1000", "gid: -5")) },
    expected: [
      "DIR/ap.yaml:9:10: AccessPoint/app: spec.posixUser.gid: -5 is not a valid gid: use 1..4294967295",
    ],
  },
  {
    rule: "fractional uid",
    files: { "ap.yaml": accessPoint("", r("uid: 1000", "uid: 1000.5")) },
    expected: ["DIR/ap.yaml:8:10: AccessPoint/app: spec.posixUser.uid: expected an integer, got 1000.5"],
  },
  {
    rule: "secondary gid out of range",
    files: {
      "ap.yaml": accessPoint("", r("    gid: 1000\n", "    gid: 1000\n    secondaryGids: [0, 4294967296]\n")),
    },
    expected: [
      "DIR/ap.yaml:10:24: AccessPoint/app: spec.posixUser.secondaryGids[1]: 4294967296 is not a valid gid: use 0..4294967295",
    ],
  },
  // root directory path
  {
    rule: "relative path",
    files: { "ap.yaml": accessPoint("", r("path: /app", "path: app")) },
    expected: [
      'DIR/ap.yaml:11:11: AccessPoint/app: spec.rootDirectory.path: "app" must be an absolute path starting with /',
    ],
  },
  {
    rule: "path is /",
    files: { "ap.yaml": accessPoint("", r("path: /app", "path: /")) },
    expected: [
      'DIR/ap.yaml:11:11: AccessPoint/app: spec.rootDirectory.path: "/" must not be / itself: give the access point its own directory, e.g. /lambda',
    ],
  },
  {
    rule: "path with ..",
    files: { "ap.yaml": accessPoint("", r("path: /app", "path: /app/../etc")) },
    expected: [
      'DIR/ap.yaml:11:11: AccessPoint/app: spec.rootDirectory.path: "/app/../etc" must not contain a .. segment',
    ],
  },
  {
    rule: "path with trailing /",
    files: { "ap.yaml": accessPoint("", r("path: /app", "path: /app/")) },
    expected: ['DIR/ap.yaml:11:11: AccessPoint/app: spec.rootDirectory.path: "/app/" must not end with /'],
  },
  {
    rule: "path with //",
    files: { "ap.yaml": accessPoint("", r("path: /app", "path: /app//data")) },
    expected: [
      'DIR/ap.yaml:11:11: AccessPoint/app: spec.rootDirectory.path: "/app//data" must not contain //',
    ],
  },
  {
    rule: "path longer than 100",
    files: { "ap.yaml": accessPoint("", r("path: /app", `path: /${long(100)}`)) },
    expected: [
      'DIR/ap.yaml:11:11: AccessPoint/app: spec.rootDirectory.path: "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…" must be at most 100 characters',
    ],
  },
  {
    rule: "path too deep",
    files: { "ap.yaml": accessPoint("", r("path: /app", "path: /a/b/c/d/e")) },
    expected: [
      'DIR/ap.yaml:11:11: AccessPoint/app: spec.rootDirectory.path: "/a/b/c/d/e" must be at most 4 directories deep',
    ],
  },
  {
    rule: "path with a forbidden character",
    files: { "ap.yaml": accessPoint("", r("path: /app", "path: /app$HOME")) },
    expected: [
      'DIR/ap.yaml:11:11: AccessPoint/app: spec.rootDirectory.path: "/app$HOME" must not contain any of $ # < > ; ` | & ? { } ^ * or a newline',
    ],
  },
  // permissions
  {
    rule: "permissions as a YAML number",
    files: { "ap.yaml": accessPoint("", r('permissions: "755"', "permissions: 755")) },
    expected: [
      'DIR/ap.yaml:15:20: AccessPoint/app: spec.rootDirectory.creationInfo.permissions: expected a quoted octal string, got the number 755: write "755" in quotes (e.g. permissions: "0755")',
    ],
  },
  {
    rule: "permissions as a YAML octal number (0o755 reads as 493)",
    files: { "ap.yaml": accessPoint("", r('permissions: "755"', "permissions: 0o755")) },
    expected: [
      'DIR/ap.yaml:15:20: AccessPoint/app: spec.rootDirectory.creationInfo.permissions: expected a quoted octal string, got the number 493: write "0755" in quotes (e.g. permissions: "0755")',
    ],
  },
  {
    rule: "permissions with a non-octal digit",
    files: { "ap.yaml": accessPoint("", r('permissions: "755"', 'permissions: "0789"')) },
    expected: [
      'DIR/ap.yaml:15:20: AccessPoint/app: spec.rootDirectory.creationInfo.permissions: "0789" is not an octal mode: use three or four octal digits, e.g. "0755"',
    ],
  },
  {
    rule: "permissions too short",
    files: { "ap.yaml": accessPoint("", r('permissions: "755"', 'permissions: "75"')) },
    expected: [
      'DIR/ap.yaml:15:20: AccessPoint/app: spec.rootDirectory.creationInfo.permissions: "75" is not an octal mode: use three or four octal digits, e.g. "0755"',
    ],
  },
  {
    rule: "permissions symbolic",
    files: { "ap.yaml": accessPoint("", r('permissions: "755"', "permissions: rwxr-xr-x")) },
    expected: [
      'DIR/ap.yaml:15:20: AccessPoint/app: spec.rootDirectory.creationInfo.permissions: "rwxr-xr-x" is not an octal mode: use three or four octal digits, e.g. "0755"',
    ],
  },
  // timeout, AZ count, mount path, function name
  {
    rule: "timeout min > max",
    files: { "fn.yaml": lambdaFunction("  timeoutSeconds: { min: 90, max: 60 }\n") },
    expected: [
      "DIR/fn.yaml:8:26: LambdaFunction/api: spec.timeoutSeconds.min: 90 is greater than max (60): make min ≤ max",
    ],
  },
  {
    rule: "timeout max > 900",
    files: { "fn.yaml": lambdaFunction("  timeoutSeconds:\n    min: 30\n    max: 901\n") },
    expected: [
      "DIR/fn.yaml:10:10: LambdaFunction/api: spec.timeoutSeconds.max: 901 seconds is above Lambda's limit of 900: use 1..900",
    ],
  },
  {
    rule: "timeout integer > 900",
    files: { "fn.yaml": lambdaFunction("  timeoutSeconds: 1000\n") },
    expected: [
      "DIR/fn.yaml:8:19: LambdaFunction/api: spec.timeoutSeconds: 1000 seconds is above Lambda's limit of 900: use 1..900",
    ],
  },
  {
    rule: "timeout 0",
    files: { "fn.yaml": lambdaFunction("  timeoutSeconds: 0\n") },
    expected: [
      "DIR/fn.yaml:8:19: LambdaFunction/api: spec.timeoutSeconds: 0 seconds is out of range: use 1..900",
    ],
  },
  {
    rule: "timeout not a number",
    files: { "fn.yaml": lambdaFunction("  timeoutSeconds: 1m\n") },
    expected: [
      'DIR/fn.yaml:8:19: LambdaFunction/api: spec.timeoutSeconds: expected seconds (e.g. 60) or a range {min, max}, got "1m"',
    ],
  },
  {
    rule: "timeout range missing max",
    files: { "fn.yaml": lambdaFunction("  timeoutSeconds: { min: 30 }\n") },
    expected: ["DIR/fn.yaml:8:19: LambdaFunction/api: spec.timeoutSeconds.max: required field is missing"],
  },
  {
    rule: "timeout range unknown field",
    files: { "fn.yaml": lambdaFunction("  timeoutSeconds: { min: 30, maximum: 60 }\n") },
    expected: [
      "DIR/fn.yaml:8:19: LambdaFunction/api: spec.timeoutSeconds.max: required field is missing",
      "DIR/fn.yaml:8:30: LambdaFunction/api: spec.timeoutSeconds.maximum: unknown field: allowed fields are min, max",
    ],
  },
  {
    rule: "minAvailabilityZones 0",
    files: { "fn.yaml": lambdaFunction("  minAvailabilityZones: 0\n") },
    expected: [
      "DIR/fn.yaml:8:25: LambdaFunction/api: spec.minAvailabilityZones: 0 is not allowed: use an integer ≥ 1",
    ],
  },
  {
    rule: "minAvailabilityZones fractional",
    files: { "fn.yaml": lambdaFunction("  minAvailabilityZones: 1.5\n") },
    expected: [
      "DIR/fn.yaml:8:25: LambdaFunction/api: spec.minAvailabilityZones: expected an integer, got 1.5",
    ],
  },
  {
    rule: "mountPath outside /mnt",
    files: { "fn.yaml": lambdaFunction("  mountPath: /efs\n") },
    expected: [
      'DIR/fn.yaml:8:14: LambdaFunction/api: spec.mountPath: "/efs" is not a Lambda mount path: use /mnt/NAME, e.g. /mnt/efs',
    ],
  },
  {
    rule: "mountPath nested",
    files: { "fn.yaml": lambdaFunction("  mountPath: /mnt/efs/data\n") },
    expected: [
      'DIR/fn.yaml:8:14: LambdaFunction/api: spec.mountPath: "/mnt/efs/data" is not a Lambda mount path: use /mnt/NAME, e.g. /mnt/efs',
    ],
  },
  {
    rule: "functionName with a space",
    files: { "fn.yaml": lambdaFunction("", r("functionName: api-fn", "functionName: api fn")) },
    expected: [
      'DIR/fn.yaml:6:17: LambdaFunction/api: spec.functionName: "api fn" is not a Lambda function name (1-64 of a-z A-Z 0-9 - _) or function ARN',
    ],
  },
  {
    rule: "functionName too long",
    files: { "fn.yaml": lambdaFunction("", r("functionName: api-fn", `functionName: ${long(65)}`)) },
    expected: [
      'DIR/fn.yaml:6:17: LambdaFunction/api: spec.functionName: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…" is not a Lambda function name (1-64 of a-z A-Z 0-9 - _) or function ARN',
    ],
  },
  {
    rule: "functionName not a function ARN",
    files: {
      "fn.yaml": lambdaFunction(
        "",
        r("functionName: api-fn", "functionName: arn:aws:lambda:us-east-1:123456789012:layer:x"),
      ),
    },
    expected: [
      'DIR/fn.yaml:6:17: LambdaFunction/api: spec.functionName: "arn:aws:lambda:us-east-1:123456789012:layer:x" is not a Lambda function name (1-64 of a-z A-Z 0-9 - _) or function ARN',
    ],
  },
  // the set as a whole
  {
    rule: "duplicate (kind, name) in one file",
    files: {
      "fs.yaml": `${fileSystem()}---\n${fileSystem("", r("fs-0123456789abcdef0", "fs-0123456789abcdef1"))}`,
    },
    expected: [
      'DIR/fs.yaml:13:9: FileSystem/data: metadata.name: duplicate FileSystem "data", first defined at DIR/fs.yaml:4:9: rename one of them',
    ],
  },
  {
    rule: "duplicate (kind, name) across files",
    files: { "more/fs2.yaml": fileSystem("", r("fs-0123456789abcdef0", "fs-0123456789abcdef1")) },
    expected: [
      'DIR/more/fs2.yaml:4:9: FileSystem/data: metadata.name: duplicate FileSystem "data", first defined at DIR/fs.yaml:4:9: rename one of them',
    ],
  },
  {
    rule: "AccessPoint references a missing FileSystem",
    files: { "ap.yaml": accessPoint("", r("fileSystem: data", "fileSystem: dta")) },
    expected: [
      'DIR/ap.yaml:6:15: AccessPoint/app: spec.fileSystem: no FileSystem named "dta" in the manifests: did you mean "data"?',
    ],
  },
  {
    rule: "AccessPoint references an unknown name",
    files: { "ap.yaml": accessPoint("", r("fileSystem: data", "fileSystem: models")) },
    expected: [
      'DIR/ap.yaml:6:15: AccessPoint/app: spec.fileSystem: no FileSystem named "models" in the manifests: add a FileSystem manifest with metadata.name: models, or fix the name',
    ],
  },
  {
    rule: "LambdaFunction references a missing AccessPoint",
    files: { "fn.yaml": lambdaFunction("", r("accessPoint: app", "accessPoint: web")) },
    expected: [
      'DIR/fn.yaml:7:16: LambdaFunction/api: spec.accessPoint: no AccessPoint named "web" in the manifests: add an AccessPoint manifest with metadata.name: web, or fix the name',
    ],
  },
  {
    rule: "two manifests for one function (name and ARN)",
    files: {
      "fn2.yaml": lambdaFunction("", (t) =>
        t
          .replace("name: api", "name: api-2")
          .replace(
            "functionName: api-fn",
            "functionName: arn:aws:lambda:us-east-1:123456789012:function:api-fn:live",
          ),
      ),
    },
    expected: [
      'DIR/fn2.yaml:6:17: LambdaFunction/api-2: spec.functionName: function "api-fn" is already managed by LambdaFunction/api at DIR/fn.yaml:6:17: keep one manifest per function',
    ],
  },
  {
    rule: "__proto__ as a label or selector tag (a plain object cannot keep it)",
    files: {
      "fs.yaml": fileSystem("", (t) =>
        t
          .replace("  name: data\n", "  name: data\n  labels: {team: ml, __proto__: x}\n")
          .replace(
            "  fileSystemId: fs-0123456789abcdef0\n",
            "  selector: {tags: {Name: shared, __proto__: prod}}\n",
          ),
      ),
    },
    expected: [
      'DIR/fs.yaml:5:22: FileSystem/data: metadata.labels: "__proto__" cannot be used as a key: rename it',
      'DIR/fs.yaml:7:35: FileSystem/data: spec.selector.tags: "__proto__" cannot be used as a key: rename it',
    ],
  },
  {
    rule: "two manifests for one file system",
    files: { "fs2.yaml": fileSystem("", r("name: data", "name: data-2")) },
    expected: [
      "DIR/fs2.yaml:6:17: FileSystem/data-2: spec.fileSystemId: file system fs-0123456789abcdef0 is already managed by FileSystem/data at DIR/fs.yaml:6:17: keep one manifest per file system",
    ],
  },
  {
    rule: "two manifests for one function (ARNs with different qualifiers)",
    files: {
      "fn.yaml": lambdaFunction(
        "",
        r("functionName: api-fn", "functionName: arn:aws:lambda:us-east-1:123456789012:function:api-fn:1"),
      ),
      "fn2.yaml": lambdaFunction("", (t) =>
        t
          .replace("name: api", "name: api-2")
          .replace(
            "functionName: api-fn",
            "functionName: arn:aws:lambda:us-east-1:123456789012:function:api-fn:$LATEST",
          ),
      ),
    },
    expected: [
      'DIR/fn2.yaml:6:17: LambdaFunction/api-2: spec.functionName: function "api-fn" is already managed by LambdaFunction/api at DIR/fn.yaml:6:17: keep one manifest per function',
    ],
  },
];
