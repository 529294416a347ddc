/** Process entry of the `efs-reconciler` command (bundled into dist/cli.mjs). */
import { main } from "./main";

process.exitCode = await main(process.argv.slice(2));
