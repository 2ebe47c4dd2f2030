import { readFileSync } from 'node:fs';
import { toJsonSchema } from '@valibot/to-json-schema';
import type { GenericSchema } from 'valibot';
import { describe, expect, it } from 'vitest';
import { mcpServersSchema } from './internal/mcp-servers-schema.js';
import { seedSchema } from './internal/seed-schema.js';
import { configJsonSchema } from './json-schema.js';

type JsonSchemaNode = {
  properties?: Record<string, JsonSchemaNode>;
  additionalProperties?: JsonSchemaNode | boolean;
  oneOf?: JsonSchemaNode[];
};

/** Every key path a schema allows, with `<name>` for the keys of a map (`servers.<name>.args`). */
function keyPaths(node: JsonSchemaNode, prefix = ''): string[] {
  const paths: string[] = [];
  for (const option of node.oneOf ?? []) paths.push(...keyPaths(option, prefix));
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    paths.push(path, ...keyPaths(child, path));
  }
  const entries = node.additionalProperties;
  if (
    typeof entries === 'object' &&
    (entries.properties !== undefined || entries.oneOf !== undefined)
  ) {
    paths.push(...keyPaths(entries, `${prefix}.<name>`));
  }
  return [...new Set(paths)];
}

const schemaOf = (schema: GenericSchema) =>
  toJsonSchema(schema, {
    errorMode: 'ignore',
    ignoreActions: ['raw_check', 'check'],
  }) as JsonSchemaNode;

const docs = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

/** The text of the docs section whose `## ` heading starts with `heading`. */
function section(heading: string): string {
  const start = docs.indexOf(`\n## ${heading}`);
  expect(start, `section "${heading}"`).toBeGreaterThan(-1);
  const end = docs.indexOf('\n## ', start + 1);
  return docs.slice(start, end === -1 ? undefined : end);
}

describe('docs/configuration.md documents every key (style: docs are checked against the schema)', () => {
  it.each([
    ["Switchyard's own dialect", configJsonSchema() as JsonSchemaNode],
    ["The seed's dialect", schemaOf(seedSchema)],
    ['The `mcpServers` dialect', schemaOf(mcpServersSchema)],
  ])('%s', (heading, schema) => {
    const text = section(heading);
    const paths = keyPaths(schema);
    expect(paths.length).toBeGreaterThan(5);
    expect(paths.filter((path) => !text.includes(`\`${path}\``))).toEqual([]);
  });
});
