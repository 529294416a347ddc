/** File paths as a user would type them in a shell. */
import path from "node:path";

/**
 * `absolute` shown relative to the current directory, with `/` separators; absolute instead when the
 * manifest directory was given as an absolute path outside the current directory.
 */
export function displayPath(givenDirectory: string, absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  const outside = relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  const shown = relative === "" ? "." : outside && path.isAbsolute(givenDirectory) ? absolute : relative;
  return shown.split(path.sep).join("/");
}
