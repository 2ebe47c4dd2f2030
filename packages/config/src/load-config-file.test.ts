import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejectionOf } from './__fixtures__/helpers.js';
import { loadConfigFile } from './load-config-file.js';

const fixture = (name: string) => new URL(`./__fixtures__/${name}`, import.meta.url);

describe('loadConfigFile', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-load-'));
    env = { HOME: join(dir, 'home'), TOKEN: 't' };
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the file in cwd and makes its paths absolute, relative to the file', async () => {
    copyFileSync(fixture('switchyard.yaml'), join(dir, 'switchyard.yaml'));
    const config = await loadConfigFile(undefined, { cwd: dir, env });
    expect(config.file).toBe(join(dir, 'switchyard.yaml'));
    expect(config.servers[0]?.transport).toMatchObject({ type: 'stdio', cwd: join(dir, 'work') });
    expect(config.logging.dir).toBe(join(dir, 'logs'));
    expect(config.contextTracing.sqlitePath).toMatch(
      new RegExp(
        `^${join(dir, 'home', '.local', 'state', 'switchyard', 'tracing', 'switchyard-')}[0-9a-f]{8}\\.db$`,
      ),
    );
  });

  it("runs a stdio server without cwd in the file's directory, whatever the process cwd", async () => {
    mkdirSync(join(dir, 'conf'));
    writeFileSync(join(dir, 'conf', 'proxy.yaml'), 'servers:\n  local: {command: ./server.sh}\n');
    const config = await loadConfigFile('conf/proxy.yaml', { cwd: dir, env });
    expect(config.servers[0]?.transport).toMatchObject({ cwd: join(dir, 'conf') });
  });

  it('puts the tracing database and logs under $XDG_STATE_HOME when set', async () => {
    writeFileSync(join(dir, 'switchyard.json'), '{}');
    const config = await loadConfigFile('switchyard.json', {
      cwd: dir,
      env: { ...env, XDG_STATE_HOME: join(dir, 'state') },
    });
    // One database per config file, like the logs.
    expect(config.contextTracing.sqlitePath).toBe(
      `${config.logging.dir?.replace('/logs/', '/tracing/')}.db`,
    );
    expect(config.logging.dir).toMatch(
      new RegExp(`^${join(dir, 'state', 'switchyard', 'logs', 'switchyard-')}[0-9a-f]{8}$`),
    );
  });

  it('gives two files of the same name their own log folders, and one file the same each time', async () => {
    const state = { ...env, XDG_STATE_HOME: join(dir, 'state') };
    mkdirSync(join(dir, 'one'), { recursive: true });
    mkdirSync(join(dir, 'two'), { recursive: true });
    writeFileSync(join(dir, 'one', 'switchyard.yaml'), 'servers: {}\n');
    writeFileSync(join(dir, 'two', 'switchyard.yaml'), 'servers: {}\n');
    const one = await loadConfigFile('one/switchyard.yaml', { cwd: dir, env: state });
    const two = await loadConfigFile('switchyard.yaml', { cwd: join(dir, 'two'), env: state });
    const oneAgain = await loadConfigFile('switchyard.yaml', { cwd: join(dir, 'one'), env: state });
    expect(one.logging.dir).not.toBe(two.logging.dir);
    expect(oneAgain.logging.dir).toBe(one.logging.dir);
  });

  it('expands ~ and keeps :memory: for the tracing database', async () => {
    writeFileSync(join(dir, 'a.yaml'), 'contextTracing: {sqlitePath: "~/traces/t.db"}\n');
    writeFileSync(join(dir, 'b.yaml'), 'contextTracing: {sqlitePath: ":memory:"}\n');
    expect((await loadConfigFile('a.yaml', { cwd: dir, env })).contextTracing.sqlitePath).toBe(
      join(dir, 'home', 'traces', 't.db'),
    );
    expect((await loadConfigFile('b.yaml', { cwd: dir, env })).contextTracing.sqlitePath).toBe(
      ':memory:',
    );
  });

  it('loads a seed TOML file found under its seed name', async () => {
    copyFileSync(fixture('mcp-proxy.toml'), join(dir, 'mcp-proxy.toml'));
    const config = await loadConfigFile(undefined, { cwd: dir, env });
    expect(config.dialect).toBe('seed');
    expect(config.contextTracing.sqlitePath).toBe(
      join(dir, 'home', '.mcp-proxy', 'context-tracing.db'),
    );
    expect(config.servers[0]?.transport).toMatchObject({ cwd: '/srv' });
  });

  it('loads a claude_desktop_config.json given by name', async () => {
    copyFileSync(fixture('claude_desktop_config.json'), join(dir, 'claude_desktop_config.json'));
    const config = await loadConfigFile(join(dir, 'claude_desktop_config.json'), {
      env: { ...env, GITHUB_TOKEN: 'g' },
    });
    expect(config.dialect).toBe('mcpServers');
    expect(config.servers).toHaveLength(5);
  });

  it('reports issues with the file path relative to cwd', async () => {
    writeFileSync(join(dir, 'switchyard.yaml'), 'proxy:\n  port: 99999\n');
    const error = await rejectionOf(() => loadConfigFile(undefined, { cwd: dir, env }));
    expect(error.code).toBe('config_invalid');
    expect(error.format()).toBe(
      'switchyard.yaml:2:9 proxy.port: expected integer from 0 to 65535, received 99999',
    );
  });

  it('fails with config_not_found when nothing is found or the named file is missing', async () => {
    const none = await rejectionOf(() => loadConfigFile(undefined, { cwd: dir, env }));
    expect(none.code).toBe('config_not_found');
    expect(none.message).toContain('switchyard.yaml, switchyard.yml');
    const missing = await rejectionOf(() => loadConfigFile('nope.yaml', { cwd: dir, env }));
    expect(missing.code).toBe('config_not_found');
    expect(missing.issues).toEqual([{ file: 'nope.yaml', path: '', message: 'file not found' }]);
  });

  it('fails with config_unreadable when the path cannot be read', async () => {
    mkdirSync(join(dir, 'folder.yaml'));
    const error = await rejectionOf(() => loadConfigFile('folder.yaml', { cwd: dir, env }));
    expect(error.code).toBe('config_unreadable');
    expect(error.cause).toBeInstanceOf(Error);
  });
});
