/**
 * A small, pure IAM policy evaluator for one question: may this role mount (and write) this EFS
 * file system, and does it hold more EFS access than that?
 *
 * It reads the role's identity policies and the file system's resource policy: `Allow`/`Deny`,
 * `Action`/`NotAction`, `Resource`/`NotResource`, `Principal`/`NotPrincipal`, wildcards (`*`, `?`)
 * in actions and resources. Conditions are treated conservatively: a condition it can decide for a
 * Lambda mount (`aws:SecureTransport` and `elasticfilesystem:AccessedViaMountTarget` are true for
 * Lambda, `elasticfilesystem:AccessPointArn` is the mounted access point, `aws:PrincipalArn` the
 * role) is decided; any other makes an `Allow` not count as a grant and a `Deny` count as a deny.
 * Permission boundaries, SCPs and session policies are outside its view.
 */

export const EFS_CLIENT_ACTIONS = ["ClientMount", "ClientWrite", "ClientRootAccess"] as const;
export type EfsClientAction = (typeof EFS_CLIENT_ACTIONS)[number];

/** Every `elasticfilesystem:` action (Service Authorization Reference), to expand wildcards. */
export const EFS_ACTIONS: readonly string[] = [
  "Backup",
  "ClientMount",
  "ClientRootAccess",
  "ClientWrite",
  "CreateAccessPoint",
  "CreateFileSystem",
  "CreateMountTarget",
  "CreateReplicationConfiguration",
  "CreateTags",
  "DeleteAccessPoint",
  "DeleteFileSystem",
  "DeleteFileSystemPolicy",
  "DeleteMountTarget",
  "DeleteReplicationConfiguration",
  "DeleteTags",
  "DescribeAccessPoints",
  "DescribeAccountPreferences",
  "DescribeBackupPolicy",
  "DescribeFileSystemPolicy",
  "DescribeFileSystems",
  "DescribeLifecycleConfiguration",
  "DescribeMountTargetSecurityGroups",
  "DescribeMountTargets",
  "DescribeReplicationConfigurations",
  "DescribeTags",
  "ListTagsForResource",
  "ModifyMountTargetSecurityGroups",
  "PutAccountPreferences",
  "PutBackupPolicy",
  "PutFileSystemPolicy",
  "PutLifecycleConfiguration",
  "ReplicationRead",
  "ReplicationWrite",
  "Restore",
  "TagResource",
  "UntagResource",
  "UpdateFileSystem",
  "UpdateFileSystemProtection",
];

/**
 * AWS managed policies that grant EFS client access, recognised by name. None is least
 * privilege by the contract's definition: each grants its actions on every file system in the
 * account (`Resource: *`), and each adds `DescribeMountTargets`, which a Lambda mount does not use
 * (Lambda resolves the mount target itself). They are convenient, so their note says what they
 * grant and why that is too broad.
 */
const READY_MADE = "AWS's ready-made EFS client policy, convenient but not least privilege:";
const NOT_NEEDED =
  "on every file system in the account, and a Lambda mount needs neither DescribeMountTargets nor the other file systems";
export const AWS_MANAGED_EFS_CLIENT_POLICIES: Record<string, string> = {
  AmazonElasticFileSystemClientReadWriteAccess: `${READY_MADE} ClientMount, ClientWrite and DescribeMountTargets ${NOT_NEEDED}`,
  AmazonElasticFileSystemClientReadOnlyAccess: `${READY_MADE} ClientMount and DescribeMountTargets ${NOT_NEEDED}`,
  AmazonElasticFileSystemClientFullAccess: `${READY_MADE} ClientMount, ClientWrite, ClientRootAccess and DescribeMountTargets ${NOT_NEEDED}`,
};

