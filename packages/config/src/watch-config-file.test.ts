import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '@switchyard/protocol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConfigChange, watchConfigFile } from './watch-config-file.js';

/** The `count`-th change reported, once it has been. */
function nextChange(changes: ConfigChange[], count: number): Promise<ConfigChange> {
  return until(() => changes[count - 1], `change ${count}`, 5000);
}

describe('watchConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-watch-'));
  const file = join(dir, 'switchyard.yaml');
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a valid edit, an invalid one with its position, and an editor-style rename', async () => {
    writeFileSync(file, 'servers:\n  a:\n    command: node\n');
    const changes: ConfigChange[] = [];
    const watcher = watchConfigFile(file, (change) => changes.push(change), {
      env: {},
      debounceMs: 20,
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      writeFileSync(file, 'servers:\n  a:\n    command: node\n  b:\n    command: node\n');
      const valid = await nextChange(changes, 1);
      expect(valid.ok && valid.config.servers.map((s) => s.name)).toEqual(['a', 'b']);

      writeFileSync(file, 'servers:\n  a:\n    comand: node\n');
      const invalid = await nextChange(changes, 2);
      expect(!invalid.ok && invalid.error.message).toMatch(/switchyard\.yaml:3:5 .*did you mean/);

      writeFileSync(join(dir, 'tmp.yaml'), 'servers:\n  c:\n    command: node\n');
      renameSync(join(dir, 'tmp.yaml'), file);
      const renamed = await nextChange(changes, 3);
      expect(renamed.ok && renamed.config.servers.map((s) => s.name)).toEqual(['c']);
    } finally {
      watcher.close();
    }
  });
});
