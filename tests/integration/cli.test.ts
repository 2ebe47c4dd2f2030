import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { until } from '@switchyard/protocol/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cliPath, everythingServer, fixture, initializeMessage, tempDir } from './helpers.js';

const dir = tempDir();
afterAll(() => dir.remove());

function cli(args: string[], cwd = dir.path) {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('switchyard check', () => {
  it('accepts a valid config and lists its servers', () => {
    const file = join(dir.path, 'valid.yaml');
    writeFileSync(
      file,
      stringify({ servers: { memory: { command: 'node', args: ['server.js'] } } }),
    );
    const { code, stdout } = cli(['check', '--config', file]);
    expect(code).toBe(0);
    expect(stdout).toContain('valid (switchyard dialect), 1 server(s)');
    expect(stdout).toContain('memory');
  });

  it('rejects an invalid config with file, line, column and field, exit code 1', () => {
    const file = join(dir.path, 'invalid.yaml');
    writeFileSync(file, 'servers:\n  memory:\n    command: node\n    args: not-a-list\n');
    const { code, stderr } = cli(['check', '--config', file]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/invalid\.yaml:4:\d+ .*servers\.memory\.args/);
  });

  it('finds switchyard.yaml in the current directory when no --config is given', () => {
    const cwd = join(dir.path);
    writeFileSync(join(cwd, 'switchyard.yaml'), stringify({ servers: { a: { command: 'node' } } }));
    const { code, stdout } = cli(['check'], cwd);
    expect(code).toBe(0);
    expect(stdout).toContain('switchyard.yaml: valid');
  });

  it('--ping starts every backend and prints state, revision, tools and time', () => {
    const file = join(dir.path, 'ping.yaml');
    writeFileSync(
      file,
      stringify({
        servers: {
          everything: everythingServer(),
          ghost: { command: 'switchyard-no-such-command-xyz' },
        },
      }),
    );
    const { code, stdout } = cli(['check', '--ping', '--config', file]);
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines.find((l) => l.startsWith('server'))).toMatch(
      /server\s+state\s+revision\s+tools\s+time/,
    );
    expect(lines.find((l) => l.startsWith('everything'))).toMatch(
      /everything\s+running\s+2025-11-25\s+\d+\s+\d+ ms/,
    );
    expect(lines.find((l) => l.startsWith('ghost'))).toMatch(
      /ghost\s+failed\s+-\s+-\s+\d+ ms\s+cannot start/,
    );
  });

  it('counts the built-in switchyard server the same way in its summary and in its rows', () => {
    const file = join(dir.path, 'built-in.yaml');
    writeFileSync(
      file,
      stringify({
        servers: { raw: { command: process.execPath, args: [fixture('raw-server.mjs')] } },
      }),
    );
    const builtIns = (stdout: string) =>
      /1 server\(s\), plus built-in: (.*)$/m.exec(stdout)?.[1]?.split(', ') ?? [];
    const listed = cli(['check', '--config', file]);
    expect(builtIns(listed.stdout)).toContain('switchyard');
    for (const name of builtIns(listed.stdout))
      expect(listed.stdout).toMatch(new RegExp(`^ {2}${name} {2}built-in$`, 'm'));
    const pinged = cli(['check', '--ping', '--config', file]);
    expect(pinged.code).toBe(0);
    const rows = pinged.stdout
      .split('\n')
      .slice(2)
      .map((line) => line.split(/\s+/)[0])
      .filter((name) => name !== '' && name !== 'raw');
    expect(builtIns(pinged.stdout)).toEqual(rows);
    expect(rows).toContain('switchyard');
  });
});

describe('switchyard key', () => {
  it('prints a new key and the sha256 hash that goes in proxy.apiKeys', () => {
    const { code, stdout } = cli(['key']);
    expect(code).toBe(0);
    const key = /^key: +(\S+)$/m.exec(stdout)?.[1] ?? '';
    const hash = /^hash: +(\S+)$/m.exec(stdout)?.[1] ?? '';
    expect(key).toMatch(/^sy_[A-Za-z0-9_-]{43}$/);
    expect(hash).toBe(`sha256:${createHash('sha256').update(key).digest('hex')}`);
  });
});

describe('switchyard init', () => {
  it('writes a starter config that check accepts, and refuses to overwrite it', () => {
    const cwd = join(dir.path);
    const target = 'starter.yaml';
    expect(cli(['init', target], cwd).code).toBe(0);
    expect(cli(['check', '--config', target], cwd).code).toBe(0);
    const again = cli(['init', target], cwd);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('--force');
  });
});

describe('switchyard --stdio', () => {
  it('writes nothing but JSON-RPC messages to stdout, even with debug logs and a noisy backend', async () => {
    const file = join(dir.path, 'noisy.yaml');
    writeFileSync(
      file,
      stringify({
        servers: { noisy: { command: process.execPath, args: [fixture('noisy-server.mjs')] } },
      }),
    );
    const child = spawn(
      process.execPath,
      [cliPath, '--stdio', '--log-level', 'debug', '--config', file],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send(initializeMessage());
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'noisy__echo', arguments: { x: 1 } },
    });
    child.stdin.write('this is not json\n');
    await until(() => stdout.split('\n').length >= 4, 'three responses on stdout', 20_000, 20);
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.stdin.end();
    await new Promise((resolve) => child.once('close', resolve));

    const lines = stdout.trim().split('\n');
    // Every line is a JSON-RPC message: three responses and any list_changed notifications.
    const messages = lines.map(
      (line) => JSON.parse(line) as { jsonrpc: string; id?: unknown; error?: { code: number } },
    );
    expect(messages.every((m) => m.jsonrpc === '2.0')).toBe(true);
    const responses = messages.filter((m) => m.id !== undefined);
    expect(responses.map((m) => m.id).sort()).toEqual([1, 2, null]);
    expect(responses.find((m) => m.id === null)?.error?.code).toBe(-32700);
    // The logs went to stderr, the backend's noise included.
    expect(stderr).toContain('backend running');
    expect(stderr).toContain('noisy-server v1 starting up');
  });
});
