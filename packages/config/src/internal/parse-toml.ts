import { parse, TomlError } from 'smol-toml';
import type { SourceDocument } from './source-document.js';
import { syntaxError } from './syntax-error.js';
import { locateInToml } from './toml-locator.js';

/** Parses TOML 1.0 (the seed's first-choice format), reporting a syntax error with its position. */
export function parseToml(text: string, file: string | undefined): SourceDocument {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const message = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    throw syntaxError(file, [
      { line: error.line, column: error.column, message: `TOML syntax error: ${message}` },
    ]);
  }
  return { data, locate: (path) => locateInToml(text, path) };
}
