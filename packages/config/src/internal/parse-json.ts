import { type Document, LineCounter, parseDocument } from 'yaml';
import { findJsonSyntaxError } from './json-syntax.js';
import type { Position, SourceDocument } from './source-document.js';
import { syntaxError } from './syntax-error.js';
import { locateInYaml } from './yaml-locator.js';

function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/**
 * Parses strict JSON (what Claude Desktop and the seed write). Values come from `JSON.parse`;
 * positions come from reading the same text with the `yaml` parser, lazily, since they are only
 * needed when something is wrong.
 */
export function parseJson(text: string, file: string | undefined): SourceDocument {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const found = findJsonSyntaxError(text);
    const message = found?.message ?? (error instanceof Error ? error.message : String(error));
    throw syntaxError(file, [
      { ...(found && positionAt(text, found.offset)), message: `JSON syntax error: ${message}` },
    ]);
  }
  let located: { document: Document.Parsed; lineCounter: LineCounter } | undefined;
  return {
    data,
    locate: (path, target) => {
      if (located === undefined) {
        const lineCounter = new LineCounter();
        located = { document: parseDocument(text, { lineCounter }), lineCounter };
      }
      return locateInYaml(located.document.contents, path, target, located.lineCounter);
    },
  };
}
