/**
 * Error stacks in the TypeScript sources, mapped only when an error leaves a function. The
 * functions run without `--enable-source-maps`: that flag has Node read the bundle's source map and
 * index the whole bundle at every cold start (about 7 ms per function, bench/README.md), where an
 * error that needs its stack mapped is rare. The map (`<bundle>.map`, next to the bundle) is read
 * on the first error and kept.
 */
import { readFileSync } from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import { fileURLToPath } from "node:url";

/** A stack frame's location: `file:///…/index.mjs:12:345` or `/…/index.mjs:12:345`. */
const LOCATION = /(file:\/\/\/[^\s()]+?|\/[^\s():]+?)\.(m?js):(\d+):(\d+)/g;

/**
 * Rewrites, in place, the frames of `bundleUrl` in an error's stack (and in its causes' stacks) to
 * the TypeScript file, line and column they come from. Without a readable map next to the bundle
 * (tests running the sources, a bundle shipped without its map) stacks stay as they are.
 */
export function sourceMappedStacks(bundleUrl: string): (error: unknown) => void {
  const bundlePath = bundleUrl.startsWith("file:") ? fileURLToPath(bundleUrl) : bundleUrl;
  let map: SourceMap | null | undefined;
  const loadMap = (): SourceMap | null => {
    if (map !== undefined) return map;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${bundlePath}.map`, "utf8")) as SourceMapPayload);
    } catch {
      map = null;
    }
    return map;
  };
  const mapLocation = (whole: string, file: string, ext: string, line: string, column: string): string => {
    const path = file.startsWith("file:") ? fileURLToPath(`${file}.${ext}`) : `${file}.${ext}`;
    if (path !== bundlePath) return whole;
    const origin = loadMap()?.findOrigin(Number(line), Number(column));
    if (!origin || !("fileName" in origin)) return whole;
    const source = new URL(origin.fileName, `file://${bundlePath}`);
    return `${fileURLToPath(source)}:${origin.lineNumber}:${origin.columnNumber}`;
  };
  const mapError = (error: unknown, seen: Set<unknown>): void => {
    if (!(error instanceof Error) || seen.has(error)) return;
    seen.add(error);
    if (typeof error.stack === "string") error.stack = error.stack.replace(LOCATION, mapLocation);
    mapError(error.cause, seen);
  };
  return (error) => mapError(error, new Set());
}
