/** Finding the manifest files of a directory and reading them as UTF-8 text. */
import type { Dirent } from "node:fs";
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";

/** Files larger than this are refused: manifests are small, and a huge file is almost surely a mistake. */
export const MAX_MANIFEST_FILE_BYTES = 8 * 1024 * 1024;

export interface ManifestFile {
  /** Absolute path, as reached from the manifest directory (symbolic links not resolved). */
  absolute: string;
  /** Path relative to the manifest directory, with `/` separators. */
  relative: string;
  /** The file's real path (symbolic links resolved). */
  real: string;
}

/** A problem with a file or directory as a whole. */
export interface FileProblem {
  absolute: string;
  message: string;
}

export interface FoundFiles {
  files: ManifestFile[];
  problems: FileProblem[];
}

/** `true` for a name the walk looks at: `*.yaml` / `*.yml`, not hidden. */
export function isManifestFileName(name: string): boolean {
  return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml"));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOENT") return "it does not exist (a broken symbolic link?)";
  if (code === "ELOOP") return "too many levels of symbolic links";
  return error instanceof Error ? error.message : String(error);
}

/**
 * Every `*.yaml` / `*.yml` file under `root`, recursively, sorted by relative path. Hidden files and
 * directories (`.git`, …) are skipped; symbolic links are followed, but a directory (or file) already
 * reached through another path is visited once, so link loops end.
 */
export async function findManifestFiles(root: string): Promise<FoundFiles> {
  const problems: FileProblem[] = [];
  const candidates: ManifestFile[] = [];
  const visitedDirectories = new Set<string>();

  const walk = async (directory: string, relative: string, real: string): Promise<void> => {
    if (visitedDirectories.has(real)) return;
    visitedDirectories.add(real);
    let entries: Dirent[];
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch (error) {
      problems.push({
        absolute: directory,
        message: `cannot read this directory: ${describeFsError(error)}`,
      });
      return;
    }
    entries.sort((a, b) => compareStrings(a.name, b.name));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const absolute = path.join(directory, entry.name);
      const childRelative = relative === "" ? entry.name : `${relative}/${entry.name}`;
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = await stat(absolute);
          isDirectory = target.isDirectory();
          isFile = target.isFile();
        } catch (error) {
          if (isManifestFileName(entry.name)) {
            problems.push({ absolute, message: `cannot read this file: ${describeFsError(error)}` });
          }
          continue;
        }
      }
      if (isDirectory) {
        let childReal: string;
        try {
          childReal = await realpath(absolute);
        } catch (error) {
          problems.push({ absolute, message: `cannot read this directory: ${describeFsError(error)}` });
          continue;
        }
        await walk(absolute, childRelative, childReal);
      } else if (isFile && isManifestFileName(entry.name)) {
        const real = await realpath(absolute).catch(() => absolute);
        candidates.push({ absolute, relative: childRelative, real });
      }
    }
  };

  await walk(root, "", await realpath(root));
  candidates.sort((a, b) => compareStrings(a.relative, b.relative));
  const seenFiles = new Set<string>();
  const files: ManifestFile[] = [];
  for (const file of candidates) {
    // A file reached twice (through a link) is one file: load it once.
    if (seenFiles.has(file.real)) continue;
    seenFiles.add(file.real);
    files.push(file);
  }
  return { files, problems };
}

export type ReadResult =
  | { ok: true; bytes: Buffer; text: string }
  | {
      ok: false;
      message: string;
      /** Where in the file the problem is, when it is at one place. */
      position?: { line: number; col: number };
    };

/** Byte offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      length = 2;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      min = 0x10000;
    } else return i;
    if (i + length > n) return i;
    let codePoint = b & (0xff >> (length + 1));
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (c & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return i;
    i += length;
  }
  return -1;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Reads a manifest file: refuses files over `maxBytes` and bytes that are not UTF-8. */
export async function readManifestFile(
  absolute: string,
  maxBytes = MAX_MANIFEST_FILE_BYTES,
): Promise<ReadResult> {
  try {
    const info = await stat(absolute);
    if (info.size > maxBytes) {
      return {
        ok: false,
        message: `file is too large (${info.size} bytes; the limit is ${maxBytes}): split it into several files`,
      };
    }
    const bytes = await readFile(absolute);
    if (bytes.length > maxBytes) {
      return {
        ok: false,
        message: `file is too large (${bytes.length} bytes; the limit is ${maxBytes}): split it into several files`,
      };
    }
    const invalid = firstInvalidUtf8Offset(bytes);
    if (invalid !== -1) {
      const byte = bytes[invalid]!.toString(16).padStart(2, "0");
      return {
        ok: false,
        position: positionOfByte(bytes, invalid),
        message: `file is not valid UTF-8 (byte 0x${byte}): save it as UTF-8`,
      };
    }
    return { ok: true, bytes, text: decoder.decode(bytes) };
  } catch (error) {
    return { ok: false, message: `cannot read this file: ${describeFsError(error)}` };
  }
}

/** 1-based line and column (in characters) of a byte offset in a file whose bytes up to it are UTF-8. */
export function positionOfByte(bytes: Uint8Array, byteOffset: number): { line: number; col: number } {
  let lineStart = 0;
  let line = 1;
  for (let i = 0; i < byteOffset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const prefix = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, byteOffset));
  return { line, col: prefix.length + 1 };
}
