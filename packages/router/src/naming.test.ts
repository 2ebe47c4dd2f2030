import { describe, expect, it } from 'vitest';
import { exposeName, mayBeShortened, type NamingOptions, parseExposedName } from './naming.js';

const prefix: NamingOptions = { strategy: 'prefix' };

describe('exposeName', () => {
  it('puts the server prefix and the default separator `__` in front of the name', () => {
    expect(exposeName(prefix, 'github', 'search')).toBe('github__search');
  });

  it('uses a configured separator', () => {
    expect(exposeName({ strategy: 'prefix', separator: '.' }, 'github', 'search')).toBe(
      'github.search',
    );
  });

  it('puts the global prefix in front of everything', () => {
    expect(exposeName({ strategy: 'prefix', globalPrefix: 'mcp__proxy__' }, 'gh', 'search')).toBe(
      'mcp__proxy__gh__search',
    );
  });

  it('exposes raw names under the `none` strategy, global prefix included', () => {
    expect(exposeName({ strategy: 'none' }, 'github', 'search')).toBe('search');
    expect(exposeName({ strategy: 'none', globalPrefix: 'p_' }, 'github', 'search')).toBe(
      'p_search',
    );
  });

  it('keeps server names with `_` and `-` intact', () => {
    expect(exposeName(prefix, 'my_server', 'tool')).toBe('my_server__tool');
    expect(exposeName(prefix, 'a-b', 'tool')).toBe('a-b__tool');
  });

  it('leaves a name of exactly maxLength alone', () => {
    const name = 'x'.repeat(64 - 'srv__'.length);
    expect(exposeName({ strategy: 'prefix', maxLength: 64 }, 'srv', name)).toBe(`srv__${name}`);
  });

  it('shortens names over the default limit of 128 to exactly 128 characters', () => {
    const exposed = exposeName(prefix, 'srv', 't'.repeat(200));
    expect(exposed).toHaveLength(128);
    expect(exposed).toMatch(/^srv__t+_[0-9a-f]{8}$/);
  });

  it('shortens to a configured maxLength of 64, keeping the beginning of the full name', () => {
    const naming: NamingOptions = { strategy: 'prefix', maxLength: 64 };
    const exposed = exposeName(naming, 'filesystem', `read_${'x'.repeat(80)}`);
    expect(exposed).toHaveLength(64);
    // The beginning kept, then a hash of the full name, in the spec's tool-name alphabet.
    expect(exposed).toMatch(/^filesystem__read_x+_[0-9a-f]{8}$/);
  });

  it('shortens deterministically', () => {
    const naming: NamingOptions = { strategy: 'prefix', maxLength: 64 };
    const name = 'a_very_long_tool_name_'.repeat(5);
    expect(exposeName(naming, 'srv', name)).toBe(exposeName(naming, 'srv', name));
  });

  it('keeps two long names that share their beginning distinct', () => {
    const naming: NamingOptions = { strategy: 'prefix', maxLength: 64 };
    const common = 'c'.repeat(100);
    const one = exposeName(naming, 'srv', `${common}_one`);
    const two = exposeName(naming, 'srv', `${common}_two`);
    expect(one).toHaveLength(64);
    expect(two).toHaveLength(64);
    expect(one).not.toBe(two);
  });

  it('tags the same long tool name differently on different servers', () => {
    const naming: NamingOptions = { strategy: 'prefix', maxLength: 40 };
    const name = 'n'.repeat(60);
    expect(exposeName(naming, 'alpha', name)).not.toBe(exposeName(naming, 'alphb', name));
  });

  it('shortens under the `none` strategy too', () => {
    const exposed = exposeName({ strategy: 'none', maxLength: 64 }, 'srv', 'z'.repeat(100));
    expect(exposed).toHaveLength(64);
    expect(exposed).toMatch(/^z+_[0-9a-f]{8}$/);
  });
});

describe('parseExposedName', () => {
  const prefixes = ['github', 'my', 'my_server', 'a', 'a-b'];

  it('round-trips every prefix with exposeName', () => {
    for (const p of prefixes) {
      expect(parseExposedName(prefix, prefixes, exposeName(prefix, p, 'do_it'))).toEqual({
        prefix: p,
        name: 'do_it',
      });
    }
  });

  it('routes `my_server__tool` to `my_server` even when a server `my` exists', () => {
    expect(parseExposedName(prefix, prefixes, 'my_server__tool')).toEqual({
      prefix: 'my_server',
      name: 'tool',
    });
    expect(parseExposedName(prefix, prefixes, 'my__tool')).toEqual({ prefix: 'my', name: 'tool' });
  });

  it('tells `a` and `a-b` apart', () => {
    expect(parseExposedName(prefix, prefixes, 'a-b__tool')).toEqual({
      prefix: 'a-b',
      name: 'tool',
    });
    expect(parseExposedName(prefix, prefixes, 'a__b-tool')).toEqual({
      prefix: 'a',
      name: 'b-tool',
    });
  });

  it('keeps a separator inside the tool name as part of the name', () => {
    expect(parseExposedName(prefix, prefixes, 'github__issues__list')).toEqual({
      prefix: 'github',
      name: 'issues__list',
    });
  });

  it('does not depend on the order of the prefixes', () => {
    expect(parseExposedName(prefix, ['my_server', 'my'], 'my_server__tool')).toEqual(
      parseExposedName(prefix, ['my', 'my_server'], 'my_server__tool'),
    );
  });

  it('finds nothing for an unknown prefix, a missing separator or an empty name', () => {
    expect(parseExposedName(prefix, prefixes, 'gitlab__search')).toBeUndefined();
    expect(parseExposedName(prefix, prefixes, 'githubsearch')).toBeUndefined();
    expect(parseExposedName(prefix, prefixes, 'github_search')).toBeUndefined();
    expect(parseExposedName(prefix, prefixes, 'github__')).toBeUndefined();
    expect(parseExposedName(prefix, [], 'github__search')).toBeUndefined();
  });

  it('uses the configured separator', () => {
    const dotted: NamingOptions = { strategy: 'prefix', separator: '.' };
    expect(parseExposedName(dotted, prefixes, 'github.search')).toEqual({
      prefix: 'github',
      name: 'search',
    });
    expect(parseExposedName(dotted, prefixes, 'github__search')).toBeUndefined();
  });

  it('requires and strips the global prefix', () => {
    const global: NamingOptions = { strategy: 'prefix', globalPrefix: 'mcp__proxy__' };
    expect(parseExposedName(global, prefixes, 'mcp__proxy__github__search')).toEqual({
      prefix: 'github',
      name: 'search',
    });
    expect(parseExposedName(global, prefixes, 'github__search')).toBeUndefined();
  });

  it('cannot parse names of the `none` strategy (the catalog resolves those)', () => {
    expect(parseExposedName({ strategy: 'none' }, prefixes, 'github__search')).toBeUndefined();
  });
});

describe('mayBeShortened', () => {
  it('recognises names that exposeName shortened', () => {
    const naming: NamingOptions = { strategy: 'prefix', maxLength: 64 };
    expect(mayBeShortened(naming, exposeName(naming, 'srv', 'q'.repeat(100)))).toBe(true);
    expect(mayBeShortened(prefix, exposeName(prefix, 'srv', 'q'.repeat(200)))).toBe(true);
  });

  it('does not flag names under the limit or without the hash tag', () => {
    const naming: NamingOptions = { strategy: 'prefix', maxLength: 64 };
    expect(mayBeShortened(naming, exposeName(naming, 'srv', 'short'))).toBe(false);
    expect(mayBeShortened(naming, 'x'.repeat(64))).toBe(false);
  });
});
