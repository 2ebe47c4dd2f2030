import type { JsonObject } from '../jsonrpc.js';

/** One canonical (2025-11-25) message and how it travels: the input of the golden wire tests. */
export interface CanonicalCase {
  name: string;
  kind: 'result' | 'request' | 'notification';
  method: string;
  /** The result, or the params of a request or notification. */
  body: JsonObject;
  /** The receiving peer's capabilities, for requests toward a client. */
  peerCapabilities?: JsonObject;
}

const png =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const icon = { src: `data:image/png;base64,${png}`, mimeType: 'image/png', sizes: ['1x1'] };

/** Every content type of the canonical revision, in one list. */
const allContent: JsonObject[] = [
  { type: 'text', text: 'hello', annotations: { audience: ['user'], priority: 0.5 } },
  { type: 'image', data: png, mimeType: 'image/png' },
  { type: 'audio', data: 'UklGRg==', mimeType: 'audio/wav' },
  {
    type: 'resource',
    resource: { uri: 'test://doc', mimeType: 'text/plain', text: 'embedded' },
    annotations: { lastModified: '2025-11-25T00:00:00Z' },
  },
  {
    type: 'resource_link',
    uri: 'file:///notes.md',
    name: 'notes',
    title: 'Meeting notes',
    description: 'Notes of Monday',
    mimeType: 'text/markdown',
    icons: [icon],
  },
];

export const CANONICAL_CASES: readonly CanonicalCase[] = [
  {
    name: 'tools-list',
    kind: 'result',
    method: 'tools/list',
    body: {
      tools: [
        {
          name: 'weather',
          title: 'Weather',
          description: 'Current weather',
          inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
          outputSchema: { type: 'object', properties: { celsius: { type: 'number' } } },
          annotations: { readOnlyHint: true, openWorldHint: true },
          icons: [icon],
          execution: { taskSupport: 'optional' },
        },
        {
          name: 'plain',
          description: 'A tool as old as the protocol',
          inputSchema: { type: 'object' },
        },
        {
          name: 'titled-twice',
          title: 'Display title',
          inputSchema: { type: 'object' },
          annotations: { title: 'Annotation title' },
        },
      ],
      nextCursor: 'abc',
    },
  },
  {
    name: 'tools-call-all-content',
    kind: 'result',
    method: 'tools/call',
    body: { content: allContent },
  },
  {
    name: 'tools-call-structured',
    kind: 'result',
    method: 'tools/call',
    body: {
      content: [{ type: 'text', text: '{"celsius": 21.5}' }],
      structuredContent: { celsius: 21.5 },
    },
  },
  {
    name: 'tools-call-structured-without-twin',
    kind: 'result',
    method: 'tools/call',
    body: { content: [], structuredContent: { celsius: 21.5 }, isError: false },
  },
  {
    name: 'prompts-list',
    kind: 'result',
    method: 'prompts/list',
    body: {
      prompts: [
        {
          name: 'review',
          title: 'Code review',
          icons: [icon],
          arguments: [{ name: 'file', title: 'File', required: true }],
        },
      ],
    },
  },
  {
    name: 'prompts-get',
    kind: 'result',
    method: 'prompts/get',
    body: {
      description: 'A prompt with every content type',
      messages: allContent.map((content, i) => ({
        role: i % 2 === 0 ? 'user' : 'assistant',
        content,
      })),
    },
  },
  {
    name: 'resources-list',
    kind: 'result',
    method: 'resources/list',
    body: {
      resources: [
        {
          uri: 'test://doc',
          name: 'doc',
          title: 'Document',
          mimeType: 'text/plain',
          size: 8,
          icons: [icon],
          annotations: { audience: ['assistant'], lastModified: '2025-11-25T00:00:00Z' },
        },
      ],
    },
  },
  {
    name: 'resources-templates-list',
    kind: 'result',
    method: 'resources/templates/list',
    body: {
      resourceTemplates: [
        { uriTemplate: 'test://items/{id}', name: 'item', title: 'Item', icons: [icon] },
      ],
    },
  },
  {
    name: 'resources-read',
    kind: 'result',
    method: 'resources/read',
    body: { contents: [{ uri: 'test://doc', mimeType: 'text/plain', text: 'embedded' }] },
  },
  {
    name: 'completion-complete-result',
    kind: 'result',
    method: 'completion/complete',
    body: { completion: { values: ['paris', 'padua'], total: 2, hasMore: false } },
  },
  {
    name: 'initialize',
    kind: 'result',
    method: 'initialize',
    body: {
      protocolVersion: '2025-11-25',
      capabilities: {
        tools: { listChanged: true },
        prompts: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        logging: {},
        completions: {},
      },
      serverInfo: {
        name: 'switchyard',
        title: 'Switchyard',
        version: '0.1.0',
        description: 'MCP proxy',
        websiteUrl: 'https://example.org',
        icons: [icon],
      },
      instructions: '## files\nUse the files server for reading.',
    },
  },
  {
    name: 'completion-complete-request',
    kind: 'request',
    method: 'completion/complete',
    body: {
      ref: { type: 'ref/prompt', name: 'review' },
      argument: { name: 'file', value: 'src/' },
      context: { arguments: { language: 'ts' } },
    },
  },
  {
    name: 'elicitation-form',
    kind: 'request',
    method: 'elicitation/create',
    peerCapabilities: { elicitation: {} },
    body: {
      mode: 'form',
      message: 'Book a table',
      requestedSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', title: 'Name', default: 'Ada' },
          guests: { type: 'integer', minimum: 1, default: 2 },
          terrace: { type: 'boolean', default: false },
          time: {
            type: 'string',
            title: 'Time',
            oneOf: [
              { const: '19', title: '7 pm' },
              { const: '21', title: '9 pm' },
            ],
            default: '19',
          },
          diet: {
            type: 'array',
            items: { type: 'string', enum: ['vegan', 'halal'] },
          },
          legacy: { type: 'string', enum: ['a', 'b'], enumNames: ['A', 'B'] },
        },
        required: ['name', 'time'],
      },
    },
  },
  {
    name: 'sampling-with-tools',
    kind: 'request',
    method: 'sampling/createMessage',
    peerCapabilities: { sampling: {} },
    body: {
      messages: [
        { role: 'user', content: { type: 'text', text: 'Listen to this' } },
        { role: 'user', content: { type: 'audio', data: 'UklGRg==', mimeType: 'audio/wav' } },
      ],
      maxTokens: 100,
      includeContext: 'thisServer',
      tools: [{ name: 'search', inputSchema: { type: 'object' } }],
      toolChoice: { mode: 'auto' },
    },
  },
  {
    name: 'sampling-result-array',
    kind: 'result',
    method: 'sampling/createMessage',
    body: {
      role: 'assistant',
      model: 'test-model',
      content: [
        { type: 'text', text: 'first' },
        { type: 'text', text: 'second' },
      ],
    },
  },
  {
    name: 'progress',
    kind: 'notification',
    method: 'notifications/progress',
    body: { progressToken: 7, progress: 1, total: 4, message: 'one of four' },
  },
  {
    name: 'elicitation-complete',
    kind: 'notification',
    method: 'notifications/elicitation/complete',
    body: { elicitationId: 'e-1' },
  },
];
