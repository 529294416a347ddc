/**
 * infra-sam/template.yaml as data: parsed with the `yaml` package, CloudFormation's short-form
 * tags (!Ref, !GetAtt, !Sub, …) read as their long forms ({Ref}, {"Fn::GetAtt"}, …), plus the
 * IAM statements of every role and policy, and what the source code calls (SDK commands as IAM
 * actions), for the tests that keep the template and the code in step.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, type Tags, type YAMLSeq } from "yaml";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const TEMPLATE_FILE = join(ROOT, "infra-sam/template.yaml");

const INTRINSICS = [
  "Ref",
  "GetAtt",
  "Sub",
  "Join",
  "If",
  "Not",
  "Equals",
  "And",
  "Or",
  "Split",
  "Select",
  "FindInMap",
  "Base64",
  "GetAZs",
  "ImportValue",
  "Cidr",
  "Condition",
];

function longName(name: string): string {
  return name === "Ref" || name === "Condition" ? name : `Fn::${name}`;
}

/** CloudFormation's short-form tags, for the `yaml` package. */
export const CFN_TAGS: Tags = INTRINSICS.flatMap((name) => [
  {
    tag: `!${name}`,
    resolve: (value: string) =>
      name === "GetAtt" ? { [longName(name)]: value.split(".") } : { [longName(name)]: value },
  },
  {
    tag: `!${name}`,
    collection: "seq" as const,
    resolve: (value: YAMLSeq) => ({ [longName(name)]: value.toJSON() }),
  },
]) as Tags;

export interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  Condition?: string;
  [key: string]: unknown;
}

export interface Template {
  Parameters: Record<string, { Type: string; Default?: unknown; AllowedValues?: unknown[] }>;
  Conditions: Record<string, unknown>;
  Globals: { Function: Record<string, unknown> };
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown; Condition?: string }>;
}

export function parseTemplate(text: string): Template {
  return parse(text, { customTags: CFN_TAGS }) as Template;
}

export function loadTemplate(): Template {
  return parseTemplate(readFileSync(TEMPLATE_FILE, "utf8"));
}

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

export interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** `{"Fn::If": [cond, a, b]}` → both branches (the IAM test checks every way a condition can go). */
function branches(value: unknown): unknown[] {
  if (value && typeof value === "object" && "Fn::If" in value) {
    const [, yes, no] = (value as { "Fn::If": unknown[] })["Fn::If"];
    return [...branches(yes), ...branches(no)];
  }
  if (
    value &&
    typeof value === "object" &&
    "Ref" in value &&
    (value as { Ref: unknown }).Ref === "AWS::NoValue"
  ) {
    return [];
  }
  return [value];
}

function statementsOfDocument(doc: unknown): Statement[] {
  return branches(doc).flatMap((d) =>
    asList((d as { Statement?: Statement | Statement[] }).Statement).flatMap(
      (s) => branches(s) as Statement[],
    ),
  );
}

/** The statements a role grants: its inline policies and the template's managed policies it attaches. */
export function roleStatements(template: Template, roleId: string): Statement[] {
  const role = template.Resources[roleId];
  if (role?.Type !== "AWS::IAM::Role") throw new Error(`${roleId} is not an AWS::IAM::Role`);
  const inline = asList(role.Properties?.Policies as unknown[]).flatMap((p) =>
    branches(p).flatMap((policy) =>
      statementsOfDocument((policy as { PolicyDocument: unknown }).PolicyDocument),
    ),
  );
  const managed = asList(role.Properties?.ManagedPolicyArns as unknown[]).flatMap((arn) => {
    const id = (arn as { Ref?: string }).Ref;
    const policy = id ? template.Resources[id] : undefined;
    if (policy?.Type !== "AWS::IAM::ManagedPolicy") {
      throw new Error(
        `${roleId} attaches ${JSON.stringify(arn)}: only the template's own managed policies are allowed`,
      );
    }
    return statementsOfDocument(policy.Properties?.PolicyDocument);
  });
  return [...inline, ...managed];
}

/** Every IAM statement anywhere in the template (roles, managed policies, resource policies). */
export function allStatements(value: unknown): Statement[] {
  const out: Statement[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      for (const item of v) walk(item);
    } else if (v && typeof v === "object") {
      const obj = v as Record<string, unknown>;
      if ("Statement" in obj) out.push(...statementsOfDocument(obj));
      for (const child of Object.values(obj)) walk(child);
    }
  };
  walk(value);
  return out;
}

export function actionsOf(statements: Statement[]): Set<string> {
  return new Set(statements.flatMap((s) => asList(s.Action)));
}

// ---------------------------------------------------------------------------------------------
// What the code calls
// ---------------------------------------------------------------------------------------------

