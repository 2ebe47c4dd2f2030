import { parseJson } from './parse-json.js';
import { parseToml } from './parse-toml.js';
import { parseYaml } from './parse-yaml.js';
import type { SourceDocument } from './source-document.js';

/** The file formats a configuration may be written in. */
export type SourceFormat = 'yaml' | 'json' | 'toml';

/** The format implied by a file name's extension; YAML otherwise, since YAML also reads JSON. */
export function formatFromFile(file: string | undefined): SourceFormat {
  const extension = file?.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  if (extension === 'json' || extension === 'toml') return extension;
  return 'yaml';
}

/** Parses a configuration text into plain data plus a locator; throws on syntax errors. */
export function parseSource(
  text: string,
  format: SourceFormat,
  file: string | undefined,
): SourceDocument {
  const content = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (format === 'json') return parseJson(content, file);
  if (format === 'toml') return parseToml(content, file);
  return parseYaml(content, file);
}