const AWS_MANAGED_POLICY_ARN = /^arn:aws[a-zA-Z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/;

/** The name of an AWS managed policy ARN (`arn:aws:iam::aws:policy/NAME`), else undefined. */
export function awsManagedPolicyName(arn: string | undefined): string | undefined {
  return arn ? AWS_MANAGED_POLICY_ARN.exec(arn)?.[1] : undefined;
}

type Tri = "true" | "false" | "unknown";

interface PrincipalSet {
  /** The principal is `*` (or `{"AWS": "*"}`): every caller. */
  everyone: boolean;
  aws: string[];
}

interface Statement {
  sid?: string;
  effect: "Allow" | "Deny";
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  principal?: PrincipalSet;
  notPrincipal?: PrincipalSet;
  condition?: Record<string, Record<string, string[]>>;
}

export type ParsedPolicy = { ok: true; statements: Statement[] } | { ok: false; error: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringList(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  const items = Array.isArray(v) ? v : [v];
  return items.map((x) => String(x));
}

function principalSet(v: unknown): PrincipalSet | undefined {
  if (v === undefined) return undefined;
  if (v === "*") return { everyone: true, aws: [] };
  if (!isRecord(v)) return { everyone: false, aws: [] };
  const aws = stringList(v.AWS) ?? [];
  return { everyone: aws.includes("*"), aws };
}

function conditionBlock(v: unknown): Record<string, Record<string, string[]>> | undefined {
  if (!isRecord(v)) return undefined;
  const out: Record<string, Record<string, string[]>> = {};
  for (const [op, keys] of Object.entries(v)) {
    out[op] = {};
    if (!isRecord(keys)) continue;
    for (const [key, values] of Object.entries(keys)) out[op][key] = stringList(values) ?? [];
  }
  return out;
}

/** Parses a policy document's JSON text; an unreadable document grants nothing. */
export function parsePolicy(text: string): ParsedPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (!isRecord(doc)) return { ok: false, error: "not a JSON object" };
  const raw = Array.isArray(doc.Statement)
    ? doc.Statement
    : doc.Statement === undefined
      ? []
      : [doc.Statement];
  const statements: Statement[] = [];
  for (const s of raw) {
    if (!isRecord(s)) return { ok: false, error: "a statement is not a JSON object" };
    if (s.Effect !== "Allow" && s.Effect !== "Deny") {
      return { ok: false, error: `a statement has Effect ${JSON.stringify(s.Effect)}` };
    }
    const condition = conditionBlock(s.Condition);
    const principal = principalSet(s.Principal);
    const notPrincipal = principalSet(s.NotPrincipal);
    const actions = stringList(s.Action);
    const notActions = stringList(s.NotAction);
    const resources = stringList(s.Resource);
    const notResources = stringList(s.NotResource);
    statements.push({
      effect: s.Effect,
      ...(typeof s.Sid === "string" && s.Sid !== "" ? { sid: s.Sid } : {}),
      ...(actions ? { actions } : {}),
      ...(notActions ? { notActions } : {}),
      ...(resources ? { resources } : {}),
      ...(notResources ? { notResources } : {}),
      ...(principal ? { principal } : {}),
      ...(notPrincipal ? { notPrincipal } : {}),
      ...(condition && Object.keys(condition).length > 0 ? { condition } : {}),
    });
  }
  return { ok: true, statements };
}

// ---------------------------------------------------------------------------------------------
// Matching

/** Compiled patterns: a policy's patterns are matched against every function and file system. */
const globCache = new Map<string, RegExp>();
const GLOB_CACHE_LIMIT = 10_000;

function globRegExp(pattern: string, flags: string): RegExp {
  const key = `${flags}:${pattern}`;
  const cached = globCache.get(key);
  if (cached) return cached;
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  if (globCache.size >= GLOB_CACHE_LIMIT) globCache.clear();
  const compiled = new RegExp(`^${body}$`, flags);
  globCache.set(key, compiled);
  return compiled;
}

/** Whether an IAM action pattern (`*`, `service:Name`, wildcards; case-insensitive) matches `action`. */
export function actionMatches(pattern: string, action: string): boolean {
  if (!hasWildcard(pattern)) return pattern.toLowerCase() === action.toLowerCase();
  return globRegExp(pattern, "i").test(action);
}

/** Whether an IAM resource pattern (wildcards; case-sensitive) matches `arn`. */
export function resourceMatches(pattern: string, arn: string): boolean {
  if (!hasWildcard(pattern)) return pattern === arn;
  return globRegExp(pattern, "").test(arn);
}

function hasWildcard(pattern: string): boolean {
  return pattern.includes("*") || pattern.includes("?");
}

function statementActionMatches(s: Statement, action: string): boolean {
  if (s.actions) return s.actions.some((p) => actionMatches(p, action));
  if (s.notActions) return !s.notActions.some((p) => actionMatches(p, action));
  return false;
}

/** `absentMatches`: a resource policy statement without Resource applies to its own resource. */
function statementResourceMatches(s: Statement, arn: string, absentMatches: boolean): boolean {
  if (s.resources) return s.resources.some((p) => resourceMatches(p, arn));
  if (s.notResources) return !s.notResources.some((p) => resourceMatches(p, arn));
  return absentMatches;
}

/** The context of a Lambda mount, by lower-case condition key. */
interface MountContext {
  roleArn: string;
  accountId: string;
  values: Record<string, string>;
}

function mountContext(roleArn: string, accessPointArn: string | undefined): MountContext {
  const accountId = /^arn:[^:]+:iam::([0-9]{12}):/.exec(roleArn)?.[1] ?? "";
  const values: Record<string, string> = {
    "aws:securetransport": "true",
    "elasticfilesystem:accessedviamounttarget": "true",
    "aws:principalarn": roleArn,
    "aws:principalaccount": accountId,
  };
  if (accessPointArn) values["elasticfilesystem:accesspointarn"] = accessPointArn;
  return { roleArn, accountId, values };
}

type Operator = (value: string, patterns: string[]) => boolean;

const OPERATORS: Record<string, Operator> = {
  stringequals: (v, ps) => ps.includes(v),
  stringnotequals: (v, ps) => !ps.includes(v),
  stringequalsignorecase: (v, ps) => ps.some((p) => p.toLowerCase() === v.toLowerCase()),
  stringnotequalsignorecase: (v, ps) => !ps.some((p) => p.toLowerCase() === v.toLowerCase()),
  stringlike: (v, ps) => ps.some((p) => resourceMatches(p, v)),
  stringnotlike: (v, ps) => !ps.some((p) => resourceMatches(p, v)),
  arnequals: (v, ps) => ps.some((p) => resourceMatches(p, v)),
  arnlike: (v, ps) => ps.some((p) => resourceMatches(p, v)),
  arnnotequals: (v, ps) => !ps.some((p) => resourceMatches(p, v)),
  arnnotlike: (v, ps) => !ps.some((p) => resourceMatches(p, v)),
  bool: (v, ps) => ps.some((p) => p.toLowerCase() === v.toLowerCase()),
};

/** Whether a statement's conditions hold for a Lambda mount: decided when every key is known. */
function conditionsHold(s: Statement, ctx: MountContext): Tri {
  if (!s.condition) return "true";
  let result: Tri = "true";
  for (const [rawOp, keys] of Object.entries(s.condition)) {
    const op = rawOp.toLowerCase().replace(/ifexists$/, "");
    const evaluate = OPERATORS[op];
    for (const [key, patterns] of Object.entries(keys)) {
      const value = ctx.values[key.toLowerCase()];
      if (!evaluate || value === undefined || rawOp.includes(":")) {
        result = "unknown";
        continue;
      }
      if (!evaluate(value, patterns)) return "false";
    }
  }
  return result;
}

type PrincipalMatch = "role" | "account" | "none";

/** Whom a resource-policy statement names, as seen from the role. */
function principalMatch(s: Statement, ctx: MountContext): PrincipalMatch {
  const names = (p: PrincipalSet): PrincipalMatch => {
    if (p.everyone || p.aws.includes(ctx.roleArn)) return "role";
    const root = `:iam::${ctx.accountId}:root`;
    if (p.aws.some((a) => a === ctx.accountId || a.endsWith(root))) return "account";
    return "none";
  };
  if (s.principal) return names(s.principal);
  // NotPrincipal applies to everyone it does not list: the role is exempt only when listed itself.
  if (s.notPrincipal) return s.notPrincipal.aws.includes(ctx.roleArn) ? "none" : "role";
  return "none";
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export interface PolicySource {
  /** How messages name it, e.g. `inline policy "efs" of role app-role`. */
  label: string;
  document: string;
}

export interface EfsAccessInput {
  roleArn: string;
  fileSystemArn: string;
  /** The role's inline and attached managed policies. */
  identityPolicies: PolicySource[];
  /** The file system's resource policy; null when it has none. */
  resourcePolicy: string | null;
  /** The access point the function mounts (condition key `elasticfilesystem:AccessPointArn`). */
  accessPointArn?: string;
}

export interface ActionDecision {
  allowed: boolean;
  /** Labels of the policies whose statements grant the action (before denies). */
  allowedBy: string[];
  /** Labels of the policies whose statements deny it (conditioned denies included). */
  deniedBy: string[];
  /** Labels of the policies that would grant it under conditions this evaluator cannot decide (not counted). */
  conditionallyAllowedBy: string[];
}

/** An identity-policy statement that grants more EFS access than a Lambda mount of one file system needs. */
export interface BroadGrant {
  source: string;
  sid?: string;
  /** EFS actions the statement grants beyond ClientMount, ClientWrite and ClientRootAccess. */
  beyondClient: string[];
  /** Whether it grants EFS actions on every file system (`*`, a wildcard ARN, or NotResource). */
  onEveryFileSystem: boolean;
  /** The statement's Resource (or `NotResource …`) as written. */
  resources: string[];
}

export interface EfsAccessEvaluation {
  decisions: Record<EfsClientAction, ActionDecision>;
  broadGrants: BroadGrant[];
  /** Policies that could not be read (they grant nothing), with the reason. */
  unreadable: string[];
}

/** A file-system ARN of the same account and region that is not `fileSystemArn`. */
function otherFileSystemArn(fileSystemArn: string): string {
  return fileSystemArn.replace(/file-system\/[^/]+$/, "file-system/fs-efsreconcilerprobe0");
}

function grantedEfsActions(s: Statement): string[] {
  const named = [
    ...EFS_ACTIONS,
    // A named action this list does not know yet still counts as granted.
    ...(s.actions ?? [])
      .filter((a) => /^elasticfilesystem:[A-Za-z]+$/i.test(a))
      .map((a) => a.slice(a.indexOf(":") + 1))
      .filter((a) => !EFS_ACTIONS.some((known) => known.toLowerCase() === a.toLowerCase())),
  ];
  return named.filter((a) => statementActionMatches(s, `elasticfilesystem:${a}`));
}

/**
 * Whether a statement's resources can name an EFS resource: a `Resource` list of only other
 * services' ARNs (an S3 bucket, a table) grants nothing on EFS, whatever its actions say.
 */
function mayNameEfs(s: Statement): boolean {
  if (s.resources === undefined) return true;
  return s.resources.some((r) => {
    const service = r.split(":")[2];
    return service === undefined || resourceMatches(service, "elasticfilesystem");
  });
}

/**
 * Decides ClientMount, ClientWrite and ClientRootAccess of `roleArn` on `fileSystemArn` (identity
 * Allow or resource-policy Allow, and no Deny in either), and finds the identity-policy grants that
 * go beyond them.
 */
export function evaluateEfsAccess(input: EfsAccessInput): EfsAccessEvaluation {
  const ctx = mountContext(input.roleArn, input.accessPointArn);
  const unreadable: string[] = [];
  const parse = (label: string, text: string): Statement[] => {
    const parsed = parsePolicy(text);
    if (!parsed.ok) {
      unreadable.push(`${label}: ${parsed.error}`);
      return [];
    }
    return parsed.statements;
  };
  const identity = input.identityPolicies.map((p) => ({
    label: p.label,
    statements: parse(p.label, p.document),
  }));
  const resourceLabel = "the file system's policy";
  const resource = input.resourcePolicy === null ? [] : parse(resourceLabel, input.resourcePolicy);

  const decide = (action: EfsClientAction): ActionDecision => {
    const full = `elasticfilesystem:${action}`;
    const allowedBy = new Set<string>();
    const deniedBy = new Set<string>();
    const conditional = new Set<string>();
    for (const p of identity) {
      for (const s of p.statements) {
        if (!statementActionMatches(s, full) || !statementResourceMatches(s, input.fileSystemArn, false))
          continue;
        const holds = conditionsHold(s, ctx);
        if (s.effect === "Allow" && holds === "true") allowedBy.add(p.label);
        if (s.effect === "Allow" && holds === "unknown") conditional.add(p.label);
        if (s.effect === "Deny" && holds !== "false") deniedBy.add(p.label);
      }
    }
    for (const s of resource) {
      if (!statementActionMatches(s, full) || !statementResourceMatches(s, input.fileSystemArn, true))
        continue;
      const who = principalMatch(s, ctx);
      const holds = conditionsHold(s, ctx);
      // Naming only the account delegates to identity policies: it grants nothing by itself.
      if (s.effect === "Allow" && who === "role" && holds === "true") allowedBy.add(resourceLabel);
      if (s.effect === "Allow" && who === "role" && holds === "unknown") conditional.add(resourceLabel);
      if (s.effect === "Deny" && who !== "none" && holds !== "false") deniedBy.add(resourceLabel);
    }
    return {
      allowed: allowedBy.size > 0 && deniedBy.size === 0,
      allowedBy: [...allowedBy],
      deniedBy: [...deniedBy],
      conditionallyAllowedBy: [...conditional].filter((l) => !allowedBy.has(l)),
    };
  };

  const probe = otherFileSystemArn(input.fileSystemArn);
  const broadGrants: BroadGrant[] = [];
  for (const p of identity) {
    for (const s of p.statements) {
      if (s.effect !== "Allow") continue;
      const granted = grantedEfsActions(s);
      if (granted.length === 0 || !mayNameEfs(s)) continue;
      const beyondClient = granted.filter((a) => !(EFS_CLIENT_ACTIONS as readonly string[]).includes(a));
      const onEveryFileSystem =
        s.notResources !== undefined || (s.resources ?? []).some((r) => resourceMatches(r, probe));
      if (beyondClient.length === 0 && !onEveryFileSystem) continue;
      broadGrants.push({
        source: p.label,
        ...(s.sid ? { sid: s.sid } : {}),
        beyondClient,
        onEveryFileSystem,
        resources: s.resources ?? (s.notResources ?? []).map((r) => `NotResource ${r}`),
      });
    }
  }

  return {
    decisions: {
      ClientMount: decide("ClientMount"),
      ClientWrite: decide("ClientWrite"),
      ClientRootAccess: decide("ClientRootAccess"),
    },
    broadGrants,
    unreadable,
  };
}

/** The client actions a function with `access` needs. */
export function requiredActions(access: "readWrite" | "readOnly"): EfsClientAction[] {
  return access === "readWrite" ? ["ClientMount", "ClientWrite"] : ["ClientMount"];
}

/** The least-privilege identity-policy statement for `access` to one file system. */
export function minimalStatement(
  fileSystemArn: string,
  access: "readWrite" | "readOnly",
): { Effect: "Allow"; Action: string[]; Resource: string } {
  return {
    Effect: "Allow",
    Action: requiredActions(access).map((a) => `elasticfilesystem:${a}`),
    Resource: fileSystemArn,
  };
}
