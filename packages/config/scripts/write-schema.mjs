// Writes the JSON Schema of Switchyard's own dialect to schema/switchyard.schema.json, from the
// built package (run through `pnpm --filter @switchyard/config run schema`, which builds first).
// A unit test fails when the committed file and the schema differ.
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../dist/index.js';

const target = new URL('../schema/switchyard.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
