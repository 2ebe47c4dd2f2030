import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type JsonObject, type JsonRpcMessage, SwitchyardError } from '@switchyard/protocol';
import { ManualClock, until } from '@switchyard/protocol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  backendEnvironment,
  DEFAULT_INHERITED_ENV,
  type StdioBackendOptions,
  StdioBackendTransport,
} from './stdio-backend.js';

function fixture(name: string): string {
  return fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));
}

/** Whether a process still runs; a zombie (exited, not yet reaped) counts as gone. */
function isAlive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (existsSync('/proc/self/stat')) {
    if (!existsSync(stat)) return false;
    try {
      const state = readFileSync(stat, 'utf8').split(') ')[1]?.[0];
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A manual clock that also records the delay of every timer set on it, in order. */
class RecordingClock extends ManualClock {
  readonly waits: number[] = [];

  override setTimeout(callback: () => void, ms: number): unknown {
    this.waits.push(ms);
    return super.setTimeout(callback, ms);
  }
}

/** The params of a notification from the child, typed as the fixture sends them. */
function paramsOf<T>(message: JsonRpcMessage | undefined): T {
  if (!message || !('method' in message))
    throw new Error(`expected a notification: ${JSON.stringify(message)}`);
  return message.params as T;
}

/** The result of a response from the child. */
function resultOf(message: JsonRpcMessage | undefined): JsonObject {
  if (!message || !('result' in message))
    throw new Error(`expected a result: ${JSON.stringify(message)}`);
  return message.result;
}

const started: StdioBackendTransport[] = [];
const leftovers: number[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.close()));
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone, as it should be.
    }
  }
});

/** A transport over `node <fixture>`, with a recorder for everything it reports. */
function backend(script: string, options: Partial<StdioBackendOptions> = {}) {
  const transport = new StdioBackendTransport({
    command: process.execPath,
    args: [fixture(script)],
    closeGraceMs: 200,
    ...options,
  });
  const messages: JsonRpcMessage[] = [];
  const errors: Error[] = [];
  const closes: string[] = [];
  transport.onmessage = (message) => messages.push(message);
  transport.onerror = (error) => errors.push(error);
  const closed = new Promise<string>((resolve) => {
    transport.onclose = (reason) => {
      closes.push(reason);
      resolve(reason);
    };
  });
  started.push(transport);
  return { transport, messages, errors, closes, closed };
}

describe('backendEnvironment', () => {
  const base = { PATH: '/usr/bin', HOME: '/home/me', AWS_SECRET_ACCESS_KEY: 'k', LANG: undefined };

  it('passes only allow-listed names that are set', () => {
    expect(backendEnvironment(base, ['PATH', 'HOME', 'LANG'], {})).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/me',
    });
  });

  it('puts configured values on top of inherited ones', () => {
    expect(backendEnvironment(base, ['PATH'], { PATH: '/opt/bin', TOKEN: 't' })).toEqual({
      PATH: '/opt/bin',
      TOKEN: 't',
    });
  });

  it('inherits nothing with an empty allow-list', () => {
    expect(backendEnvironment(base, [], { ONLY: '1' })).toEqual({ ONLY: '1' });
  });

  it('leaves the base environment untouched', () => {
    const copy = { ...base };
    backendEnvironment(base, ['PATH'], { PATH: '/x' });
    expect(base).toEqual(copy);
  });

  it('does not inherit credential-looking names by default', () => {
    expect(DEFAULT_INHERITED_ENV).toContain('PATH');
    expect(DEFAULT_INHERITED_ENV).toContain('HOME');
    expect(backendEnvironment(base, DEFAULT_INHERITED_ENV, {})).not.toHaveProperty(
      'AWS_SECRET_ACCESS_KEY',
    );
  });
});

