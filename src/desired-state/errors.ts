/** Rendering and ordering of invalid-manifest findings. */
import type { ManifestError } from "./types";

/** Control characters (C0, DEL, C1) and Unicode line separators: a manifest's text may hold any. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these characters are what gets escaped
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** Longest `KIND/NAME` shown (valid names have at most 63 characters). */
const MAX_OBJECT_CHARS = 100;

/** Text from a manifest made safe for a terminal line: unprintable characters escaped (`\u001b`). */
function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `FILE:LINE:COL: KIND/NAME: message`, one line of printable text. */
export function formatManifestError(e: ManifestError): string {
  const message = printable(e.message.replace(/\s*[\r\n]+\s*/g, " "));
  const object =
    e.object.length > MAX_OBJECT_CHARS ? `${e.object.slice(0, MAX_OBJECT_CHARS - 1)}…` : e.object;
  return `${printable(e.file)}:${e.line}:${e.col}: ${printable(object)}: ${message}`;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders errors by file, line, column (then message, so the order is total). */
export function compareManifestErrors(a: ManifestError, b: ManifestError): number {
  return (
    compareStrings(a.file, b.file) ||
    a.line - b.line ||
    a.col - b.col ||
    compareStrings(a.object, b.object) ||
    compareStrings(a.message, b.message)
  );
}
