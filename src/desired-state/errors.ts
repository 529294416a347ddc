/** Rendering and ordering of invalid-manifest findings. */
import type { ManifestError } from "./types";

/** `FILE:LINE:COL: KIND/NAME: message`, one line. */
export function formatManifestError(e: ManifestError): string {
  const message = e.message.replace(/\s*[\r\n]+\s*/g, " ");
  return `${e.file}:${e.line}:${e.col}: ${e.object}: ${message}`;
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
