#!/usr/bin/env node
// The installed `efs-reconciler` command: runs the bundled CLI in dist/.
import { existsSync } from "node:fs";

const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  console.error(
    `efs-reconciler needs Node.js 22 or later (this is ${process.version}): run it with a newer node`,
  );
  process.exit(1);
}

const cli = new URL("../dist/cli.mjs", import.meta.url);
if (!existsSync(cli)) {
  console.error("efs-reconciler is not built (dist/cli.mjs is missing): run npm run build");
  process.exit(1);
}
await import(cli.href);
