import { ErrorCode } from '@switchyard/protocol';
import { describe, expect, it } from 'vitest';
import { settle } from './__fixtures__/fake-backend.js';
import { createHarness, echoCall, resultOf, toolsNamed } from './__fixtures__/router-harness.js';

describe('the backend of a call', () => {
  it('is looked up by name, without listing every backend', async () => {
    const h = await createHarness([
      {
        name: 'alpha',
        handlers: { 'tools/list': toolsNamed('x'), 'tools/call': echoCall('alpha') },
      },
      { name: 'beta' },
    ]);
    const client = h.client();
    await client.request('tools/list');
    const before = h.directory.listed;
    for (let i = 0; i < 3; i++) {
      expect(resultOf(await client.request('tools/call', { name: 'alpha__x' }))).toEqual({
        content: [{ type: 'text', text: 'alpha:x' }],
      });
    }
    expect(h.directory.listed - before).toBe(0);
  });
});

describe('unavailable backends', () => {
  it('names a failed backend, its state and its reason in a -32010 error', async () => {
    const h = await createHarness([{ name: 'alpha' }, { name: 'beta' }]);
    h.directory.update('beta', { state: 'failed', reason: 'process exited with code 127' });
    const response = await h.client().request('tools/call', { name: 'beta__search' });
    expect(response).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: ErrorCode.BackendUnavailable,
        message: 'Backend "beta" is unavailable (failed: process exited with code 127)',
        data: { server: 'beta', state: 'failed' },
      },
    });
  });

  it('names the reason when the backend connection has ended', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    h.backend('alpha').transport.drop('process exited with signal SIGKILL');
    const response = await h.client().request('tools/call', { name: 'alpha__x' });
    expect(response).toMatchObject({
      error: { code: ErrorCode.BackendUnavailable, data: { server: 'alpha' } },
    });
    expect('error' in response && response.error.message).toContain('SIGKILL');
  });

  it('fails in-flight calls with -32010 when their backend goes away', async () => {
    const h = await createHarness([{ name: 'alpha', handlers: { 'tools/call': () => undefined } }]);
    const response = h.client().request('tools/call', { name: 'alpha__slow' });
    await settle();
    h.backend('alpha').transport.drop('process exited with code 1');
    expect(await response).toMatchObject({
      error: { code: ErrorCode.BackendUnavailable, data: { server: 'alpha' } },
    });
  });

  it('says `removed` for a listed tool whose backend left the configuration', async () => {
    const h = await createHarness([{ name: 'alpha', handlers: { 'tools/list': toolsNamed('a') } }]);
    const client = h.client();
    await client.request('tools/list');
    h.directory.remove('alpha');
    expect(await client.request('tools/call', { name: 'alpha__a' })).toMatchObject({
      error: {
        code: ErrorCode.BackendUnavailable,
        data: { server: 'alpha', state: 'removed' },
      },
    });
  });

  it('waits for a backend that is still starting', async () => {
    const h = await createHarness([
      { name: 'alpha', handlers: { 'tools/call': echoCall('alpha') } },
    ]);
    let up: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      up = resolve;
    });
    h.directory.update('alpha', { state: 'starting', ready });
    const response = h.client().request('tools/call', { name: 'alpha__x' });
    await settle();
    h.directory.update('alpha', { state: 'running' });
    up();
    expect(resultOf(await response)).toEqual({ content: [{ type: 'text', text: 'alpha:x' }] });
  });

  it('stops waiting for a starting backend after startupWaitMs', async () => {
    const h = await createHarness([{ name: 'alpha' }], { startupWaitMs: 3_000 });
    h.directory.update('alpha', { state: 'starting', ready: new Promise(() => {}) });
    const response = h.client().request('tools/call', { name: 'alpha__x' });
    await settle();
    h.clock.advance(3_000);
    expect(await response).toMatchObject({
      error: { code: ErrorCode.BackendUnavailable, data: { server: 'alpha', state: 'starting' } },
    });
  });
});
