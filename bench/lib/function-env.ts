/**
 * The environment infra-sam/template.yaml gives every function (`Globals.Function.Environment`):
 * the bundles are timed with it, so that what they load at start (`NODE_OPTIONS`, e.g.
 * `--enable-source-maps`, which reads the source map) is what a deployed function loads.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";

interface TemplateGlobals {
  Globals?: { Function?: { Environment?: { Variables?: Record<string, unknown> } } };
}

export async function deployedFunctionEnvironment(root: string): Promise<Record<string, string>> {
  const file = join(root, "infra-sam", "template.yaml");
  // Only Globals is read; CloudFormation's tags elsewhere (!Ref, !Sub…) stay unresolved.
  const template = parse(await readFile(file, "utf8"), { logLevel: "error" }) as TemplateGlobals | null;
  const variables = template?.Globals?.Function?.Environment?.Variables ?? {};
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value !== "string") {
      throw new Error(`${file}: Globals.Function.Environment.Variables.${name} is not a plain string`);
    }
    out[name] = value;
  }
  return out;
}
