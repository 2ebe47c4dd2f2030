import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { until } from '@switchyard/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cliPath, fixture, tempDir } from './helpers.js';

interface Health {
  backends: Array<{ name: string; state: string }>;
}

describe('hot reload of the config file (switchyard --config, watched)', () => {
  const dir = tempDir();
  const file = join(dir.path, 'switchyard.yaml');
  const pidOf = (name: string) => Number(readFileSync(join(dir.path, `${name}.pid`), 'utf8'));
  const server = (name: string, extra: Record<string, string> = {}) => ({
    command: process.execPath,
    args: [fixture('raw-server.mjs')],
    env: { FIXTURE_PIDFILE: join(dir.path, `${name}.pid`), FIXTURE_NAME: name, ...extra },
  });
  let child: ChildProcess;
  let base = '';
  let stderr = '';

  const health = async () => (await (await fetch(`${base}/health`)).json()) as Health;
  /** Polls /health until `check` holds for it. */
  const healthWhen = (check: (h: Health) => boolean, what: string) =>
    until(
      async () => {
        const h = await health();
        return check(h) && h;
      },
      what,
      15_000,
      50,
    );
  // The built-in servers, management (`switchyard`) and `tracing`, are always there too.
  const running = (h: Health, names: string[]) =>
    h.backends
      .map((b) => b.name)
      .sort()
      .join() === [...names, 'switchyard', 'tracing'].sort().join() &&
    h.backends.every((b) => b.state === 'running');

  beforeAll(async () => {
    writeFileSync(
      file,
      stringify({
        servers: { keep: server('keep'), change: server('change'), drop: server('drop') },
      }),
    );
    child = spawn(process.execPath, [cliPath, '--config', file, '--port', '0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const listening = await until(
      () => /"url":"(http:[^"]+)\/mcp"/.exec(stderr) ?? undefined,
      'the proxy to listen',
      15_000,
      25,
    );
    base = listening[1] as string;
    await healthWhen(
      (h) => running(h, ['keep', 'change', 'drop']),
      'keep, change and drop running',
    );
  });

  afterAll(async () => {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('close', resolve));
    dir.remove();
  });

  it('adds, removes and restarts only the changed server', async () => {
    const keepPid = pidOf('keep');
    const changePid = pidOf('change');
    const dropPid = pidOf('drop');
    writeFileSync(
      file,
      stringify({
        servers: {
          keep: server('keep'),
          change: server('change', { EXTRA: '1' }),
          add: server('add'),
        },
      }),
    );
    await healthWhen(
      (h) => running(h, ['keep', 'change', 'add']) && existsSync(join(dir.path, 'add.pid')),
      'keep, change and add running',
    );
    expect(pidOf('keep')).toBe(keepPid);
    expect(pidOf('change')).not.toBe(changePid);
    expect(() => process.kill(dropPid, 0)).toThrow();
  });

  it('reports an invalid edit and changes nothing', async () => {
    const before = await health();
    const pids = ['keep', 'change', 'add'].map(pidOf);
    writeFileSync(file, 'servers:\n  keep:\n    comand: node\n');
    await until(
      () => stderr.includes('configuration edit rejected'),
      'the invalid edit to be reported',
      10_000,
      25,
    );
    expect(stderr).toMatch(/switchyard\.yaml:3:5 .*comand/);
    expect(await health()).toEqual(before);
    expect(['keep', 'change', 'add'].map(pidOf)).toEqual(pids);
  });
});
