import { describe, expect, it } from 'vitest';
import { locateInToml } from './toml-locator.js';

const TEXT = `# comment
title = "x"

[servers.alpha]
command = "a"
args = [
  "one",
  "two",
]
description = """
port = 1
"""
"quoted.key" = 1
transport = { type = "stdio" }

[servers.beta.transport]
type = "httpSse"

[[items]]
name = "first"
[[items]]
name = "second"
`;

describe('locateInToml', () => {
  it('finds a key within its [table] section', () => {
    expect(locateInToml(TEXT, ['servers', 'alpha', 'command'])).toEqual({ line: 5, column: 1 });
    expect(locateInToml(TEXT, ['servers', 'beta', 'transport', 'type'])).toEqual({
      line: 17,
      column: 1,
    });
  });

  it('points at the key of a multi-line array for its elements', () => {
    expect(locateInToml(TEXT, ['servers', 'alpha', 'args', 1])).toEqual({ line: 6, column: 1 });
  });

  it('skips the inside of multi-line strings and reads quoted keys', () => {
    expect(locateInToml(TEXT, ['port'])).toBeUndefined();
    expect(locateInToml(TEXT, ['servers', 'alpha', 'quoted.key'])).toEqual({ line: 13, column: 1 });
  });

  it('points at the nearest written ancestor for a path inside an inline table', () => {
    expect(locateInToml(TEXT, ['servers', 'alpha', 'transport', 'type'])).toEqual({
      line: 14,
      column: 1,
    });
  });

  it('points at the first definition inside an implicit table', () => {
    expect(locateInToml(TEXT, ['servers'])).toEqual({ line: 4, column: 1 });
    expect(locateInToml(TEXT, ['servers', 'beta'])).toEqual({ line: 16, column: 1 });
  });

  it('counts arrays of tables', () => {
    expect(locateInToml(TEXT, ['items', 1, 'name'])).toEqual({ line: 22, column: 1 });
  });
});
