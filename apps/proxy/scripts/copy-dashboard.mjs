#!/usr/bin/env node
// Ships the built dashboard inside this package (dist/dashboard), so `switchyard` serves it with no
// separate install. turbo builds @switchyard/dashboard first (turbo.json); a build of this package
// alone, without the dashboard built, ships none and says so.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const from = join(here, '../../dashboard/dist');
const to = join(here, '../dist/dashboard');
rmSync(to, { recursive: true, force: true });
if (existsSync(join(from, 'index.html'))) {
  cpSync(from, to, { recursive: true });
} else {
  process.stderr.write(
    `@switchyard/proxy: no dashboard build at ${from}; this build serves no dashboard (run the workspace build)\n`,
  );
}
