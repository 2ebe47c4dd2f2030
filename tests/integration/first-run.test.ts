import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { until } from '@switchyard/protocol/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cliPath, fixture, repoRoot, tempDir } from './helpers.js';

const dir = tempDir();
const state = join(dir.path, 'state');
const running: ChildProcess[] = [];
afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  dir.remove();
});

/** A config in its own folder with one fixture backend (`echo`) that writes its pid to a file. */
function configIn(folder: string, extra: Record<string, unknown> = {}) {
  const home = join(dir.path, folder);
  mkdirSync(home, { recursive: true });
  const pidFile = join(home, 'backend.pid');
  const file = join(home, 'switchyard.yaml');
  writeFileSync(
    file,
    stringify({
      proxy: { port: 0 },
      servers: {
        echo: {
          command: process.execPath,
          args: [fixture('noisy-server.mjs')],
          env: { FIXTURE_PIDFILE: pidFile },
        },
      },
      ...extra,
    }),
  );
  return { home, file, pidFile };
}

/** Starts a command (Node by default); `ready` resolves with the ready line once stdout has it. */
function start(args: string[], cwd: string, stateHome = state, command = process.execPath) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, XDG_STATE_HOME: stateHome },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.resume();
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = until(
    () => /^switchyard ready: .*$/m.exec(stdout)?.[0],
    'the ready line on stdout',
    30_000,
    20,
  );
  return { child, ready, exited, stdout: () => stdout };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The parent of `pid` (`ps` reads the same on Linux and macOS). */
function parentOf(pid: number): number {
  const ps = spawnSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' });
  return Number(ps.stdout.trim());
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('switchyard on a first run', () => {
  it('ends its start with one stdout line: servers running, tools, the MCP and dashboard URLs', async () => {
    // Without the built-in servers, the tools are exactly the backend's one.
    const { home, file } = configIn('ready', {
      management: { enabled: false },
      contextTracing: { enabled: false },
    });
    const proxy = start([cliPath, '--config', file], home);
    const line = await proxy.ready;
    const port = /MCP http:\/\/127\.0\.0\.1:(\d+)\/mcp/.exec(line)?.[1];
    expect(line).toBe(
      `switchyard ready: 1 of 1 servers running, 1 tools; MCP http://127.0.0.1:${port}/mcp; dashboard http://127.0.0.1:${port}/`,
    );
    proxy.child.kill('SIGTERM');
    expect((await proxy.exited).code).toBe(0);
  });

  it('prints --help and --version on stdout, exit code 0', () => {
    const help = spawnSync(process.execPath, [cliPath, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage:/);
    expect(help.stderr).toBe('');
    const version = spawnSync(process.execPath, [cliPath, '--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^switchyard \d+\.\d+\.\d+\n$/);
  });

  it('answers an unknown option with one line pointing to --help, exit code 2', () => {
    const result = spawnSync(process.execPath, [cliPath, '--frobnicate'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('switchyard: unknown option --frobnicate; see switchyard --help\n');
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops the proxy and every backend when ${signal} reaches npm (npm start, npm run switchyard)`, async () => {
      const { home, file, pidFile } = configIn(`signal-${signal}`);
      // npm runs the script through `sh -c`; the script must still get the signal npm passes on.
      const args = ['--prefix', repoRoot, 'run', '-s', 'switchyard', '--', '--config', file];
      const run = start(args, home, state, 'npm');
      const line = await run.ready;
      const port = Number(/MCP http:\/\/127\.0\.0\.1:(\d+)\//.exec(line)?.[1]);
      const backend = Number(readFileSync(pidFile, 'utf8'));
      const proxy = parentOf(backend);
      const bootstrap = parentOf(proxy);
      expect(parentOf(bootstrap)).toBe(run.child.pid);

      run.child.kill(signal);
      await run.exited;
      await until(
        () => ![backend, proxy, bootstrap].some(alive),
        'backend, proxy and bootstrap script gone',
      );
      expect(await refused(port)).toBe(true);
    });
  }

  it('keeps the server logs of two config files apart', async () => {
    const a = configIn('logs-a');
    const b = configIn('logs-b');
    const own = join(dir.path, 'logs-state');
    const first = start([cliPath, '--config', 'switchyard.yaml'], a.home, own);
    const second = start([cliPath, '--config', 'switchyard.yaml'], b.home, own);
    await Promise.all([first.ready, second.ready]);
    first.child.kill('SIGTERM');
    second.child.kill('SIGTERM');
    await Promise.all([first.exited, second.exited]);

    const logs = join(own, 'switchyard', 'logs');
    const folders = readdirSync(logs);
    expect(folders).toHaveLength(2);
    expect(folders.every((name) => /^switchyard-[0-9a-f]{8}$/.test(name))).toBe(true);
    for (const folder of folders) {
      const lines = readFileSync(join(logs, folder, 'echo', 'server.log'), 'utf8');
      // Each backend printed its banner once: a shared folder would hold both.
      expect(lines.match(/noisy-server v1 starting up/g)).toHaveLength(1);
    }
  });
});