describe('StdioBackendTransport messages', () => {
  it('exchanges newline-delimited JSON-RPC with a real child process', async () => {
    const b = backend('echo-server.mjs');
    await b.transport.start();
    expect(b.transport.pid).toBeGreaterThan(0);
    await b.transport.send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { a: 1 } });
    await b.transport.send({ jsonrpc: '2.0', id: 'two', method: 'ping' });
    await until(() => b.messages.length === 2);
    expect(b.messages).toEqual([
      { jsonrpc: '2.0', id: 1, result: { method: 'tools/list', params: { a: 1 } } },
      { jsonrpc: '2.0', id: 'two', result: { method: 'ping' } },
    ]);
  });

  it('carries a large message intact', async () => {
    const b = backend('echo-server.mjs');
    await b.transport.start();
    const text = 'é'.repeat(200_000);
    await b.transport.send({ jsonrpc: '2.0', id: 1, method: 'big', params: { text } });
    await until(() => b.messages.length === 1);
    expect((resultOf(b.messages[0]).params as JsonObject).text).toBe(text);
  });

  it('reports non-JSON-RPC stdout lines and stderr lines without failing', async () => {
    const output: Array<[string, string]> = [];
    const b = backend('noisy-server.mjs', {
      args: [fixture('noisy-server.mjs'), '4096'],
      maxMessageBytes: 1024,
      onOutput: (stream, line) => output.push([stream, line]),
    });
    await b.transport.start();
    await until(() => b.messages.length === 1 && output.length === 3);
    expect(b.messages).toEqual([{ jsonrpc: '2.0', method: 'notifications/ready' }]);
    expect(output).toContainEqual(['stderr', 'starting up on stderr']);
    expect(output).toContainEqual(['stdout', 'Server v1.2 ready (not JSON)']);
    expect(output).toContainEqual([
      'stdout',
      '[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"b"}]',
    ]);
    expect(b.transport.stats.nonProtocolLines).toBe(2);
  });

  it('drops a stdout line over maxMessageBytes and reports message_too_large', async () => {
    const b = backend('noisy-server.mjs', {
      args: [fixture('noisy-server.mjs'), '4096'],
      maxMessageBytes: 1024,
    });
    await b.transport.start();
    await until(() => b.messages.length === 1);
    expect(b.transport.stats.oversizedFrames).toBe(1);
    expect(b.errors).toHaveLength(1);
    expect(b.errors[0]).toBeInstanceOf(SwitchyardError);
    expect((b.errors[0] as SwitchyardError).code).toBe('message_too_large');
    expect(b.errors[0]?.message).toContain('1024-byte limit');
  });

  it('refuses to send before start', async () => {
    const transport = new StdioBackendTransport({ command: process.execPath });
    const error = await transport.send({ jsonrpc: '2.0', method: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect((error as SwitchyardError).code).toBe('connection_closed');
  });

  it('reports the exit code when the process ends on its own, and refuses to send after', async () => {
    const b = backend('echo-server.mjs');
    await b.transport.start();
    await b.transport.send({ jsonrpc: '2.0', id: 1, method: 'exit', params: { code: 3 } });
    expect(await b.closed).toBe('process exited with code 3');
    const error = await b.transport
      .send({ jsonrpc: '2.0', id: 2, method: 'ping' })
      .catch((e: unknown) => e);
    expect((error as SwitchyardError).code).toBe('connection_closed');
  });
});

