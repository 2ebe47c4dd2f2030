import { describe, expect, it } from 'vitest';
import { createMessageValidator, formatIssue } from './schema-validator.js';

const text = { type: 'text', text: 'hello' };
const link = { type: 'resource_link', uri: 'demo://resource/static/document/a.md', name: 'a.md' };
const audio = { type: 'audio', data: 'AAAA', mimeType: 'audio/wav' };
const response = (result: unknown) => ({ jsonrpc: '2.0', id: 3, result });

describe('the per-revision message validator', () => {
  const v20241105 = createMessageValidator('2024-11-05');
  const v20251125 = createMessageValidator('2025-11-25');

  it('accepts a plain text tool result in every revision', () => {
    for (const revision of ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'] as const) {
      const validator = createMessageValidator(revision);
      expect(validator.validate(response({ content: [text] }), 'tools/call')).toEqual([]);
    }
  });

  it('rejects a resource_link block in a 2024-11-05 CallToolResult, naming the path and the type', () => {
    const issues = v20241105.validate(response({ content: [text, link] }), 'tools/call');
    expect(issues.map(formatIssue)).toEqual([
      'tools/call result CallToolResult /result/content/1/type anyOf: type "resource_link" is not defined in 2024-11-05; expected one of "text", "image", "resource"',
    ]);
    expect(v20251125.validate(response({ content: [text, link] }), 'tools/call')).toEqual([]);
  });

  it('checks a response against the result type of the request it answers', () => {
    expect(v20241105.validate(response({ content: [text] }), 'tools/list')).toEqual([
      expect.objectContaining({
        definition: 'ListToolsResult',
        path: '/result',
        keyword: 'required',
      }),
    ]);
    expect(v20241105.validate(response({}), 'nowhere/method')[0]?.keyword).toBe('method');
  });

  it('reports the errors of the branch a block was meant for', () => {
    const issues = v20241105.validate(
      response({ content: [{ type: 'image', data: 'AAAA' }] }),
      'tools/call',
    );
    expect(issues.map(formatIssue)).toEqual([
      "tools/call result CallToolResult /result/content/0 required: (ImageContent) must have required property 'mimeType'",
    ]);
  });

  it('knows which content types, notifications and errors each revision defines', () => {
    expect(v20241105.validate(response({ content: [audio] }), 'tools/call')).toHaveLength(1);
    const v20250326 = createMessageValidator('2025-03-26');
    expect(v20250326.validate(response({ content: [audio] }), 'tools/call')).toEqual([]);
    const complete = {
      jsonrpc: '2.0',
      method: 'notifications/elicitation/complete',
      params: { elicitationId: 'e1' },
    };
    expect(v20251125.validate(complete)).toEqual([]);
    expect(createMessageValidator('2025-06-18').validate(complete)[0]).toMatchObject({
      kind: 'notification',
      definition: 'ServerNotification',
      path: '/method',
      keyword: 'anyOf',
    });
    const error = { jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'bad' } };
    expect(v20241105.validate(error, 'tools/call')).toEqual([]);
    expect(v20241105.validate({ ...error, error: { code: 'x' } }, 'tools/call')).toHaveLength(2);
  });

  it('lists properties a revision does not define, which its schema nonetheless allows', () => {
    const result = response({ content: [text], structuredContent: { a: 1 } });
    expect(v20241105.validate(result, 'tools/call')).toEqual([]);
    expect(v20241105.undeclared(result, 'tools/call').map((issue) => issue.path)).toEqual([
      '/result/structuredContent',
    ]);
    expect(v20251125.undeclared(result, 'tools/call')).toEqual([]);
  });
});
