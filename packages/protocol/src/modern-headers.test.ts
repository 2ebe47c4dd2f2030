import { describe, expect, it } from 'vitest';
import {
  checkParamHeaders,
  decodeParamHeader,
  encodeParamHeader,
  hasValidParamHeaders,
  type ParamHeader,
  readParamHeaders,
} from './modern-headers.js';

const schema = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  ...extra,
});

describe('x-mcp-header declarations', () => {
  it('reads string, integer and boolean properties, nested ones by their properties chain', () => {
    const declared = readParamHeaders(
      schema({
        region: { type: 'string', 'x-mcp-header': 'Region' },
        priority: { type: 'integer', 'x-mcp-header': 'Priority' },
        options: schema({ verbose: { type: ['boolean', 'null'], 'x-mcp-header': 'Verbose' } }),
        query: { type: 'string' },
      }),
    );
    expect(declared).toEqual({
      valid: true,
      headers: [
        { path: ['region'], name: 'Region', type: 'string' },
        { path: ['priority'], name: 'Priority', type: 'integer' },
        { path: ['options', 'verbose'], name: 'Verbose', type: 'boolean' },
      ],
    });
  });

  it('finds none in a schema without declarations, and a property named x-mcp-header is none', () => {
    expect(readParamHeaders(schema({ 'x-mcp-header': { type: 'string' } }))).toEqual({
      valid: true,
      headers: [],
    });
    expect(readParamHeaders(undefined)).toEqual({ valid: true, headers: [] });
  });

  it.each([
    ['an empty name', schema({ a: { type: 'string', 'x-mcp-header': '' } })],
    ['a name that is not a token', schema({ a: { type: 'string', 'x-mcp-header': 'My Region' } })],
    ['a control character', schema({ a: { type: 'string', 'x-mcp-header': 'A\r\nB' } })],
    ['a non-string name', schema({ a: { type: 'string', 'x-mcp-header': 7 } })],
    ['a number property', schema({ a: { type: 'number', 'x-mcp-header': 'A' } })],
    ['an object property', schema({ a: { type: 'object', 'x-mcp-header': 'A' } })],
    ['a property without a type', schema({ a: { 'x-mcp-header': 'A' } })],
    [
      'two names equal but for case',
      schema({
        a: { type: 'string', 'x-mcp-header': 'Region' },
        b: { type: 'string', 'x-mcp-header': 'REGION' },
      }),
    ],
    [
      'a declaration under items',
      schema({ a: { type: 'array', items: { type: 'string', 'x-mcp-header': 'A' } } }),
    ],
    [
      'a declaration under anyOf',
      schema({}, { anyOf: [schema({ a: { type: 'string', 'x-mcp-header': 'A' } })] }),
    ],
    [
      'a declaration in $defs',
      schema({}, { $defs: { a: { type: 'string', 'x-mcp-header': 'A' } } }),
    ],
    ['a declaration on the root', { type: 'string', 'x-mcp-header': 'A' }],
  ])('makes the tool invalid with %s', (_what, inputSchema) => {
    expect(readParamHeaders(inputSchema)).toMatchObject({ valid: false });
    expect(hasValidParamHeaders({ name: 't', inputSchema })).toBe(false);
  });

  it('ignores the keyword inside data keywords such as default', () => {
    const declared = readParamHeaders(
      schema({ a: { type: 'object', default: { 'x-mcp-header': 'not a declaration' } } }),
    );
    expect(declared).toEqual({ valid: true, headers: [] });
  });
});

