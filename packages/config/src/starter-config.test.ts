import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';
import { starterConfig } from './starter-config.js';

describe('starterConfig', () => {
  it('is a commented YAML file that validates as it is, with secure defaults', () => {
    const text = starterConfig();
    expect(text).toMatch(/^# /);
    const config = parseConfig(text, { file: 'switchyard.yaml' });
    expect(config.dialect).toBe('switchyard');
    expect(config.proxy.host).toBe('127.0.0.1');
    expect(config.healthCheck.enabled).toBe(true);
    expect(config.servers.map((server) => server.name)).toEqual(['everything']);
  });
});
