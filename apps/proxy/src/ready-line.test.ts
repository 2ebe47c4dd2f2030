import { normalizeConfig } from '@switchyard/config';
import { describe, expect, it } from 'vitest';
import { dashboardUrlOf, readyLine, runningServers } from './ready-line.js';

const listen = { host: '127.0.0.1', port: 3000 };

describe('the ready line', () => {
  it('names the dashboard at / of the proxy itself when the config sets no dashboard.port', () => {
    expect(dashboardUrlOf(normalizeConfig({ servers: {} }), listen)).toBe('http://127.0.0.1:3000/');
  });

  it('names dashboard.port (and dashboard.host) when the config sets them', () => {
    const own = normalizeConfig({ servers: {}, dashboard: { port: 3001 } });
    expect(dashboardUrlOf(own, listen)).toBe('http://127.0.0.1:3001/');
    const host = normalizeConfig({ servers: {}, dashboard: { port: 3001, host: '::1' } });
    expect(dashboardUrlOf(host, listen)).toBe('http://[::1]:3001/');
  });

  it('leaves the dashboard out when it is off', () => {
    const off = normalizeConfig({ servers: {}, dashboard: { enabled: false } });
    expect(dashboardUrlOf(off, listen)).toBeUndefined();
    expect(
      readyLine({
        running: 0,
        servers: 0,
        tools: 0,
        mcpUrl: 'http://h:1/mcp',
        dashboardUrl: undefined,
      }),
    ).toBe('switchyard ready: 0 of 0 servers running, 0 tools; MCP http://h:1/mcp');
  });

  it('counts configured servers only, not the built-in ones', () => {
    const backends = [
      { name: 'a', state: 'running' },
      { name: 'b', state: 'failed' },
      { name: 'switchyard', state: 'running' },
      { name: 'tracing', state: 'running' },
    ];
    const config = normalizeConfig({ servers: { a: { command: 'a' }, b: { command: 'b' } } });
    expect(runningServers(backends, config)).toEqual({ running: 1, servers: 2 });
  });
});
