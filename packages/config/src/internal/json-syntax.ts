/** The first syntax error of a JSON text: its character offset and a one-line explanation. */
export type JsonSyntaxError = { offset: number; message: string };

class Failure {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = '"\\/bfnrt';
const HEX4 = /^[0-9a-fA-F]{4}$/;

/**
 * Finds where a JSON text stops being valid (RFC 8259). `JSON.parse` does not report a position for
 * every error on every Node version, and every configuration error names a line and column.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let index = 0;

  const fail = (message: string): never => {
    throw new Failure(index, message);
  };
  const describe = (char: string | undefined): string =>
    char === undefined ? 'end of input' : `character ${JSON.stringify(char)}`;
  const skipWhitespace = (): void => {
    while (index < text.length && ' \t\n\r'.includes(text.charAt(index))) index++;
  };
  const expect = (char: string, message: string): void => {
    skipWhitespace();
    if (text[index] !== char) fail(message);
    index++;
  };

  const parseString = (): void => {
    index++;
    for (;;) {
      const char = text[index];
      if (char === undefined) fail('unterminated string');
      else if (char === '"') {
        index++;
        return;
      } else if (char === '\\') {
        const escaped = text.charAt(index + 1);
        if (escaped === 'u') {
          if (!HEX4.test(text.slice(index + 2, index + 6))) fail('invalid \\u escape in string');
          index += 6;
        } else if (ESCAPES.includes(escaped) && escaped !== '') index += 2;
        else fail(`invalid escape \\${escaped} in string`);
      } else if (char < ' ') fail('control character in string (write it as an escape)');
      else index++;
    }
  };

  const parseLiteral = (word: string): void => {
    if (text.startsWith(word, index)) index += word.length;
    else fail(`unexpected ${describe(text[index])}`);
  };

  const parseNumber = (): void => {
    NUMBER.lastIndex = index;
    if (!NUMBER.test(text)) fail('invalid number');
    index = NUMBER.lastIndex;
  };

  const parseMembers = (close: '}' | ']', member: () => void, what: string): void => {
    index++;
    skipWhitespace();
    if (text[index] === close) {
      index++;
      return;
    }
    for (;;) {
      member();
      skipWhitespace();
      const char = text[index];
      if (char === close) {
        index++;
        return;
      }
      if (char !== ',') fail(`expected ',' or '${close}' after ${what}`);
      const comma = index;
      index++;
      skipWhitespace();
      if (text[index] === close) {
        index = comma;
        fail('trailing comma (not allowed in JSON)');
      }
    }
  };

  const parseValue = (): void => {
    skipWhitespace();
    const char = text[index];
    if (char === '{') {
      parseMembers(
        '}',
        () => {
          skipWhitespace();
          if (text[index] !== '"') fail('expected a double-quoted property name');
          parseString();
          expect(':', "expected ':' after property name");
          parseValue();
        },
        'property value',
      );
    } else if (char === '[') parseMembers(']', parseValue, 'array element');
    else if (char === '"') parseString();
    else if (char === 't') parseLiteral('true');
    else if (char === 'f') parseLiteral('false');
    else if (char === 'n') parseLiteral('null');
    else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) parseNumber();
    else if (char === '/') fail('comments are not allowed in JSON');
    else fail(`unexpected ${describe(char)}`);
  };

  try {
    parseValue();
    skipWhitespace();
    if (index < text.length) fail('unexpected text after the JSON value');
    return undefined;
  } catch (error) {
    if (error instanceof Failure) return { offset: error.offset, message: error.message };
    throw error;
  }
}