describe('StdioBackendTransport spawning', () => {
  it('fails with backend_unavailable for a command that does not exist', async () => {
    const errors: Error[] = [];
    const transport = new StdioBackendTransport({
      command: '/nonexistent/switchyard-no-such-server',
      baseEnv: process.env,
    });
    transport.onerror = (error) => errors.push(error);
    const error = await transport.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect((error as SwitchyardError).code).toBe('backend_unavailable');
    expect((error as SwitchyardError).message).toContain('/nonexistent/switchyard-no-such-server');
    expect((error as SwitchyardError).cause).toMatchObject({ code: 'ENOENT' });
    expect(errors).toEqual([error]);
  });

  it('fails with backend_unavailable for a command not on PATH', async () => {
    const transport = new StdioBackendTransport({
      command: 'switchyard-no-such-server-on-path',
      baseEnv: process.env,
    });
    const error = await transport.start().catch((e: unknown) => e);
    expect((error as SwitchyardError).code).toBe('backend_unavailable');
  });

  it('gives the child only allow-listed variables plus the configured ones', async () => {
    const canary = 'SWITCHYARD_TEST_CANARY';
    const b = backend('print-env.mjs', {
      baseEnv: { ...process.env, [canary]: 'must-not-leak', PATH: '/usr/bin:/bin' },
      env: { CONFIGURED: 'yes' },
      cwd: tmpdir(),
    });
    await b.transport.start();
    await until(() => b.messages.length === 1);
    const { env, cwd } = paramsOf<{ env: Record<string, string>; cwd: string }>(b.messages[0]);
    expect(env).not.toHaveProperty(canary);
    expect(env.CONFIGURED).toBe('yes');
    expect(env.PATH).toBe('/usr/bin:/bin');
    const allowed = new Set<string>([...DEFAULT_INHERITED_ENV, 'CONFIGURED']);
    expect(Object.keys(env).filter((name) => !allowed.has(name))).toEqual([]);
    expect(cwd).toBe(tmpdir());
  });

  it('passes a variable that the allow-list names', async () => {
    const b = backend('print-env.mjs', {
      baseEnv: { SWITCHYARD_TEST_CANARY: 'wanted', OTHER: 'no' },
      inheritEnv: ['SWITCHYARD_TEST_CANARY'],
    });
    await b.transport.start();
    await until(() => b.messages.length === 1);
    const { env } = paramsOf<{ env: Record<string, string> }>(b.messages[0]);
    expect(env).toEqual({ SWITCHYARD_TEST_CANARY: 'wanted' });
  });

  it('spawns through an injected spawn function with a detached process group', async () => {
    const calls: unknown[][] = [];
    const { spawn } = await import('node:child_process');
    const transport = new StdioBackendTransport({
      command: process.execPath,
      args: [fixture('echo-server.mjs')],
      env: { A: '1' },
      spawn: (command, args, options) => {
        calls.push([command, args, options]);
        return spawn(command, args, options);
      },
    });
    started.push(transport);
    await transport.start();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[2]).toMatchObject({
      detached: true,
      env: { A: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  });
});

describe('StdioBackendTransport.close', () => {
  it('closes stdin first, so a well-behaved server exits without a signal', async () => {
    // The grace periods run on a clock that never moves: close() can only settle because the
    // server exited when its stdin ended, before any signal was due.
    const clock = new ManualClock();
    const b = backend('echo-server.mjs', { closeGraceMs: 5_000, clock });
    await b.transport.start();
    await b.transport.close();
    expect(clock.now()).toBe(0);
    expect(clock.pending).toBe(0);
    expect(b.closes).toEqual(['closed']);
  });

  it('kills the whole process group, escalating to SIGKILL for what ignores SIGTERM', async () => {
    const clock = new RecordingClock();
    const b = backend('stubborn-server.mjs', { closeGraceMs: 150, clock });
    await b.transport.start();
    await until(() => b.messages.length === 1);
    const { leader, grandchild } = paramsOf<{ leader: number; grandchild: number }>(b.messages[0]);
    leftovers.push(leader, grandchild);
    expect(leader).toBe(b.transport.pid);
    expect(isAlive(grandchild)).toBe(true);

    let closed = false;
    const closing = b.transport.close().then(() => {
      closed = true;
    });
    // stdin ends first, with one grace period to exit in.
    await until(() => clock.waits.length === 1, 'the grace period after closing stdin');
    expect(clock.waits).toEqual([150]);
    clock.advance(150);
    // Then SIGTERM, which both ignore, with another grace period.
    await until(() => clock.waits.length === 2, 'the grace period after SIGTERM');
    expect(closed).toBe(false);
    expect(isAlive(leader)).toBe(true);
    clock.advance(150);
    // Only then SIGKILL, to the whole group.
    await closing;
    expect(b.closes).toEqual(['closed']);
    expect(isAlive(leader)).toBe(false);
    await expect.poll(() => isAlive(grandchild), { timeout: 2_000 }).toBe(false);
  });

  it('does not hang when the leader exits but a grandchild keeps its stdout open', async () => {
    const b = backend('stubborn-server.mjs', {
      args: [fixture('stubborn-server.mjs'), 'leader-exits'],
      closeGraceMs: 150,
    });
    await b.transport.start();
    await until(() => b.messages.length === 1);
    const { leader, grandchild } = paramsOf<{ leader: number; grandchild: number }>(b.messages[0]);
    leftovers.push(leader, grandchild);

    const closing = b.transport.close();
    const outcome = await Promise.race([
      closing.then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 5_000)),
    ]);
    expect(outcome).toBe('closed');
    await expect.poll(() => isAlive(grandchild), { timeout: 2_000 }).toBe(false);
  });

  it('is harmless before start and after the process has gone', async () => {
    await new StdioBackendTransport({ command: process.execPath }).close();
    const b = backend('echo-server.mjs');
    await b.transport.start();
    await b.transport.send({ jsonrpc: '2.0', id: 1, method: 'exit', params: { code: 0 } });
    await b.closed;
    await b.transport.close();
    await b.transport.close();
    expect(b.closes).toEqual(['process exited with code 0']);
  });
});
