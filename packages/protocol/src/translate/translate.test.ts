/**
 * Translation tests, starting with the golden wire fixtures under `../__fixtures__/golden/`: each
 * canonical message encoded for each revision, compared with the file checked in. A missing or
 * different file fails; to accept an intended change, rewrite them with
 * `UPDATE_GOLDEN=1 npx vitest run packages/protocol/src/translate/translate.test.ts` and review
 * the diff (docs/protocol-versions.md, "Tests").
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CANONICAL_CASES, type CanonicalCase } from '../__fixtures__/canonical-messages.js';
import { readGolden, updatingGolden } from '../__fixtures__/golden.js';
import type { JsonObject } from '../jsonrpc.js';
import { LEGACY_REVISIONS, type LegacyRevision } from '../revisions.js';
import {
  completeToolResult,
  type Hop,
  type TranslationEvent,
  translateClientCapabilities,
  translateNotification,
  translateRequest,
  translateResult,
} from './index.js';

function translate(c: CanonicalCase, hop: Hop): unknown {
  switch (c.kind) {
    case 'result':
      return translateResult(c.method, c.body, hop);
    case 'request':
      return translateRequest(c.method, c.body, hop);
    case 'notification':
      return (
        translateNotification({ jsonrpc: '2.0', method: c.method, params: c.body }, hop) ?? null
      );
  }
}

const goldenDir = fileURLToPath(new URL('../__fixtures__/golden/', import.meta.url));

describe('golden wire fixtures: each canonical message encoded for each revision', () => {
  for (const c of CANONICAL_CASES) {
    for (const to of LEGACY_REVISIONS) {
      it(`${c.name} → ${to}`, () => {
        const events: TranslationEvent[] = [];
        const hop: Hop = { from: '2025-11-25', to, report: (e) => events.push(e) };
        if (c.peerCapabilities) hop.peerCapabilities = c.peerCapabilities;
        const before = structuredClone(c.body);
        const wire = translate(c, hop);
        expect(c.body, 'the input is never modified').toEqual(before);
        const golden = {
          wire,
          events: events.map((e) => `${e.action} ${e.feature}`),
        };
        const actual = `${JSON.stringify(golden, null, 2)}\n`;
        expect(actual).toBe(readGolden(join(goldenDir, to, `${c.name}.json`), actual));
      });
    }
  }

  it('fails on a missing golden file unless asked to write it (UPDATE_GOLDEN=1, never in CI)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-golden-'));
    try {
      const file = join(dir, '2025-11-25', 'deleted.json');
      expect(() => readGolden(file, '{}\n', false)).toThrow(/golden file .* is missing/);
      expect(readGolden(file, '{}\n', true)).toBe('{}\n');
      expect(readFileSync(file, 'utf8')).toBe('{}\n');
      expect(updatingGolden({})).toBe(false);
      expect(updatingGolden({ UPDATE_GOLDEN: '1' })).toBe(true);
      expect(updatingGolden({ UPDATE_GOLDEN: '1', CI: 'true' })).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('translation rules', () => {
  const hop = (to: LegacyRevision, peerCapabilities?: JsonObject): Hop =>
    peerCapabilities ? { from: '2025-11-25', to, peerCapabilities } : { from: '2025-11-25', to };

  it('passes messages to the canonical revision through untouched (same object)', () => {
    for (const c of CANONICAL_CASES.filter((k) => k.kind === 'result')) {
      expect(translateResult(c.method, c.body, hop('2025-11-25'))).toBe(c.body);
    }
  });

  it('refuses URL-mode elicitation to clients whose revision or capabilities lack it', () => {
    const params = {
      mode: 'url',
      message: 'Sign in',
      url: 'https://example.org',
      elicitationId: 'x',
    };
    expect(translateRequest('elicitation/create', params, hop('2025-06-18'))).toHaveProperty(
      'refused',
    );
    expect(
      translateRequest('elicitation/create', params, hop('2025-11-25', { elicitation: {} })),
    ).toHaveProperty('refused');
    expect(
      translateRequest(
        'elicitation/create',
        params,
        hop('2025-11-25', { elicitation: { url: {} } }),
      ),
    ).toEqual({ params });
  });

  it('refuses a form whose required field the client cannot show', () => {
    const params = {
      message: 'Pick',
      requestedSchema: {
        type: 'object',
        properties: { tags: { type: 'array', items: { type: 'string', enum: ['a'] } } },
        required: ['tags'],
      },
    };
    expect(translateRequest('elicitation/create', params, hop('2025-06-18'))).toEqual({
      refused: 'field "tags" of the form cannot be shown to this client',
    });
  });

  it('keeps sampling tools for a 2025-11-25 client that declared them', () => {
    const params = { messages: [], maxTokens: 1, tools: [{ name: 't', inputSchema: {} }] };
    const withTools = translateRequest(
      'sampling/createMessage',
      params,
      hop('2025-11-25', { sampling: { tools: {} } }),
    );
    expect(withTools).toEqual({ params });
    const without = translateRequest(
      'sampling/createMessage',
      params,
      hop('2025-11-25', { sampling: {} }),
    );
    expect(without).toEqual({ params: { messages: [], maxTokens: 1 } });
  });

  it('declares to each backend only the client capabilities its revision defines', () => {
    const capabilities = {
      sampling: { tools: {} },
      elicitation: { form: {}, url: {} },
      roots: { listChanged: true },
      tasks: {},
    };
    expect(translateClientCapabilities(capabilities, hop('2024-11-05'))).toEqual({
      sampling: {},
      roots: { listChanged: true },
    });
    expect(translateClientCapabilities(capabilities, hop('2025-06-18'))).toEqual({
      sampling: {},
      elicitation: {},
      roots: { listChanged: true },
    });
    expect(translateClientCapabilities(capabilities, hop('2025-11-25'))).toEqual(capabilities);
  });

  it('keeps an existing text twin of structured content instead of adding another', () => {
    const result = {
      content: [{ type: 'text', text: '{ "b": [1, 2], "a": 1 }' }],
      structuredContent: { a: 1, b: [1, 2] },
    };
    expect(translateResult('tools/call', result, hop('2025-03-26'))).toEqual({
      content: result.content,
    });
  });
});

describe('translation of malformed input (fuzz, seeded)', () => {
  /** A small deterministic PRNG (mulberry32), so a failure replays. */
  function random(seed: number) {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const KEYS = [
    'content',
    'type',
    'text',
    'data',
    'mimeType',
    'uri',
    'name',
    'title',
    'icons',
    'annotations',
    'structuredContent',
    'tools',
    'prompts',
    'resources',
    'resourceTemplates',
    'messages',
    'arguments',
    'outputSchema',
    'execution',
    'requestedSchema',
    'properties',
    'oneOf',
    'required',
    'mode',
    'capabilities',
    'serverInfo',
    'message',
    'context',
    'lastModified',
  ];
  const TYPES = ['text', 'image', 'audio', 'resource', 'resource_link', 'tool_use', 'x', 3];

  function value(next: () => number, depth: number): unknown {
    const pick = next();
    if (depth > 4 || pick < 0.15)
      return [null, 1, 'x', true, TYPES[Math.floor(next() * 8)]][Math.floor(next() * 5)];
    if (pick < 0.35)
      return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
    const out: Record<string, unknown> = {};
    for (let i = Math.floor(next() * 5); i > 0; i--) {
      out[KEYS[Math.floor(next() * KEYS.length)] as string] = value(next, depth + 1);
    }
    return out;
  }

  it('never throws, never modifies its input, for 2,000 random messages per revision', () => {
    const next = random(20261125);
    const methods = [
      'tools/list',
      'tools/call',
      'prompts/list',
      'prompts/get',
      'resources/list',
      'resources/templates/list',
      'initialize',
      'sampling/createMessage',
      'elicitation/create',
      'completion/complete',
    ];
    for (let i = 0; i < 2000; i++) {
      const body = value(next, 0);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) continue;
      const before = structuredClone(body);
      const method = methods[i % methods.length] as string;
      for (const to of LEGACY_REVISIONS) {
        const hop: Hop = { from: '2025-11-25', to, peerCapabilities: { elicitation: { url: {} } } };
        translateResult(method, body as JsonObject, hop);
        translateRequest(method, body as JsonObject, hop);
        translateNotification(
          { jsonrpc: '2.0', method: 'notifications/progress', params: body as JsonObject },
          hop,
        );
      }
      expect(body).toEqual(before);
    }
  });
});

describe('completeToolResult (structured content a backend forgot)', () => {
  const text = (t: string) => ({ type: 'text', text: t });

  it('takes the one JSON object text block as the structured content', () => {
    const features: string[] = [];
    const result = {
      content: [text('{"a":1}'), { type: 'image', data: 'x', mimeType: 'image/png' }],
    };
    expect(completeToolResult(result, (f) => features.push(f))).toEqual({
      ...result,
      structuredContent: { a: 1 },
    });
    expect(features).toEqual(['result.structuredContent']);
  });

  it('leaves alone what already has it, errors, several texts, and text that is no JSON object', () => {
    const cases = [
      { content: [text('{"a":1}')], structuredContent: { b: 2 } },
      { content: [text('{"a":1}')], isError: true },
      { content: [text('{"a":1}'), text('{"b":2}')] },
      { content: [text('[1, 2]')] },
      { content: [text('not json')] },
      { content: 'odd' },
    ];
    for (const result of cases) expect(completeToolResult(result as JsonObject)).toBe(result);
  });
});
