import type { RouterObserver } from '@switchyard/router';
import { describe, expect, it } from 'vitest';
import { recordAfterAnswers } from './observers.js';

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
