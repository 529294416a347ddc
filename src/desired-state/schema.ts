/**
 * The zod schemas of the three manifest kinds (contract §1): strict (an unknown field is an error),
 * with every default applied, so that a successful parse yields the typed spec of `types.ts`.
 */
import { z } from "zod";
import { API_VERSION } from "./types";
import { describeValue } from "./wording";

const MAX_POSIX_ID = 4_294_967_295;
const MAX_TIMEOUT_SECONDS = 900;

const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const FILE_SYSTEM_ID_PATTERN = /^fs-[0-9a-z]{1,40}$/;
const SECURITY_GROUP_ID_PATTERN = /^sg-[0-9a-z]{1,40}$/;
const SUBNET_ID_PATTERN = /^subnet-[0-9a-z]{1,40}$/;
const AVAILABILITY_ZONE_PATTERN = /^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$/;
const PERMISSIONS_PATTERN = /^0?[0-7]{3}$/;
const MOUNT_PATH_PATTERN = /^\/mnt\/[a-zA-Z0-9._-]+$/;
/** A Lambda function name, or a function ARN (optionally qualified by a version or alias). */
const FUNCTION_NAME_PATTERN =
  /^(?:[a-zA-Z0-9_-]{1,64}|arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[a-zA-Z0-9_-]{1,64}(?::(?:\$LATEST|[a-zA-Z0-9_-]{1,128}))?)$/;

