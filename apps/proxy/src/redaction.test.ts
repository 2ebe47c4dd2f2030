import { createSecretSet } from '@switchyard/logging';
import type { JsonRpcMessage, MessageTransport } from '@switchyard/protocol';
import { describe, expect, it } from 'vitest';
import { redactedServer, redactingTransport } from './redaction.js';

const SECRET = 'backend-secret-42';

/** A transport that delivers what the test hands it. */
function fakeTransport(): MessageTransport & { deliver(message: JsonRpcMessage): void } {
  const transport = {
    start: async () => {},
    send: async () => {},
    close: async () => {},
    deliver: (message: JsonRpcMessage) => transport.onmessage?.(message),
  } as MessageTransport & { deliver(message: JsonRpcMessage): void };
  return transport;
}

describe('redactingTransport', () => {
  it("redacts a backend's error answers, log messages and close reason, and nothing else", () => {
    const inner = fakeTransport();
    const outer = redactingTransport(inner, createSecretSet([SECRET]));
    const seen: JsonRpcMessage[] = [];
    const closed: string[] = [];
    outer.onmessage = (message) => seen.push(message);
    outer.onclose = (reason) => closed.push(reason);
    const result = { jsonrpc: '2.0', id: 2, result: { text: SECRET } } as const;
    inner.deliver({ jsonrpc: '2.0', id: 1, error: { code: -1, message: `bad ${SECRET}` } });
    inner.deliver({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'info', data: { token: SECRET } },
    });
    inner.deliver(result);
    inner.onclose?.(`exited: ${SECRET}`);
    expect(seen).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: -1, message: 'bad [redacted]' } },
      {
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { level: 'info', data: { token: '[redacted]' } },
      },
      result,
    ]);
    expect(seen[2]).toBe(result);
    expect(closed).toEqual(['exited: [redacted]']);
  });

  it('keeps the protocol-version hook of the transport it wraps', () => {
    const inner = fakeTransport();
    const versions: string[] = [];
    inner.setProtocolVersion = (revision) => versions.push(revision);
    redactingTransport(inner, createSecretSet()).setProtocolVersion?.('2025-11-25');
    expect(versions).toEqual(['2025-11-25']);
    expect(redactingTransport(fakeTransport(), createSecretSet()).setProtocolVersion).toBe(
      undefined,
    );
  });
});

describe('redactedServer', () => {
  it('redacts tool results and resource texts of an in-process server', async () => {
    const server = redactedServer(
      {
        name: 'x',
        version: '1',
        tools: [
          {
            name: 't',
            description: '',
            inputSchema: {},
            call: async () => ({ content: [{ type: 'text', text: `a ${SECRET}` }] }),
          },
        ],
        resources: [
          {
            uri: 'x://r',
            name: 'r',
            description: '',
            mimeType: 'text/plain',
            read: async () => SECRET,
          },
        ],
      },
      createSecretSet([SECRET]),
    );
    expect(await server.tools[0]?.call({})).toEqual({
      content: [{ type: 'text', text: 'a [redacted]' }],
    });
    expect(await server.resources[0]?.read()).toBe('[redacted]');
  });
});
