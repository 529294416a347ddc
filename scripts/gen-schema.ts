/**
 * Writes schema/manifest.schema.json from the zod manifest schema (`npm run schema`).
 * `--check`: writes nothing; exits 1 when the committed file is not what would be generated.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { manifestJsonSchemaFileState, renderManifestJsonSchema } from "../src/desired-state/json-schema";

const target = fileURLToPath(new URL("../schema/manifest.schema.json", import.meta.url));
const shown = path.relative(process.cwd(), target) || target;

if (process.argv.includes("--check")) {
  const state = await manifestJsonSchemaFileState(target);
  if (state !== "up-to-date") {
    const what = state === "missing" ? "is missing" : "is out of date with the zod schema";
    process.stderr.write(`${shown} ${what}: run \`npm run schema\` and commit the result\n`);
    process.exit(1);
  }
  process.stdout.write(`${shown} is up to date\n`);
} else {
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, renderManifestJsonSchema());
  process.stdout.write(`wrote ${shown}\n`);
}
