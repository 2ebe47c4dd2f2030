import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LEGACY_REVISIONS, type LegacyRevision } from '@switchyard/protocol';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';
import { createMessageValidator, formatIssue } from './schema-validator.js';

/**
 * The golden wire fixtures of `@switchyard/protocol` (each canonical message encoded for each
 * revision) checked against that revision's official schema, as messages the proxy sends: results
 * and notifications to clients, sampling and elicitation requests to clients. Nothing may fail
 * validation or carry a property the revision does not define.
 */
const goldenDir = join(repoRoot, 'packages/protocol/src/__fixtures__/golden');

/** The method each golden case is about, and how it travels (cases toward backends are left out). */
const CASES: Record<string, { method: string; kind: 'result' | 'request' | 'notification' }> = {
  'tools-list': { method: 'tools/list', kind: 'result' },
  'tools-call-all-content': { method: 'tools/call', kind: 'result' },
  'tools-call-structured': { method: 'tools/call', kind: 'result' },
  'tools-call-structured-without-twin': { method: 'tools/call', kind: 'result' },
  'prompts-list': { method: 'prompts/list', kind: 'result' },
  'prompts-get': { method: 'prompts/get', kind: 'result' },
  'resources-list': { method: 'resources/list', kind: 'result' },
  'resources-templates-list': { method: 'resources/templates/list', kind: 'result' },
  'resources-read': { method: 'resources/read', kind: 'result' },
  'completion-complete-result': { method: 'completion/complete', kind: 'result' },
  initialize: { method: 'initialize', kind: 'result' },
  'elicitation-form': { method: 'elicitation/create', kind: 'request' },
  'sampling-with-tools': { method: 'sampling/createMessage', kind: 'request' },
  progress: { method: 'notifications/progress', kind: 'notification' },
  'elicitation-complete': { method: 'notifications/elicitation/complete', kind: 'notification' },
};

type Json = Record<string, unknown>;

/** The JSON-RPC message a golden wire value is sent as, or undefined when nothing is sent. */
function envelope(kind: string, method: string, wire: Json | null): Json | undefined {
  if (wire === null) return undefined;
  if (kind === 'result') return { jsonrpc: '2.0', id: 1, result: wire };
  if (kind === 'notification') return wire;
  if ('refused' in wire) return undefined;
  return { jsonrpc: '2.0', id: 'switchyard-1', method, params: wire.params };
}

describe('golden wire fixtures validate against their revision', () => {
  it('covers every golden case but the ones sent to backends', () => {
    const files = readdirSync(join(goldenDir, '2025-11-25')).map((f) => f.replace(/\.json$/, ''));
    const toBackends = ['completion-complete-request', 'sampling-result-array'];
    expect(files.filter((f) => !toBackends.includes(f)).sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const revision of LEGACY_REVISIONS) {
    it(`${revision}: every message sent validates and carries nothing undefined`, () => {
      const validator = createMessageValidator(revision as LegacyRevision);
      const issues: string[] = [];
      let checked = 0;
      for (const [name, { method, kind }] of Object.entries(CASES)) {
        const golden = JSON.parse(readFileSync(join(goldenDir, revision, `${name}.json`), 'utf8'));
        const message = envelope(kind, method, golden.wire as Json | null);
        if (!message) continue;
        checked++;
        const request = kind === 'result' ? method : undefined;
        for (const issue of [
          ...validator.validate(message, request),
          ...validator.undeclared(message, request),
        ]) {
          issues.push(`${name}: ${formatIssue(issue)}`);
        }
      }
      expect(checked).toBeGreaterThanOrEqual(12);
      expect(issues).toEqual([]);
    });
  }
});
