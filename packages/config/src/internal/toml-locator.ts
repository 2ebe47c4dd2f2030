import type { PathSegment } from './field-path.js';
import type { Position } from './source-document.js';

type KeyEntry = { path: PathSegment[]; position: Position };

/** Splits a TOML key (`a."b.c".d`) into its parts, unquoting quoted parts. */
function splitKey(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text.charAt(index);
    if (quote !== undefined) {
      if (char === '\\' && quote === '"') {
        current += text.charAt(index + 1);
        index++;
      } else if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '.') {
      parts.push(current.trim());
      current = '';
    } else current += char;
  }
  parts.push(current.trim());
  return parts;
}

/** The characters of `text` outside quoted strings, with their indexes (quotes skipped too). */
function* outsideQuotes(text: string): Generator<[number, string]> {
  let quote: string | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text.charAt(index);
    if (quote !== undefined) {
      if (char === '\\' && quote === '"') index++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else yield [index, char];
  }
}

/** Index of the first `target` character outside quotes, or -1. */
function indexOutsideQuotes(text: string, target: string): number {
  for (const [index, char] of outsideQuotes(text)) if (char === target) return index;
  return -1;
}

/** How far a value opens (+) or closes (-) brackets, ignoring strings and comments. */
function bracketBalance(text: string): number {
  let balance = 0;
  for (const [, char] of outsideQuotes(text)) {
    if (char === '#') break;
    if (char === '[' || char === '{') balance++;
    else if (char === ']' || char === '}') balance--;
  }
  return balance;
}

/** The delimiter of a multi-line string that a value opens without closing, if any. */
function openMultilineString(value: string): string | undefined {
  for (const delimiter of ['"""', "'''"]) {
    const start = value.indexOf(delimiter);
    if (start !== -1 && value.indexOf(delimiter, start + 3) === -1) return delimiter;
  }
  return undefined;
}

/** Every table header and key assignment of a TOML text, with the full path each one defines. */
function scanKeys(text: string): KeyEntry[] {
  const entries: KeyEntry[] = [];
  const tableArrays = new Map<string, number>();
  let table: PathSegment[] = [];
  let depth = 0;
  let multiline: string | undefined;
  text.split(/\r?\n/).forEach((raw, lineIndex) => {
    if (multiline !== undefined) {
      if (raw.includes(multiline)) multiline = undefined;
      return;
    }
    if (depth > 0) {
      depth += bracketBalance(raw);
      return;
    }
    const line = raw.trimStart();
    const position = { line: lineIndex + 1, column: raw.length - line.length + 1 };
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('[[')) {
      const header = splitKey(line.slice(2, indexOutsideQuotes(line, ']')));
      const id = JSON.stringify(header);
      const index = (tableArrays.get(id) ?? -1) + 1;
      tableArrays.set(id, index);
      table = [...header, index];
      entries.push({ path: table, position });
    } else if (line.startsWith('[')) {
      table = splitKey(line.slice(1, indexOutsideQuotes(line, ']')));
      entries.push({ path: table, position });
    } else {
      const equals = indexOutsideQuotes(line, '=');
      if (equals === -1) return;
      entries.push({ path: [...table, ...splitKey(line.slice(0, equals))], position });
      const value = line.slice(equals + 1);
      multiline = openMultilineString(value);
      if (multiline === undefined) depth = Math.max(0, bracketBalance(value));
    }
  });
  return entries;
}

function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return (
    prefix.length <= path.length &&
    prefix.every((segment, index) => String(segment) === String(path[index]))
  );
}

/**
 * Locates a field path in a TOML text. The TOML parser reports no value positions, so this finds
 * the line of the key (or `[table]` header) that defines the path, else the first line that
 * defines something inside it, else the deepest ancestor that is written out.
 */
export function locateInToml(text: string, path: readonly PathSegment[]): Position | undefined {
  const entries = scanKeys(text);
  const exact = entries.find(
    (entry) => entry.path.length === path.length && startsWith(entry.path, path),
  );
  if (exact !== undefined) return exact.position;
  const inside = entries.find((entry) => startsWith(entry.path, path));
  if (inside !== undefined) return inside.position;
  let best: KeyEntry | undefined;
  for (const entry of entries) {
    if (startsWith(path, entry.path) && entry.path.length > (best?.path.length ?? 0)) best = entry;
  }
  return best?.position;
}
