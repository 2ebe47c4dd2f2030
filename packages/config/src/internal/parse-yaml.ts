import { LineCounter, parseDocument } from 'yaml';
import type { SourceDocument } from './source-document.js';
import { syntaxError } from './syntax-error.js';
import { locateInYaml } from './yaml-locator.js';

/** Parses YAML 1.2 (duplicate keys rejected), reporting every syntax error with its position. */
export function parseYaml(text: string, file: string | undefined): SourceDocument {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw syntaxError(
      file,
      document.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { line, column: col, message: `YAML syntax error: ${error.message}` };
      }),
    );
  }
  return {
    data: document.toJS(),
    locate: (path, target) => locateInYaml(document.contents, path, target, lineCounter),
  };
}
