import { join } from 'node:path';
import { loadConfigFile } from '@switchyard/config/node';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

describe('examples/switchyard.yaml', () => {
  it('loads and validates, with three stdio servers scoped to the examples folder', async () => {
    const config = await loadConfigFile(join(repoRoot, 'examples/switchyard.yaml'), { env: {} });
    expect(config.dialect).toBe('switchyard');
    expect(config.proxy.host).toBe('127.0.0.1');
    expect(config.servers.map((s) => s.name)).toEqual(['everything', 'memory', 'files']);
    for (const server of config.servers) {
      expect(server.transport.type).toBe('stdio');
      if (server.transport.type === 'stdio')
        expect(server.transport.cwd).toBe(join(repoRoot, 'examples'));
    }
  });
});
