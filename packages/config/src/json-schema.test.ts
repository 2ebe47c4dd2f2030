import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from './json-schema.js';

describe('configJsonSchema', () => {
  it('equals the committed schema/switchyard.schema.json (regenerate: pnpm --filter @switchyard/config run schema)', () => {
    const committed: unknown = JSON.parse(
      readFileSync(new URL('../schema/switchyard.schema.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(configJsonSchema());
  });

  it('is a closed draft-07 object schema with descriptions', () => {
    expect(configJsonSchema()).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: false,
      properties: {
        proxy: {
          additionalProperties: false,
          properties: {
            port: { type: 'integer', minimum: 0, maximum: 65535, description: expect.any(String) },
          },
        },
        servers: {
          propertyNames: { pattern: '^[A-Za-z0-9_.-]+$' },
          additionalProperties: {
            additionalProperties: false,
            properties: { command: { type: 'string' } },
          },
        },
      },
    });
  });
});
