import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
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

/** Where a source file is too long to read as one unit. */
const MAX_LINES = 450;
/** Where a function is too long to read as one unit. */
const MAX_FUNCTION_LINES = 150;

/** Every function (declaration, expression, arrow, method, accessor) longer than the limit. */
function longFunctions(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = lineOf(node.getStart(source));
      const lines = lineOf(node.getEnd()) - start + 1;
      if (lines > MAX_FUNCTION_LINES) {
        const name = node.name && ts.isIdentifier(node.name) ? node.name.text : '(anonymous)';
        found.push(`${relative(repoRoot, file)}:${start} ${name}: ${lines} lines`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The non-test sources of every workspace package: `src/**` without tests (`*.test.ts`) and test
 * fixtures (`__fixtures__/`).
 */
function productionSources(m: Manifest): string[] {
  return sourceFiles(join(m.dir, 'src')).filter(
    (file) => !/\.test\.(ts|tsx|mts)$/.test(file) && !file.includes('/__fixtures__/'),
  );
}

/** The files a source file imports relatively (`import`, `import type`, `export ... from`). */
function relativeImports(file: string, text: string): string[] {
  const specifiers = [
    ...text.matchAll(/(?:import|export)\s+(?:type\s+)?[\w*{}\s,$]*?from\s*'(\.{1,2}\/[^']+)'/g),
    ...text.matchAll(/import\s*\(?\s*'(\.{1,2}\/[^']+)'/g),
  ].map((match) => match[1] as string);
  return specifiers.map((specifier) =>
    resolve(dirname(file), specifier.replace(/\.js$/, '.ts').replace(/\.mjs$/, '.mts')),
  );
}

/**
 * Every import cycle among `files`, one per strongly connected component (Tarjan), each written
 * as a closed path such as `a.ts -> b.ts -> a.ts` (the shortest through the component's first file).
 */
function importCycles(files: string[]): string[][] {
  const known = new Set(files);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    edges.set(
      file,
      relativeImports(file, text).filter((target) => known.has(target)),
    );
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file) as number);
    stack.push(file);
    onStack.add(file);
    for (const next of edges.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file) as number, index.get(next) as number));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      const selfImport = edges.get(file)?.includes(file) ?? false;
      if (component.length > 1 || selfImport) components.push(component);
    }
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return components.map((component) => {
    const members = new Set(component);
    const start = [...component].sort()[0] as string;
    // Breadth-first from `start` back to itself, inside the component.
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const file = queue.shift() as string;
      for (const next of edges.get(file) ?? []) {
        if (!members.has(next) || previous.has(next)) continue;
        previous.set(next, file);
        if (next === start) queue.length = 0;
        else queue.push(next);
      }
    }
    const path = [start];
    for (let at = previous.get(start) as string; at !== start; at = previous.get(at) as string) {
      path.splice(1, 0, at);
    }
    return [...path, start];
  });
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

  it('has no import cycle between the files of a package, type imports included', () => {
    const files = all.flatMap(productionSources);
    const cycles = importCycles(files).map((cycle) =>
      cycle.map((file) => relative(repoRoot, file)).join(' -> '),
    );
    expect(cycles).toEqual([]);
  });

  it(`has no source file over ${MAX_LINES} lines`, () => {
    const long = all
      .flatMap(productionSources)
      .map((file) => {
        const text = readFileSync(file, 'utf8');
        const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
        return { file: relative(repoRoot, file), lines };
      })
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    expect(all.flatMap(productionSources).flatMap(longFunctions)).toEqual([]);
  });
});