/** The IAM service prefix of each AWS SDK client package. */
export const IAM_PREFIX: Record<string, string> = {
  "@aws-sdk/client-efs": "elasticfilesystem",
  "@aws-sdk/client-ec2": "ec2",
  "@aws-sdk/client-lambda": "lambda",
  "@aws-sdk/client-iam": "iam",
  "@aws-sdk/client-cloudwatch": "cloudwatch",
  "@aws-sdk/client-dynamodb": "dynamodb",
  "@aws-sdk/client-eventbridge": "events",
  "@aws-sdk/client-sfn": "states",
  "@aws-sdk/client-cloudformation": "cloudformation",
  "@aws-sdk/client-resource-groups-tagging-api": "tag",
  "@aws-sdk/client-s3": "s3",
};

export class UnknownSdkClientError extends Error {
  override name = "UnknownSdkClientError";
}

/** Calls that only read. */
export function isReadAction(action: string): boolean {
  const name = action.split(":")[1] ?? "";
  return /^(Describe|List|Get|BatchGet|Query|Scan)/.test(name);
}

const IMPORT = /import\s+(type\s+)?\{([^}]*)\}\s+from\s+"([^"]+)"/g;

function namedImports(source: string): Map<string, string> {
  const byName = new Map<string, string>();
  for (const m of source.matchAll(IMPORT)) {
    if (m[1]) continue;
    for (const part of (m[2] ?? "").split(",")) {
      const cleaned = part.trim().replace(/^type\s+/, "");
      if (cleaned === "" || part.trim().startsWith("type ")) continue;
      const [imported, local] = cleaned.split(/\s+as\s+/);
      byName.set((local ?? imported ?? "").trim(), m[3] ?? "");
    }
  }
  return byName;
}

/** The product's own S3 object client (src/aws/s3-objects.ts): its methods and their IAM actions. */
const S3_OBJECTS_MODULE = /^(?:\.{1,2}\/)+(?:aws\/)?s3-objects$/;
const S3_OBJECTS_CALL = /\.(getObject|putObject)\(/g;

/**
 * The IAM actions a source file calls: `new XCommand(` and `paginateX(` of AWS SDK clients, and
 * `.getObject(` / `.putObject(` in a file that imports the product's S3 object client.
 */
export function sdkActionsOfFile(file: string): Set<string> {
  const source = readFileSync(file, "utf8");
  const imports = namedImports(source);
  const actions = new Set<string>();
  if ([...source.matchAll(/\bfrom\s+"([^"]+)"/g)].some((m) => S3_OBJECTS_MODULE.test(m[1] ?? ""))) {
    for (const m of source.matchAll(S3_OBJECTS_CALL)) {
      actions.add(`s3:${(m[1] ?? "").replace(/^./, (c) => c.toUpperCase())}`);
    }
  }
  for (const m of source.matchAll(/\bnew ([A-Z][A-Za-z0-9]*)Command\(|\bpaginate([A-Z][A-Za-z0-9]*)\(/g)) {
    const local = m[1] ? `${m[1]}Command` : `paginate${m[2]}`;
    const module = imports.get(local);
    if (!module?.startsWith("@aws-sdk/client-")) continue;
    const prefix = IAM_PREFIX[module];
    // A new AWS client must be mapped here, or its calls would escape the least-privilege check.
    if (!prefix)
      throw new UnknownSdkClientError(
        `${file} calls ${local} of ${module}: add its IAM prefix to IAM_PREFIX`,
      );
    actions.add(`${prefix}:${m[1] ?? m[2]}`);
  }
  return actions;
}

/** The functions that read the manifests and pass documents through the run bucket: observation's three, Plan, Verify. */
export const OBSERVE_AND_PLAN_FUNCTIONS = [
  "ObserveChecklistFunction",
  "ObserveNetworkFunction",
  "ObserveSourcesFunction",
  "PlanFunction",
  "VerifyFunction",
];

/** `file` and every source file it imports, transitively (relative imports under src/). */
export function importClosure(file: string): string[] {
  const seen = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    const source = readFileSync(f, "utf8");
    for (const m of source.matchAll(
      /(?:import|export)\s+(?:type\s+)?(?:[^"']*?\s+from\s+)?"(\.{1,2}\/[^"]+)"/g,
    )) {
      if (/^(?:import|export)\s+type\s/.test(m[0])) continue;
      const target = resolve(dirname(f), m[1] ?? "");
      for (const candidate of [`${target}.ts`, join(target, "index.ts"), target]) {
        try {
          readFileSync(candidate);
          if (candidate.endsWith(".ts")) visit(candidate);
          break;
        } catch {
          // Try the next spelling.
        }
      }
    }
  };
  visit(file);
  return [...seen].sort();
}

export function sdkActionsOf(files: string[]): Set<string> {
  return new Set(files.flatMap((f) => [...sdkActionsOfFile(f)]));
}

/** Every .ts file under a directory of the repository. */
export function sourceFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  return readdirSync(abs, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(abs, f))
    .sort();
}

export function shown(file: string): string {
  return relative(ROOT, file);
}
