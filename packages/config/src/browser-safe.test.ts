import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const IMPORT = /^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms;

/** Every module specifier imported, transitively through relative imports, from `entry`. */
function importsOf(entry: URL, seen = new Set<string>()): string[] {
  if (seen.has(entry.href)) return [];
  seen.add(entry.href);
  const specifiers: string[] = [];
  for (const [, specifier = ''] of readFileSync(entry, 'utf8').matchAll(IMPORT)) {
    if (!specifier.startsWith('.')) specifiers.push(specifier);
    else specifiers.push(...importsOf(new URL(specifier.replace(/\.js$/, '.ts'), entry), seen));
  }
  return specifiers;
}

describe('package entries (style: package roots stay browser-safe)', () => {
  it('the root entry imports no Node built-in', () => {
    const external = importsOf(new URL('./index.ts', import.meta.url));
    expect(external).toContain('valibot');
    expect(external.filter((specifier) => specifier.startsWith('node:'))).toEqual([]);
  });

  it('reading files lives behind ./node', () => {
    expect(importsOf(new URL('./node.ts', import.meta.url))).toContain('node:fs/promises');
  });
});