/** Characters AWS refuses in an access point's root directory path. */
const FORBIDDEN_PATH_CHARACTERS = /[$#<>;`|&?{}^*\n]/;
const MAX_ROOT_PATH_CHARS = 100;
const MAX_ROOT_PATH_DEPTH = 4;

/** Makes a cross-field check run even when some fields failed, so that every error is reported at once. */
const always = () => true;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Building blocks

const stringMap = () => z.record(z.string().min(1, { error: "keys must not be empty" }), z.string());

export const metadataSchema = z
  .strictObject({
    name: z
      .string()
      .max(63, { error: (iss) => `${describeValue(iss.input)} is longer than 63 characters` })
      .regex(NAME_PATTERN, {
        error: (iss) =>
          `${describeValue(iss.input)} is not a valid name: use lower-case letters, digits and "-", starting and ending with a letter or digit`,
      })
      .meta({ description: "Unique per kind: lower-case letters, digits and '-', at most 63 characters." }),
    labels: stringMap().default({}).meta({ description: "String map carried into drift events." }),
  })
  .meta({ description: "Name and labels of the object." });

const securityGroupId = () =>
  z
    .string()
    .regex(SECURITY_GROUP_ID_PATTERN, {
      error: (iss) =>
        `${describeValue(iss.input)} is not a security group id (expected "sg-" followed by lower-case letters and digits, e.g. sg-0123456789abcdef0)`,
    })
    .meta({ description: "A security group id (sg-…)." });

const subnetId = () =>
  z.string().regex(SUBNET_ID_PATTERN, {
    error: (iss) =>
      `${describeValue(iss.input)} is not a subnet id (expected "subnet-" followed by lower-case letters and digits, e.g. subnet-0123456789abcdef0)`,
  });

const availabilityZone = () =>
  z.string().regex(AVAILABILITY_ZONE_PATTERN, {
    error: (iss) => `${describeValue(iss.input)} is not an availability zone name such as "us-east-1a"`,
  });

/** A POSIX user or group id that must not be root. */
const nonRootId = (what: string) =>
  z
    .number()
    .int()
    .min(1, {
      error: (iss) =>
        iss.input === 0
          ? `0 is root, and root is not allowed: use a non-root ${what} (1..${MAX_POSIX_ID})`
          : `${describeValue(iss.input)} is not a valid ${what}: use 1..${MAX_POSIX_ID}`,
    })
    .max(MAX_POSIX_ID, {
      error: (iss) => `${describeValue(iss.input)} is not a valid ${what}: use 1..${MAX_POSIX_ID}`,
    });

const groupId = () =>
  z
    .number()
    .int()
    .min(0, { error: (iss) => `${describeValue(iss.input)} is not a valid gid: use 0..${MAX_POSIX_ID}` })
    .max(MAX_POSIX_ID, {
      error: (iss) => `${describeValue(iss.input)} is not a valid gid: use 0..${MAX_POSIX_ID}`,
    });

const timeoutBound = () =>
  z
    .number()
    .int()
    .min(1, {
      error: (iss) => `${describeValue(iss.input)} seconds is out of range: use 1..${MAX_TIMEOUT_SECONDS}`,
    })
    .max(MAX_TIMEOUT_SECONDS, {
      error: (iss) =>
        `${describeValue(iss.input)} seconds is above Lambda's limit of ${MAX_TIMEOUT_SECONDS}: use 1..${MAX_TIMEOUT_SECONDS}`,
    });

/** Why an access point root path is refused, or `undefined` when it is fine. */
function rootPathProblem(path: string): string | undefined {
  if (!path.startsWith("/")) return "must be an absolute path starting with /";
  if (path === "/") return "must not be / itself: give the access point its own directory, e.g. /lambda";
  if (path.length > MAX_ROOT_PATH_CHARS) return `must be at most ${MAX_ROOT_PATH_CHARS} characters`;
  if (path.endsWith("/")) return "must not end with /";
  if (path.includes("//")) return "must not contain //";
  const segments = path.slice(1).split("/");
  if (segments.includes("..")) return "must not contain a .. segment";
  if (segments.some((s) => s.startsWith("."))) return "must not contain a segment starting with .";
  if (FORBIDDEN_PATH_CHARACTERS.test(path))
    return "must not contain any of $ # < > ; ` | & ? { } ^ * or a newline";
  if (segments.length > MAX_ROOT_PATH_DEPTH) return `must be at most ${MAX_ROOT_PATH_DEPTH} directories deep`;
  return undefined;
}

const rootPath = () =>
  z
    .string()
    .superRefine((path, ctx) => {
      const problem = rootPathProblem(path);
      if (problem !== undefined)
        ctx.addIssue({ code: "custom", message: `${describeValue(path)} ${problem}` });
    })
    .meta({
      description: "Absolute path of the access point's root directory: not /, no '..', no trailing /.",
      pattern: "^(/[^/.$#<>;`|&?{}^*\\n][^/$#<>;`|&?{}^*\\n]*){1,4}$",
      maxLength: MAX_ROOT_PATH_CHARS,
    });

/**
 * What to write for a mode YAML read as a number: its digits when they are octal (`755`), else the
 * octal form of the value (`0o755` reads as 493: `"0755"`).
 */
function quotedMode(n: number): string {
  const digits = String(n);
  return /^[0-7]{1,4}$/.test(digits) ? `"${digits}"` : `"${n.toString(8).padStart(4, "0")}"`;
}

const permissions = () =>
  z
    .string({
      error: (iss) =>
        iss.input === undefined
          ? undefined
          : typeof iss.input === "number"
            ? `expected a quoted octal string, got the number ${iss.input}: write ${quotedMode(iss.input)} in quotes (e.g. permissions: "0755")`
            : `expected a quoted octal string such as "0755", got ${describeValue(iss.input)}`,
    })
    .regex(PERMISSIONS_PATTERN, {
      error: (iss) =>
        `${describeValue(iss.input)} is not an octal mode: use three or four octal digits, e.g. "0755"`,
    })
    .transform((mode) => mode.padStart(4, "0"))
    .meta({ description: 'Octal permissions as a quoted string, e.g. "755" or "0755".' });

// ---------------------------------------------------------------------------------------------
// kind: FileSystem

export const DEFAULT_PERCENT_IO_LIMIT = 90;

/** A CloudWatch alarm threshold, or `false` for no alarm (contract §1 `alarms`). */
const percentIOLimitType = (input: unknown) =>
  `expected a percentage 1..100, or false for no alarm, got ${describeValue(input)}`;
const burstCreditType = (input: unknown) =>
  `expected a number of bytes (integer ≥ 0), or false for no alarm, got ${describeValue(input)}`;

const percentIOLimit = () =>
  z
    .union(
      [
        z.literal(false, { error: (iss) => percentIOLimitType(iss.input) }),
        z
          .number()
          .min(1, {
            error: (iss) =>
              `${describeValue(iss.input)} is not a percentage: use 1..100, or false for no alarm`,
          })
          .max(100, {
            error: (iss) =>
              `${describeValue(iss.input)} is not a percentage: use 1..100, or false for no alarm`,
          }),
      ],
      { error: (iss) => percentIOLimitType(iss.input) },
    )
    .default(DEFAULT_PERCENT_IO_LIMIT)
    .meta({
      description: "Alarm when PercentIOLimit reaches this percentage (1..100); false: no alarm. Default 90.",
    });

const burstCreditBalanceBytes = () =>
  z
    .union(
      [
        z.literal(false, { error: (iss) => burstCreditType(iss.input) }),
        z
          .number()
          .int({ error: (iss) => burstCreditType(iss.input) })
          .min(0, {
            error: (iss) =>
              `${describeValue(iss.input)} is not allowed: use an integer ≥ 0, or false for no alarm`,
          }),
      ],
      { error: (iss) => burstCreditType(iss.input) },
    )
    .default(false)
    .meta({
      description: "Alarm when BurstCreditBalance falls below this many bytes; false (default): no alarm.",
    });

const alarmsSchema = z
  .strictObject({
    percentIOLimit: percentIOLimit(),
    burstCreditBalanceBytes: burstCreditBalanceBytes(),
  })
  .default({ percentIOLimit: DEFAULT_PERCENT_IO_LIMIT, burstCreditBalanceBytes: false })
  .meta({ description: "CloudWatch alarms efs-reconciler keeps on the file system." });

const THROUGHPUT_MODES = ["bursting", "elastic", "provisioned"] as const;

const TRANSITIONS_TO_IA = [
  "AFTER_1_DAY",
  "AFTER_7_DAYS",
  "AFTER_14_DAYS",
  "AFTER_30_DAYS",
  "AFTER_60_DAYS",
  "AFTER_90_DAYS",
  "AFTER_180_DAYS",
  "AFTER_270_DAYS",
  "AFTER_365_DAYS",
  "NONE",
] as const;

export const fileSystemSpecSchema = z
  .strictObject({
    fileSystemId: z
      .string()
      .regex(FILE_SYSTEM_ID_PATTERN, {
        error: (iss) =>
          `${describeValue(iss.input)} is not a file system id (expected "fs-" followed by lower-case letters and digits, e.g. fs-0123456789abcdef0)`,
      })
      .optional()
      .meta({ description: "The file system id. Exactly one of fileSystemId and selector." }),
    selector: z
      .strictObject({
        tags: stringMap()
          .refine((tags) => Object.keys(tags).length > 0, { error: "must list at least one tag" })
          .meta({ description: "Tags that must match exactly one live file system.", minProperties: 1 }),
      })
      .optional()
      .meta({ description: "Finds the file system by its tags. Exactly one of fileSystemId and selector." }),
    encrypted: z
      .boolean()
      .default(true)
      .meta({ description: "Encryption at rest (immutable in AWS: drift is reported, never fixed)." }),
    performanceMode: z
      .enum(["generalPurpose", "maxIO"])
      .default("generalPurpose")
      .meta({ description: "Immutable in AWS: drift is reported, never fixed." }),
    throughputMode: z.enum(THROUGHPUT_MODES).default("bursting"),
    provisionedThroughputInMibps: z
      .number()
      .positive({
        error: (iss) => `${describeValue(iss.input)} MiB/s is not allowed: use a number greater than 0`,
      })
      .optional()
      .meta({ description: "MiB/s, > 0. Required if and only if throughputMode is provisioned." }),
    lifecyclePolicy: z
      .strictObject({
        transitionToIA: z.enum(TRANSITIONS_TO_IA).default("AFTER_30_DAYS"),
        transitionToPrimaryStorageClass: z.enum(["AFTER_1_ACCESS", "NONE"]).default("AFTER_1_ACCESS"),
      })
      .default({ transitionToIA: "AFTER_30_DAYS", transitionToPrimaryStorageClass: "AFTER_1_ACCESS" }),
    backupPolicy: z
      .enum(["ENABLED", "DISABLED"])
      .optional()
      .meta({ description: "Absent: the backup policy is not managed." }),
    mountTargets: z.strictObject({
      securityGroupId: securityGroupId().meta({ description: "The security group of every mount target." }),
      availabilityZones: z
        .array(availabilityZone())
        .default([])
        .meta({ description: "AZs that need a mount target besides those of the bound functions." }),
      allowedSecurityGroupIds: z
        .array(securityGroupId())
        .default([])
        .meta({ description: "Extra NFS clients allowed besides the bound functions." }),
    }),
    alarms: alarmsSchema,
  })
  .superRefine(
    (spec, ctx) => {
      if (!isRecord(spec)) return;
      const hasId = spec.fileSystemId !== undefined;
      const hasSelector = spec.selector !== undefined;
      if (hasId && hasSelector) {
        ctx.addIssue({
          code: "custom",
          path: ["selector"],
          message: "set either fileSystemId or selector, not both: remove one of them",
        });
      } else if (!hasId && !hasSelector) {
        ctx.addIssue({
          code: "custom",
          message: "set exactly one of fileSystemId or selector to say which file system this is",
        });
      }
      // An invalid throughputMode is reported on its own.
      if (!THROUGHPUT_MODES.includes(spec.throughputMode as (typeof THROUGHPUT_MODES)[number])) return;
      const provisioned = spec.throughputMode === "provisioned";
      const hasThroughput = spec.provisionedThroughputInMibps !== undefined;
      if (provisioned && !hasThroughput) {
        ctx.addIssue({
          code: "custom",
          path: ["throughputMode"],
          message:
            "provisioned throughput needs provisionedThroughputInMibps (MiB/s, greater than 0): add it",
        });
      } else if (!provisioned && hasThroughput) {
        ctx.addIssue({
          code: "custom",
          path: ["provisionedThroughputInMibps"],
          message: `not allowed with throughputMode ${String(spec.throughputMode)}: remove it, or set throughputMode: provisioned`,
        });
      }
    },
    { when: always },
  )
  .meta({
    oneOf: [{ required: ["fileSystemId"] }, { required: ["selector"] }],
    if: { properties: { throughputMode: { const: "provisioned" } }, required: ["throughputMode"] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema keyword
    then: { required: ["provisionedThroughputInMibps"] },
    else: { not: { required: ["provisionedThroughputInMibps"] } },
  });

// ---------------------------------------------------------------------------------------------
// kind: AccessPoint

export const accessPointSpecSchema = z.strictObject({
  fileSystem: z
    .string()
    .min(1, { error: "must name a FileSystem manifest" })
    .meta({ description: "metadata.name of a FileSystem manifest." }),
  posixUser: z.strictObject({
    uid: nonRootId("uid"),
    gid: nonRootId("gid"),
    secondaryGids: z.array(groupId()).max(16, { error: "at most 16 secondary gids are allowed" }).default([]),
  }),
  rootDirectory: z.strictObject({
    path: rootPath(),
    creationInfo: z.strictObject({
      ownerUid: nonRootId("uid"),
      ownerGid: nonRootId("gid"),
      permissions: permissions(),
    }),
  }),
});

// ---------------------------------------------------------------------------------------------
// kind: LambdaFunction

const timeoutRange = z.strictObject({ min: timeoutBound(), max: timeoutBound() }).superRefine(
  (range, ctx) => {
    // `when: always` runs this on any input, also one that is not a range at all (null, a list…).
    if (!isRecord(range)) return;
    if (typeof range.min === "number" && typeof range.max === "number" && range.min > range.max) {
      ctx.addIssue({
        code: "custom",
        path: ["min"],
        message: `${range.min} is greater than max (${range.max}): make min ≤ max`,
      });
    }
  },
  { when: always },
);

export const DEFAULT_TIMEOUT_SECONDS = { min: 30, max: 60 } as const;

/** `{min, max}`, or an integer N meaning `{min: N, max: N}`. */
export const timeoutSecondsSchema = z
  .union([timeoutBound().transform((seconds) => ({ min: seconds, max: seconds })), timeoutRange], {
    error: (iss) => `expected seconds (e.g. 60) or a range {min, max}, got ${describeValue(iss.input)}`,
  })
  .default({ ...DEFAULT_TIMEOUT_SECONDS })
  .meta({
    description: "Allowed function timeout: a range {min, max} or one integer N meaning {min: N, max: N}.",
  });

export const lambdaFunctionSpecSchema = z.strictObject({
  functionName: z
    .string()
    .regex(FUNCTION_NAME_PATTERN, {
      error: (iss) =>
        `${describeValue(iss.input)} is not a Lambda function name (1-64 of a-z A-Z 0-9 - _) or function ARN`,
    })
    .meta({ description: "Function name or ARN. At most one manifest per function." }),
  accessPoint: z
    .string()
    .min(1, { error: "must name an AccessPoint manifest" })
    .meta({ description: "metadata.name of an AccessPoint manifest." }),
  mountPath: z
    .string()
    .regex(MOUNT_PATH_PATTERN, {
      error: (iss) => `${describeValue(iss.input)} is not a Lambda mount path: use /mnt/NAME, e.g. /mnt/efs`,
    })
    .default("/mnt/efs"),
  timeoutSeconds: timeoutSecondsSchema,
  minAvailabilityZones: z
    .number()
    .int()
    .min(1, { error: (iss) => `${describeValue(iss.input)} is not allowed: use an integer ≥ 1` })
    .default(2),
  vpc: z
    .strictObject({
      subnetIds: z
        .array(subnetId())
        .min(1, { error: "must list at least one subnet" })
        .max(16, { error: "Lambda allows at most 16 subnets" }),
      securityGroupIds: z
        .array(securityGroupId())
        .min(1, { error: "must list at least one security group" })
        .max(5, { error: "Lambda allows at most 5 security groups" }),
    })
    .optional()
    .meta({ description: "Absent: the function's VpcConfig is not managed. Present: it is enforced." }),
  access: z
    .enum(["readWrite", "readOnly"])
    .default("readWrite")
    .meta({ description: "What the function's execution role must be granted on the file system." }),
  logFormat: z
    .enum(["JSON", "Text", "unmanaged"])
    .default("JSON")
    .meta({ description: "The function's Lambda log format; unmanaged: not checked." }),
});

// ---------------------------------------------------------------------------------------------
// Whole documents

const apiVersionField = () =>
  z.literal(API_VERSION, {
    error: (iss) =>
      iss.input === undefined
        ? `required field is missing: add apiVersion: ${API_VERSION}`
        : `unknown apiVersion ${describeValue(iss.input)}: use ${API_VERSION}`,
  });

export const fileSystemManifestSchema = z.strictObject({
  apiVersion: apiVersionField(),
  kind: z.literal("FileSystem"),
  metadata: metadataSchema,
  spec: fileSystemSpecSchema,
});

export const accessPointManifestSchema = z.strictObject({
  apiVersion: apiVersionField(),
  kind: z.literal("AccessPoint"),
  metadata: metadataSchema,
  spec: accessPointSpecSchema,
});

export const lambdaFunctionManifestSchema = z.strictObject({
  apiVersion: apiVersionField(),
  kind: z.literal("LambdaFunction"),
  metadata: metadataSchema,
  spec: lambdaFunctionSpecSchema,
});

/** Any one manifest document, discriminated on `kind`. */
export const manifestSchema = z
  .discriminatedUnion("kind", [
    fileSystemManifestSchema,
    accessPointManifestSchema,
    lambdaFunctionManifestSchema,
  ])
  .meta({
    title: "efs-reconciler manifest",
    description: `One ${API_VERSION} object: kind FileSystem, AccessPoint or LambdaFunction.`,
  });

/** Validates the envelope of a document whose `kind` is not one of the three kinds. */
export const unknownKindManifestSchema = z.strictObject({
  apiVersion: apiVersionField(),
  kind: z.enum(["FileSystem", "AccessPoint", "LambdaFunction"], {
    error: (iss) =>
      iss.input === undefined
        ? "required field is missing: add kind: FileSystem, AccessPoint or LambdaFunction"
        : `unknown kind ${describeValue(iss.input)}: use FileSystem, AccessPoint or LambdaFunction`,
  }),
  metadata: metadataSchema,
  spec: z.record(z.string(), z.unknown()),
});

/** The document schema of each kind, for validating a document whose `kind` is known. */
export const manifestSchemaByKind = {
  FileSystem: fileSystemManifestSchema,
  AccessPoint: accessPointManifestSchema,
  LambdaFunction: lambdaFunctionManifestSchema,
} as const;

export type ManifestDocument = z.output<typeof manifestSchema>;
