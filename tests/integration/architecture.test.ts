import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

/**
 * The layer table of docs/architecture.md: which of our packages each package may depend on.
 * Lower layers never import higher ones; router and supervisor meet only in apps/proxy.
 */
const ALLOWED: Record<string, readonly string[]> = {
  '@switchyard/protocol': [],
  '@switchyard/config': ['@switchyard/protocol'],
  '@switchyard/logging': ['@switchyard/protocol'],
  '@switchyard/metrics': ['@switchyard/protocol'],
  '@switchyard/transports': ['@switchyard/protocol', '@switchyard/logging'],
  '@switchyard/router': ['@switchyard/protocol', '@switchyard/logging', '@switchyard/metrics'],
  '@switchyard/supervisor': [
    '@switchyard/protocol',
    '@switchyard/transports',
    '@switchyard/logging',
    '@switchyard/metrics',
  ],
  '@switchyard/tracing': ['@switchyard/protocol'],
  '@switchyard/admin-api': ['@switchyard/protocol'],
  '@switchyard/dashboard': ['@switchyard/admin-api'],
  '@switchyard/proxy': [
    '@switchyard/protocol',
    '@switchyard/config',
    '@switchyard/logging',
    '@switchyard/metrics',
    '@switchyard/transports',
    '@switchyard/router',
    '@switchyard/supervisor',
    '@switchyard/tracing',
    '@switchyard/admin-api',
  ],
};

interface Manifest {
  dir: string;
  name: string;
  deps: string[];
}

function manifests(): Manifest[] {
  const out: Manifest[] = [];
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(join(repoRoot, group))) {
      const dir = join(repoRoot, group, entry);
      const file = join(dir, 'package.json');
      try {
        statSync(file);
      } catch {
        continue;
      }
      const json = JSON.parse(readFileSync(file, 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
        peerDependencies?: Record<string, string>;
      };
      const deps = Object.keys({
        ...json.dependencies,
        ...json.devDependencies,
        ...json.peerDependencies,
      });
      out.push({ dir, name: json.name, deps });
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts)$/.test(entry.name)) out.push(path);
  }
  return out;
}

describe('architecture', () => {
  const all = manifests();

  it('knows every workspace package in the layer table', () => {
    expect(all.map((m) => m.name).filter((name) => !(name in ALLOWED))).toEqual([]);
  });

  it('has no package.json dependency that the layer table forbids', () => {
    const violations = all.flatMap((m) =>
      m.deps
        .filter((dep) => dep.startsWith('@switchyard/') && !ALLOWED[m.name]?.includes(dep))
        .map((dep) => `${m.name} -> ${dep}`),
    );
    expect(violations).toEqual([]);
  });

  it('imports in source only what package.json declares, and never another package’s src', () => {
    const violations: string[] = [];
    for (const m of all) {
      for (const file of sourceFiles(join(m.dir, 'src'))) {
        const text = readFileSync(file, 'utf8');
        for (const match of text.matchAll(/from '(@switchyard\/[a-z-]+)(\/[^']*)?'/g)) {
          const target = match[1] ?? '';
          if (!m.deps.includes(target)) violations.push(`${file}: imports undeclared ${target}`);
          if (match[2]?.startsWith('/src')) violations.push(`${file}: reaches into ${target}/src`);
        }
        if (/from '\.\.\/\.\.\/(packages|apps)\//.test(text))
          violations.push(`${file}: relative import across packages`);
      }
    }
    expect(violations).toEqual([]);
  });
});
