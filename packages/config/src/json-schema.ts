import { toJsonSchema } from '@valibot/to-json-schema';
import { switchyardSchema } from './internal/switchyard-schema.js';

/**
 * The JSON Schema (draft-07) of Switchyard's own dialect, for editor completion and validation. It
 * is generated from the same valibot schema that validates files, so the two cannot disagree;
 * cross-field rules (command xor url, URL schemes, distinct ports) are checked by `parseConfig`
 * only. The package ships it as `@switchyard/config/schema.json`.
 */
export function configJsonSchema(): object {
  const schema = toJsonSchema(switchyardSchema, {
    target: 'draft-07',
    ignoreActions: ['raw_check'],
    overrideSchema: ({ valibotSchema, jsonSchema }) => {
      if (valibotSchema.type !== 'loose_object') return undefined;
      const { required = [], ...rest } = jsonSchema;
      return { ...rest, ...(required.length > 0 && { required }), additionalProperties: false };
    },
  });
  return {
    ...schema,
    title: 'Switchyard configuration',
    description:
      'Configuration of the Switchyard MCP proxy (switchyard.yaml, .yml, .json or .toml).',
  };
}
