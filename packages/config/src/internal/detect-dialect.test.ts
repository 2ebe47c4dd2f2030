import { describe, expect, it } from 'vitest';
import { detectDialect } from './detect-dialect.js';

describe('detectDialect', () => {
  it('reads an mcpServers key as the Claude Desktop / Cursor shape', () => {
    expect(detectDialect({ mcpServers: {}, globalShortcut: 'x' })).toBe('mcpServers');
  });

  it.each(['webUI', 'webUi', 'healthChecks', 'plugins'])(
    'reads a top-level %s as the seed',
    (key) => {
      expect(detectDialect({ servers: {}, [key]: {} })).toBe('seed');
    },
  );

  it('reads a server with an object transport that has a type as the seed', () => {
    expect(detectDialect({ servers: { a: { command: 'x', transport: { type: 'stdio' } } } })).toBe(
      'seed',
    );
  });

  it("reads everything else as Switchyard's own", () => {
    expect(detectDialect({ servers: { a: { command: 'x', transport: 'stdio' } } })).toBe(
      'switchyard',
    );
    expect(detectDialect({})).toBe('switchyard');
    expect(detectDialect(null)).toBe('switchyard');
    expect(detectDialect([])).toBe('switchyard');
  });
});
