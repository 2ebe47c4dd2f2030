import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from './json-syntax.js';

describe('findJsonSyntaxError', () => {
  it('accepts valid JSON', () => {
    for (const text of [
      '{}',
      '[]',
      ' {"a": [1, -2.5e3, "x\\n\\u00e9", true, false, null]} ',
      '"s"',
      '0',
    ]) {
      expect(findJsonSyntaxError(text)).toBeUndefined();
    }
  });

  it.each([
    ['{"a": }', 6, 'unexpected character "}"'],
    ['{"a": 1,}', 7, 'trailing comma (not allowed in JSON)'],
    ['{"a" 1}', 5, "expected ':' after property name"],
    ['{"a": 1', 7, "expected ',' or '}' after property value"],
    ['[1, 2', 5, "expected ',' or ']' after array element"],
    ['{"a": tru}', 6, 'unexpected character "t"'],
    ['{"a": "x\n"}', 8, 'control character in string (write it as an escape)'],
    ['{a: 1}', 1, 'expected a double-quoted property name'],
    ['// note\n{}', 0, 'comments are not allowed in JSON'],
    ['{} x', 3, 'unexpected text after the JSON value'],
    ['', 0, 'unexpected end of input'],
    ['"\\x"', 1, 'invalid escape \\x in string'],
    ['-', 0, 'invalid number'],
  ])('locates the error in %j', (text, offset, message) => {
    expect(findJsonSyntaxError(text)).toEqual({ offset, message });
  });
});
