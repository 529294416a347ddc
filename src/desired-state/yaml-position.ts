/** Maps a field path of a parsed document back to the YAML node a user should look at. */
import { type Document, isCollection, isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";

export interface Position {
  line: number;
  col: number;
}

/** What a path points at: the key of an unknown field, a wrong value, or the mapping that lacks a field. */
export type PathTarget = "key" | "value";

function startOf(node: Node | null | undefined): number | undefined {
  return node?.range?.[0];
}

/** An empty (`key:` with nothing after it) scalar has no text to point at: point at its key instead. */
function isBlank(node: Node): boolean {
  return isScalar(node) && node.value === null && node.range != null && node.range[0] === node.range[1];
}

/**
 * Offset of the node at `path`:
 * - `target: "key"`: the key of the last path segment (an unknown field);
 * - `target: "value"`: the value where it is written, except that a block mapping or list (which
 *   starts on the line after its key) and an empty value are shown at their key;
 * - a path that does not exist (a missing field) resolves to the deepest mapping that does, shown
 *   the same way.
 */
export function offsetOfPath(doc: Document, path: readonly PropertyKey[], target: PathTarget): number {
  const root = doc.contents as Node | null;
  let node: Node | null = root;
  let keyOfNode: Node | null = null;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    let next: Node | null | undefined;
    let nextKey: Node | null = null;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair !== undefined) {
        nextKey = pair.key as Node;
        next = pair.value as Node | null;
        if (i === path.length - 1 && target === "key") return startOf(nextKey) ?? startOf(node) ?? 0;
        if (next === null) return startOf(nextKey) ?? 0;
      }
    } else if (isSeq(node) && typeof segment === "number") {
      next = node.items[segment] as Node | undefined;
    }
    if (next === undefined || next === null) break;
    node = next;
    keyOfNode = nextKey;
  }
  if (node === null) return 0;
  const isBlock = isCollection(node) && node.flow !== true;
  if (isBlank(node) || (isBlock && keyOfNode !== null)) return startOf(keyOfNode) ?? startOf(node) ?? 0;
  return startOf(node) ?? 0;
}

export function positionOfPath(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
  target: PathTarget,
): Position {
  return lineCounter.linePos(offsetOfPath(doc, path, target));
}
