import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { SecretSet } from '@switchyard/logging';
import type { RouterObserver } from '@switchyard/router';

/**
 * The append-only audit log (docs/operations.md, "Audit log"): one JSON line per tool call or admin
 * action. Each line has a sequence number and the hash of the line before it, so a deleted,
 * inserted or edited line breaks the chain ({@link verifyAuditLines}).
 */

/** `prev` of the first line of a log. */
export const AUDIT_GENESIS = `sha256:${'0'.repeat(64)}`;

/** An admin action: run-time control, a reload, a pin approval. */
export interface AdminAuditEvent {
  type: 'admin';
  /** `start`, `stop`, `restart`, `enable`, `disable`, `reload`, `approve`. */
  action: string;
  /** `api` (`/api`), `config` (a reload of the file). */
  via: string;
  server?: string;
  tool?: string;
  principal?: string;
  status: 'ok' | 'error';
  detail?: Record<string, unknown>;
}

/** A `tools/call` routed to a backend. */
export interface ToolCallAuditEvent {
  type: 'tool_call';
  principal: string | undefined;
  sessionId: string | undefined;
  server: string;
  tool: string;
  /** The hash of the tool's definition as last listed (docs/operations.md, "Tool pinning"). */
  definitionHash: string | undefined;
  status: string;
  durationMs: number;
  /** Their shape (keys and JSON types) unless the config asks for them in full. */
  arguments: unknown;
}

export type AuditEvent = AdminAuditEvent | ToolCallAuditEvent;

/** The keys and JSON types of a value, never its contents: `{ "path": "string", "n": "number" }`. */
export function shapeOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.map(shapeOf);
  if (typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, each]) => [key, shapeOf(each)]));
  return typeof value;
}

const hashOf = (line: string) => `sha256:${createHash('sha256').update(line).digest('hex')}`;

/**
 * Checks a log's lines (without their newlines): sequence numbers follow each other and each
 * `prev` is the hash of the line before. The first break found, or ok.
 */
export function verifyAuditLines(
  lines: readonly string[],
): { ok: true } | { ok: false; line: number; reason: string } {
  let prev: string | undefined;
  let seq: number | undefined;
  for (const [index, line] of lines.entries()) {
    let entry: { seq?: unknown; prev?: unknown };
    try {
      entry = JSON.parse(line) as { seq?: unknown; prev?: unknown };
    } catch {
      return { ok: false, line: index + 1, reason: 'not JSON' };
    }
    if (seq !== undefined && entry.seq !== seq + 1)
      return { ok: false, line: index + 1, reason: `seq ${String(entry.seq)} after ${seq}` };
    if (prev !== undefined && entry.prev !== prev)
      return { ok: false, line: index + 1, reason: 'prev is not the hash of the line before' };
    seq = Number(entry.seq);
    prev = hashOf(line);
  }
  return { ok: true };
}

export interface AuditLogOptions {
  /** The JSONL file; created with its directory on the first event. */
  file: string;
  now: () => number;
  /**
   * Past this size the file is rotated (`audit.jsonl.1`, `.2`, ...) before the next line; the
   * chain goes on in the new file. Default: never.
   */
  maxSizeBytes?: number;
  /** Rotated files kept besides the current one; older ones are deleted. Default 5. */
  maxFiles?: number;
  /** Redacted from every event before it is written (docs/operations.md, "Secrets"). */
  secrets: Pick<SecretSet, 'redactValue'>;
  onError(error: Error): void;
}

/**
 * One audit log file, appended to synchronously so that lines keep the order of events. A log
 * that already exists is continued: its last line gives the next sequence number and `prev`.
 */
export class AuditLog {
  private seq = 0;
  private prev = AUDIT_GENESIS;
  /**
   * The current file's size in bytes, kept here rather than asked of the file system at every
   * event: the proxy is the file's only writer, and a tool call should not cost extra syscalls.
   */
  private size: number;
  private directoryMade = false;

  constructor(private readonly options: AuditLogOptions) {
    const { file } = this.options;
    this.size = existsSync(file) ? statSync(file).size : 0;
    const last = this.linesOf(file).at(-1) ?? this.linesOf(`${file}.1`).at(-1);
    if (last === undefined) return;
    try {
      this.seq = Number((JSON.parse(last) as { seq?: unknown }).seq) || 0;
    } catch {
      // An unreadable last line still chains: the next line names its hash.
    }
    this.prev = hashOf(last);
  }

  /** Appends one event. */
  record(event: AuditEvent): void {
    const entry = {
      seq: this.seq + 1,
      time: new Date(this.options.now()).toISOString(),
      ...(this.options.secrets.redactValue(event) as AuditEvent),
      prev: this.prev,
    };
    const line = JSON.stringify(entry);
    try {
      if (!this.directoryMade) {
        mkdirSync(dirname(this.options.file), { recursive: true });
        this.directoryMade = true;
      }
      this.rotate(line.length + 1);
      appendFileSync(this.options.file, `${line}\n`);
      this.size += Buffer.byteLength(line) + 1;
      this.seq = entry.seq;
      this.prev = hashOf(line);
    } catch (error) {
      // A directory removed underneath is made again for the next event.
      this.directoryMade = false;
      this.options.onError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** The lines after sequence number `since` (all of them for 0), as written. */
  since(since: number): string[] {
    return this.lines().filter((line) => {
      try {
        return Number((JSON.parse(line) as { seq?: unknown }).seq) > since;
      } catch {
        return false;
      }
    });
  }

  /** Moves the file aside when `adding` bytes would take it past its size. */
  private rotate(adding: number): void {
    const { file, maxSizeBytes } = this.options;
    if (maxSizeBytes === undefined || this.size === 0 || this.size + adding <= maxSizeBytes) return;
    const kept = this.options.maxFiles ?? 5;
    rmSync(`${file}.${kept}`, { force: true });
    for (let n = kept - 1; n >= 1; n--)
      if (existsSync(`${file}.${n}`)) renameSync(`${file}.${n}`, `${file}.${n + 1}`);
    renameSync(file, `${file}.1`);
    this.size = 0;
  }

  /** Every line still kept, the rotated files' first (oldest to newest). */
  private lines(): string[] {
    const { file } = this.options;
    const rotated: string[] = [];
    for (let n = this.options.maxFiles ?? 5; n >= 1; n--) rotated.push(`${file}.${n}`);
    return [...rotated, file].flatMap((each) => this.linesOf(each));
  }

  private linesOf(file: string): string[] {
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  }
}

/**
 * The router's `toolCalled` observation as audit lines: arguments by shape unless `arguments` is
 * `full`, with the hash of the tool's definition as last listed.
 */
export function toolCallAuditor(
  audit: Pick<AuditLog, 'record'>,
  definitionHash: (server: string, tool: string) => string | undefined,
  args: 'shape' | 'full',
): NonNullable<RouterObserver['toolCalled']> {
  return (call) =>
    audit.record({
      type: 'tool_call',
      principal: call.principal,
      sessionId: call.sessionId,
      server: call.server,
      tool: call.tool,
      definitionHash: definitionHash(call.server, call.tool),
      status: call.status,
      durationMs: Math.round(call.durationSeconds * 1000 * 1000) / 1000,
      arguments: args === 'full' ? call.arguments : shapeOf(call.arguments),
    });
}
