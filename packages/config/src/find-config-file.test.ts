import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE_NAMES, findConfigFile } from './find-config-file.js';

describe('findConfigFile search order', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-find-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('looks for Switchyard names first, then the seed names', () => {
    expect(CONFIG_FILE_NAMES).toEqual([
      'switchyard.yaml',
      'switchyard.yml',
      'switchyard.json',
      'switchyard.toml',
      'mcp-proxy.toml',
      'mcp-proxy.json',
      'mcp-proxy.yaml',
      'mcp-proxy.yml',
    ]);
  });

  it('returns the first name present, removing files one by one from the front of the order', () => {
    for (const name of CONFIG_FILE_NAMES) writeFileSync(join(dir, name), '{}');
    for (const name of CONFIG_FILE_NAMES) {
      expect(findConfigFile(dir)).toBe(join(dir, name));
      rmSync(join(dir, name));
    }
    expect(findConfigFile(dir)).toBeUndefined();
  });

  it('ignores a directory that has a config file name', () => {
    mkdirSync(join(dir, 'switchyard.yaml'));
    writeFileSync(join(dir, 'mcp-proxy.yml'), '{}');
    expect(findConfigFile(dir)).toBe(join(dir, 'mcp-proxy.yml'));
  });
});