describe('Mcp-Param header values', () => {
  it('keeps plain ASCII and Base64-encodes the rest, as the spec table shows', () => {
    expect(encodeParamHeader('us-west1')).toBe('us-west1');
    expect(encodeParamHeader('us west 1')).toBe('us west 1');
    expect(encodeParamHeader(42)).toBe('42');
    expect(encodeParamHeader(false)).toBe('false');
    expect(encodeParamHeader('Hello, 世界')).toBe('=?base64?SGVsbG8sIOS4lueVjA==?=');
    expect(encodeParamHeader(' padded ')).toBe('=?base64?IHBhZGRlZCA=?=');
    expect(encodeParamHeader('line1\nline2')).toBe('=?base64?bGluZTEKbGluZTI=?=');
    expect(encodeParamHeader('=?base64?literal?=')).toBe('=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=');
  });

  it('decodes what it encodes', () => {
    for (const value of ['us-west1', 'Hello, 世界', ' padded ', 'line1\r\nline2', '\tindented']) {
      expect(decodeParamHeader(encodeParamHeader(value))).toBe(value);
    }
  });

  it('takes a value without the whole sentinel literally', () => {
    expect(decodeParamHeader('SGVsbG8=')).toBe('SGVsbG8=');
    expect(decodeParamHeader('=?base64?SGVsbG8=')).toBe('=?base64?SGVsbG8=');
  });

  it('refuses Base64 without its padding, with characters outside its alphabet, or not UTF-8', () => {
    expect(decodeParamHeader('=?base64?SGVsbG8?=')).toBeUndefined();
    expect(decodeParamHeader('=?base64?SGVs!!!bG8=?=')).toBeUndefined();
    expect(decodeParamHeader('=?base64?/w==?=')).toBeUndefined();
  });

  it('refuses a plain value with characters outside visible ASCII, space and tab', () => {
    expect(decodeParamHeader('caf\u00e9')).toBeUndefined();
    expect(decodeParamHeader('a\u0000b')).toBeUndefined();
  });
});

describe('checking Mcp-Param headers against the arguments', () => {
  const declared: ParamHeader[] = [
    { path: ['region'], name: 'Region', type: 'string' },
    { path: ['priority'], name: 'Priority', type: 'integer' },
    { path: ['verbose'], name: 'Verbose', type: 'boolean' },
  ];
  const headers =
    (sent: Record<string, string>) =>
    (name: string): string | undefined =>
      Object.entries(sent).find(([key]) => key.toLowerCase() === name)?.[1];

  it('accepts headers equal to the arguments, Base64-decoded, integers compared as numbers', () => {
    const refusal = checkParamHeaders(
      headers({
        'Mcp-Param-Region': '=?base64?SGVsbG8=?=',
        'Mcp-Param-Priority': '42.0',
        'Mcp-Param-Verbose': 'true',
      }),
      declared,
      { region: 'Hello', priority: 42, verbose: true, query: 'not mirrored' },
    );
    expect(refusal).toBeUndefined();
  });

  it('expects no header for an argument that is absent or null', () => {
    expect(
      checkParamHeaders(headers({ 'Mcp-Param-Region': 'eu' }), declared, {
        region: 'eu',
        verbose: null,
      }),
    ).toBeUndefined();
  });

  it.each([
    ['a missing header', {}, { region: 'eu' }],
    ['a different value', { 'Mcp-Param-Region': 'us' }, { region: 'eu' }],
    ['a different number', { 'Mcp-Param-Priority': '7' }, { priority: 8 }],
    ['an empty header for a number', { 'Mcp-Param-Priority': '' }, { priority: 0 }],
    ['a boolean in another case', { 'Mcp-Param-Verbose': 'TRUE' }, { verbose: true }],
    ['invalid Base64', { 'Mcp-Param-Region': '=?base64?SGVsbG8?=' }, { region: 'Hello' }],
    ['a header without its argument', { 'Mcp-Param-Region': 'eu' }, {}],
    ['an argument that is not a primitive', { 'Mcp-Param-Region': 'eu' }, { region: ['eu'] }],
  ])('refuses %s with header_mismatch', (_what, sent, args) => {
    expect(checkParamHeaders(headers(sent), declared, args)).toMatchObject({
      name: 'header_mismatch',
    });
  });
});
