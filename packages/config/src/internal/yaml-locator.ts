import { isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { PathSegment } from './field-path.js';
import type { LocateTarget, Position } from './source-document.js';

function positionOf(node: Node | null | undefined, lineCounter: LineCounter): Position | undefined {
  const offset = node?.range?.[0];
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/**
 * Walks a YAML node tree (also used for JSON, which the `yaml` parser reads with positions) along
 * a field path and returns the position of the deepest node reached.
 */
export function locateInYaml(
  root: unknown,
  path: readonly PathSegment[],
  target: LocateTarget,
  lineCounter: LineCounter,
): Position | undefined {
  let node: unknown = root;
  let key: Node | undefined;
  let reached = 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined || !isScalar(pair.key)) break;
      key = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      key = undefined;
      node = node.items[segment];
    } else {
      break;
    }
    reached++;
  }
  const value = node as Node | null | undefined;
  if (reached < path.length || target === 'key')
    return positionOf(key, lineCounter) ?? positionOf(value, lineCounter);
  return positionOf(value, lineCounter) ?? positionOf(key, lineCounter);
}
