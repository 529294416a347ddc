/**
 * IAM for the least-privilege check: for each distinct execution role, its inline policies
 * (ListRolePolicies + GetRolePolicy) and attached managed policies (ListAttachedRolePolicies +
 * GetPolicy + GetPolicyVersion of the default version, each managed policy read once however
 * many roles attach it). Every call goes through the concurrency limiter; listings are paginated.
 * (The file systems' resource policies are EFS reads: read-file-system-policies.ts.)
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { type AwsReader, distinct } from "./aws-reader";
import type { Limiter } from "./limiter";
import type { ObservedPolicy, ObservedRole } from "./types";

/** IAM's "no such role / policy" error, as the SDK names it and as the API codes it. */
const NO_SUCH_ENTITY = ["NoSuchEntityException", "NoSuchEntity"];

const ROLE_ARN = /^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role\/(?:[^/]+\/)*([\w+=,.@-]{1,64})$/;

/** The role name of an IAM role ARN (paths are dropped); undefined when `arn` is not a role ARN. */
export function roleNameOf(arn: string): string | undefined {
  return ROLE_ARN.exec(arn)?.[1];
}

/**
 * The JSON text of a policy document as IAM returns it: URL-encoded (RFC 3986) by the API, plain
 * JSON from some tools. Text that cannot be decoded is returned as is (the evaluator rejects it).
 */
export function decodePolicyDocument(text: string): string {
  if (text.trimStart().startsWith("{")) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

interface ManagedRef {
  name: string;
  arn: string;
}

interface RoleListing {
  roleArn: string;
  roleName: string;
  found: boolean;
  inline: string[];
  managed: ManagedRef[];
}

async function listRole(
  reader: AwsReader,
  iam: IAMClient,
  roleArn: string,
  roleName: string,
  limit: Limiter,
): Promise<RoleListing> {
  const [inline, attached] = await Promise.all([
    limit(() =>
      reader.tryPages(
        "iam",
        "ListRolePolicies",
        (Marker) =>
          iam.send(new ListRolePoliciesCommand({ RoleName: roleName, ...(Marker ? { Marker } : {}) })),
        (page) => (page.IsTruncated ? page.Marker : undefined),
        NO_SUCH_ENTITY,
      ),
    ),
    limit(() =>
      reader.tryPages(
        "iam",
        "ListAttachedRolePolicies",
        (Marker) =>
          iam.send(
            new ListAttachedRolePoliciesCommand({ RoleName: roleName, ...(Marker ? { Marker } : {}) }),
          ),
        (page) => (page.IsTruncated ? page.Marker : undefined),
        NO_SUCH_ENTITY,
      ),
    ),
  ]);
  if (!inline.ok || !attached.ok) return { roleArn, roleName, found: false, inline: [], managed: [] };
  return {
    roleArn,
    roleName,
    found: true,
    inline: [...new Set(inline.value.flatMap((p) => p.PolicyNames ?? []))].sort(),
    managed: attached.value
      .flatMap((p) => p.AttachedPolicies ?? [])
      .flatMap((p) => (p.PolicyArn ? [{ arn: p.PolicyArn, name: p.PolicyName ?? p.PolicyArn }] : []))
      .sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0)),
  };
}

async function readInline(
  reader: AwsReader,
  iam: IAMClient,
  roleName: string,
  policyName: string,
  limit: Limiter,
): Promise<ObservedPolicy | undefined> {
  const out = await limit(() =>
    reader.tryCall(
      "iam",
      "GetRolePolicy",
      () => iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })),
      NO_SUCH_ENTITY,
    ),
  );
  // Deleted between the listing and this read: it no longer grants anything.
  if (!out.ok) return undefined;
  return { kind: "inline", name: policyName, document: decodePolicyDocument(out.value.PolicyDocument ?? "") };
}

/** The default version's document of a managed policy; undefined when the policy is gone. */
async function readManaged(
  reader: AwsReader,
  iam: IAMClient,
  ref: ManagedRef,
  limit: Limiter,
): Promise<ObservedPolicy | undefined> {
  const policy = await limit(() =>
    reader.tryCall(
      "iam",
      "GetPolicy",
      () => iam.send(new GetPolicyCommand({ PolicyArn: ref.arn })),
      NO_SUCH_ENTITY,
    ),
  );
  const versionId = policy.ok ? policy.value.Policy?.DefaultVersionId : undefined;
  if (!versionId) return undefined;
  const version = await limit(() =>
    reader.tryCall(
      "iam",
      "GetPolicyVersion",
      () => iam.send(new GetPolicyVersionCommand({ PolicyArn: ref.arn, VersionId: versionId })),
      NO_SUCH_ENTITY,
    ),
  );
  if (!version.ok) return undefined;
  return {
    kind: "managed",
    name: ref.name,
    arn: ref.arn,
    document: decodePolicyDocument(version.value.PolicyVersion?.Document ?? ""),
  };
}

/** The policies of every role in `roleArns` (ARNs that are not IAM role ARNs are skipped), by role ARN. */
export async function readRolePolicies(
  reader: AwsReader,
  iam: IAMClient,
  roleArns: readonly string[],
  limit: Limiter,
): Promise<Record<string, ObservedRole>> {
  const roles = distinct(roleArns).flatMap((arn) => {
    const name = roleNameOf(arn);
    return name ? [{ arn, name }] : [];
  });
  const listings = await Promise.all(roles.map((r) => listRole(reader, iam, r.arn, r.name, limit)));

  // Each managed policy once, however many roles attach it.
  const managedRefs = new Map<string, ManagedRef>();
  for (const l of listings) for (const m of l.managed) managedRefs.set(m.arn, m);
  const [managed, inline] = await Promise.all([
    Promise.all([...managedRefs.values()].map((ref) => readManaged(reader, iam, ref, limit))),
    Promise.all(
      listings.map((l) =>
        Promise.all(l.inline.map((name) => readInline(reader, iam, l.roleName, name, limit))),
      ),
    ),
  ]);
  const managedByArn = new Map<string, ObservedPolicy>();
  for (const p of managed) if (p?.arn) managedByArn.set(p.arn, p);

  const out: Record<string, ObservedRole> = {};
  listings.forEach((l, i) => {
    const policies: ObservedPolicy[] = [
      ...(inline[i] ?? []).filter((p): p is ObservedPolicy => p !== undefined),
      ...l.managed.flatMap((m) => {
        const p = managedByArn.get(m.arn);
        return p ? [p] : [];
      }),
    ];
    out[l.roleArn] = { roleArn: l.roleArn, roleName: l.roleName, found: l.found, policies };
  });
  return out;
}
