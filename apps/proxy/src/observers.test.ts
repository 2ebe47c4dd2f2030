import { Writable } from 'node:stream';
import { createLogger } from '@switchyard/logging';
import type { RouterObserver } from '@switchyard/router';
import { describe, expect, it } from 'vitest';
import { modernSharedObserver, recordAfterAnswers } from './observers.js';

type Completed = Parameters<NonNullable<RouterObserver['requestCompleted']>>[0];

const completed = (method: string): Completed => ({
  server: 'ev',
  method,
  status: 'ok',
  durationSeconds: 0.001,
});
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('recordAfterAnswers', () => {
  it('records completions after the turn that answered them, all of them, in order', async () => {
    const seen: string[] = [];
    const observer = recordAfterAnswers({ requestCompleted: (r) => seen.push(r.method) });
    observer.requestCompleted?.(completed('tools/call'));
    observer.requestCompleted?.(completed('resources/read'));
    // Microtasks, where a front writes its answer, run before anything is recorded.
    await Promise.resolve();
    expect(seen).toEqual([]);
    await nextTurn();
    expect(seen).toEqual(['tools/call', 'resources/read']);
    observer.requestCompleted?.(completed('prompts/get'));
    await nextTurn();
    expect(seen).toEqual(['tools/call', 'resources/read', 'prompts/get']);
  });

  it('passes every other hook through as it is, and an observer without the hook unchanged', () => {
    const refused: string[] = [];
    const requestRefused: RouterObserver['requestRefused'] = (r) => refused.push(r.reason);
    const observer = recordAfterAnswers({ requestCompleted: () => {}, requestRefused });
    expect(observer.requestRefused).toBe(requestRefused);
    const bare: RouterObserver = { requestRefused };
    expect(recordAfterAnswers(bare)).toBe(bare);
  });
});

describe('modernSharedObserver', () => {
  it('logs a warning naming the principal and the first program past the limit, cut short', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ format: 'json', stream });
    const observe = modernSharedObserver(logger);
    observe({ principal: 'ci', clientInfo: { name: 'n'.repeat(500), version: '2.0' }, limit: 32 });
    observe({ principal: undefined, clientInfo: undefined, limit: 32 });
    await logger.flush();
    const [first, second] = lines.map((line) => JSON.parse(line));
    expect(first).toMatchObject({
      level: 'warn',
      message: '2026-07-28 client programs over the limit share one session',
      principal: 'ci',
      limit: 32,
      client: 'n'.repeat(100),
      clientVersion: '2.0',
    });
    expect(second).toMatchObject({ level: 'warn', principal: null, client: null });
  });
});
