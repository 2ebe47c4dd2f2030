import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretSet } from '@switchyard/logging';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AUDIT_GENESIS,
  AuditLog,
  shapeOf,
  toolCallAuditor,
  verifyAuditLines,
} from './audit-log.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function auditFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-audit-'));
  dirs.push(dir);
  return join(dir, 'state', 'audit.jsonl');
}
const open = (file: string, secrets: string[] = []) =>
  new AuditLog({
    file,
    now: () => Date.UTC(2026, 0, 1),
    secrets: createSecretSet(secrets),
    onError: (error) => {
      throw error;
    },
  });
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);
const admin = (action: string) =>
  ({ type: 'admin', action, via: 'api', server: 'a', status: 'ok' }) as const;

describe('shapeOf', () => {
  it('keeps keys and JSON types, never values', () => {
    expect(
      shapeOf({ path: '/home/me/.ssh/id_rsa', n: 3, ok: true, none: null, list: ['x', 1], o: {} }),
    ).toEqual({
      path: 'string',
      n: 'number',
      ok: 'boolean',
      none: 'null',
      list: ['string', 'number'],
      o: {},
    });
    expect(JSON.stringify(shapeOf({ token: 'hunter2' }))).not.toContain('hunter2');
    expect(shapeOf(undefined)).toBe('undefined');
  });
});

describe('AuditLog', () => {
  it('writes one JSON line per event with a sequence number and the hash of the line before', () => {
    const file = auditFile();
    const log = open(file);
    log.record(admin('start'));
    log.record(admin('stop'));
    const [first, second] = lines(file).map((line) => JSON.parse(line));
    expect(first).toMatchObject({
      seq: 1,
      time: '2026-01-01T00:00:00.000Z',
      type: 'admin',
      action: 'start',
      prev: AUDIT_GENESIS,
    });
    expect(second).toMatchObject({
      seq: 2,
      action: 'stop',
      prev: expect.stringMatching(/^sha256:/),
    });
    expect(verifyAuditLines(lines(file))).toEqual({ ok: true });
  });

  it('the chain detects a deleted line and an edited one', () => {
    const file = auditFile();
    const log = open(file);
    for (const action of ['start', 'stop', 'restart', 'enable']) log.record(admin(action));
    const all = lines(file);
    expect(verifyAuditLines([...all.slice(0, 1), ...all.slice(2)])).toMatchObject({
      ok: false,
      line: 2,
    });
    const edited = [...all];
    edited[1] = (edited[1] ?? '').replace('"stop"', '"start"');
    expect(verifyAuditLines(edited)).toMatchObject({ ok: false, line: 3 });
  });

  it('continues an existing log: the chain holds across a restart of the proxy', () => {
    const file = auditFile();
    open(file).record(admin('start'));
    open(file).record(admin('stop'));
    expect(lines(file).map((line) => JSON.parse(line).seq)).toEqual([1, 2]);
    expect(verifyAuditLines(lines(file))).toEqual({ ok: true });
  });

  it('exports the lines after a sequence number', () => {
    const file = auditFile();
    const log = open(file);
    for (const action of ['start', 'stop', 'restart']) log.record(admin(action));
    expect(log.since(0)).toHaveLength(3);
    expect(log.since(2).map((line) => JSON.parse(line).action)).toEqual(['restart']);
  });

  it('never writes a secret, whatever field it is in', () => {
    const file = auditFile();
    const log = open(file, ['s3cr3t-token-value']);
    const record = toolCallAuditor(log, () => 'sha256:abc', 'full');
    record({
      server: 'a',
      tool: 'call',
      principal: 'anonymous',
      sessionId: 's1',
      arguments: { auth: 's3cr3t-token-value' },
      status: 'ok',
      durationSeconds: 0.002,
    });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('s3cr3t-token-value');
    expect(JSON.parse(text)).toMatchObject({ definitionHash: 'sha256:abc', durationMs: 2 });
  });

  it('keeps only the shape of tool arguments unless told otherwise', () => {
    const file = auditFile();
    const log = open(file);
    toolCallAuditor(
      log,
      () => undefined,
      'shape',
    )({
      server: 'a',
      tool: 'read',
      principal: undefined,
      sessionId: undefined,
      arguments: { path: '/etc/passwd' },
      status: 'error',
      durationSeconds: 0,
    });
    expect(readFileSync(file, 'utf8')).not.toContain('/etc/passwd');
    expect(JSON.parse(lines(file)[0] ?? '{}').arguments).toEqual({ path: 'string' });
  });

  it('starts a chain after an unreadable file without losing it', () => {
    const file = auditFile();
    open(file).record(admin('start'));
    writeFileSync(file, `${readFileSync(file, 'utf8')}garbage\n`);
    open(file).record(admin('stop'));
    expect(JSON.parse(lines(file)[2] ?? '{}').prev).toMatch(/^sha256:/);
  });

  it('rotates by size, keeps the chain across files, and exports every kept line', () => {
    const file = auditFile();
    const log = new AuditLog({
      file,
      now: () => 0,
      secrets: createSecretSet([]),
      maxSizeBytes: 400,
      maxFiles: 2,
      onError: (error) => {
        throw error;
      },
    });
    for (let n = 0; n < 12; n++) log.record(admin(`action-${n}`));
    expect(existsSync(`${file}.1`)).toBe(true);
    expect(existsSync(`${file}.3`)).toBe(false);
    const kept = log.since(0);
    const seqs = kept.map((line) => JSON.parse(line).seq as number);
    expect(seqs.at(-1)).toBe(12);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));
    expect(seqs[0]).toBeGreaterThan(1);
    expect(verifyAuditLines(kept)).toEqual({ ok: true });
    expect(lines(file).length).toBeLessThan(12);
  });
});
