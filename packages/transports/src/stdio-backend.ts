import { type ChildProcess, spawn as nodeSpawn, type SpawnOptions } from 'node:child_process';
import {
  type Clock,
  type JsonRpcMessage,
  type MessageTransport,
  parseFrame,
  SwitchyardError,
  serializeMessage,
  systemClock,
} from '@switchyard/protocol';
import { LineSplitter } from './internal/line-splitter.js';

/**
 * Variables a backend inherits from the proxy's environment unless told otherwise
 * (docs/transports.md, "Backend side"): enough to find executables and a home directory, nothing
 * that tends to hold credentials.
 */
export const DEFAULT_INHERITED_ENV = [
  'HOME',
  'LOGNAME',
  'PATH',
  'SHELL',
  'TERM',
  'USER',
  'LANG',
  'LC_ALL',
  'TMPDIR',
  'TZ',
] as const;

/** A spawn function with Node's signature, injectable for tests. */
export type SpawnFunction = (
  command: string,
  args: readonly string[],
  options: SpawnOptions,
) => ChildProcess;

export interface StdioBackendOptions {
  command: string;
  args?: readonly string[];
  /** Set on top of the allow-listed inherited variables. */
  env?: Readonly<Record<string, string>>;
  /** The environment to inherit from (the proxy passes `process.env`); only allow-listed names pass. */
  baseEnv?: Readonly<Record<string, string | undefined>>;
  inheritEnv?: readonly string[];
  cwd?: string;
  /** Largest stdout frame accepted; larger ones are dropped and reported (`message_too_large`). */
  maxMessageBytes?: number;
  /** How long to wait after closing stdin, then after SIGTERM, before escalating. */
  closeGraceMs?: number;
  spawn?: SpawnFunction;
  /** A stderr line, or a stdout line that is not JSON-RPC (logged and counted, never fatal). */
  onOutput?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** The clock of the grace periods while closing. */
  clock?: Clock;
}

const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Builds a backend's environment: allow-listed inherited names, then the configured values. */
export function backendEnvironment(
  baseEnv: Readonly<Record<string, string | undefined>>,
  inherit: readonly string[],
  env: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of inherit) {
    const value = baseEnv[name];
    if (value !== undefined) out[name] = value;
  }
  return Object.assign(out, env);
}

/**
 * A backend MCP server run as a child process speaking newline-delimited JSON-RPC on stdio. The
 * child leads its own process group, so closing reaches everything it started (`npx` wrappers
 * included): stdin is closed first, then SIGTERM, then SIGKILL (MCP 2025-11-25, Basic: Lifecycle,
 * Shutdown, stdio). It fails with `backend_unavailable` when the command cannot be started, and a
 * send after the process has gone with `connection_closed`.
 */
export class StdioBackendTransport implements MessageTransport {
  onmessage?: (message: JsonRpcMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: (reason: string) => void;

  /** Counts stdout lines that were not JSON-RPC, and frames dropped for size. */
  readonly stats = { nonProtocolLines: 0, oversizedFrames: 0 };

  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  /** Set on the child's `close`: the leader has exited and nothing holds its stdio any more. */
  private gone = false;
  private closing = false;

  constructor(private readonly options: StdioBackendOptions) {}

  /** The child's process id once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const o = this.options;
    const spawn = o.spawn ?? nodeSpawn;
    const env = backendEnvironment(
      o.baseEnv ?? {},
      o.inheritEnv ?? DEFAULT_INHERITED_ENV,
      o.env ?? {},
    );
    const child = spawn(o.command, o.args ?? [], {
      cwd: o.cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      windowsHide: true,
    });
    this.child = child;
    const maxBytes = o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const stdout = new LineSplitter(
      maxBytes,
      (line) => this.receive(line),
      (bytes) => {
        this.stats.oversizedFrames++;
        this.onerror?.(
          new SwitchyardError(
            'message_too_large',
            `backend sent a message of at least ${bytes} bytes, over the ${maxBytes}-byte limit; dropped`,
          ),
        );
      },
    );
    const stderr = new LineSplitter(
      maxBytes,
      (line) => o.onOutput?.('stderr', line),
      () => {},
    );
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin?.on('error', (error) => this.onerror?.(error));
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.gone = true;
        resolve();
        const how = signal ? `signal ${signal}` : `code ${code}`;
        this.onclose?.(this.closing ? 'closed' : `process exited with ${how}`);
      });
    });
    let spawned = false;
    // Errors after start-up (a failed signal, a broken pipe) are reported, never thrown: an
    // 'error' event without a listener would take the whole proxy down.
    child.on('error', (error) => {
      if (spawned) this.onerror?.(error);
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => {
        spawned = true;
        resolve();
      });
      child.once('error', (error) => {
        const failure = new SwitchyardError(
          'backend_unavailable',
          `cannot start \`${o.command}\`: ${error.message}`,
          undefined,
          { cause: error },
        );
        reject(failure);
        this.onerror?.(failure);
      });
    });
  }

  private receive(line: string): void {
    const frame = parseFrame(line);
    if (!frame.ok || frame.batch) {
      this.stats.nonProtocolLines++;
      this.options.onOutput?.('stdout', line);
      return;
    }
    this.onmessage?.(frame.message);
  }

  send(message: JsonRpcMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable) {
      return Promise.reject(
        new SwitchyardError('connection_closed', 'backend process is not running'),
      );
    }
    const line = `${serializeMessage(message)}\n`;
    // Resolve on write() rather than its callback: the pipe buffers, and waiting for each flush
    // would serialise concurrent requests behind the child's read speed.
    stdin.write(line);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child || !this.exited) return;
    this.closing = true;
    const grace = this.options.closeGraceMs ?? 2000;
    const clock = this.options.clock ?? systemClock;
    const steps: Array<() => void> = [
      () => child.stdin?.end(),
      () => signalGroup(child, 'SIGTERM'),
      () => signalGroup(child, 'SIGKILL'),
    ];
    for (const step of steps) {
      // Not the leader's exit code: a grandchild that kept stdout open must be signalled too,
      // or `exited` would never settle.
      if (this.gone) break;
      step();
      if (await settlesWithin(this.exited, grace, clock)) break;
    }
    await this.exited;
    // The leader is gone; make sure nothing it started lingers in its group.
    signalGroup(child, 'SIGKILL');
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function settlesWithin(promise: Promise<void>, ms: number, clock: Clock): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(false), ms);
    promise.then(() => {
      clock.clearTimeout(timer);
      resolve(true);
    });
  });
}
