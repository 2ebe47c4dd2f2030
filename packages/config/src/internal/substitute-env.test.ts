// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the substitution syntax under test
import { describe, expect, it } from 'vitest';
import { substituteEnv, substituteString } from './substitute-env.js';

describe('substituteString', () => {
  const env = { HOST: 'example.com', EMPTY: '', PORT: '8080' };

  it('replaces ${VAR} with its value, several times in one string', () => {
    expect(substituteString('https://${HOST}:${PORT}/mcp', env)).toEqual({
      value: 'https://example.com:8080/mcp',
      errors: [],
    });
  });

  it('uses the default of ${VAR:-default} when the variable is unset or empty', () => {
    expect(substituteString('${MISSING:-http://localhost:8080}/sse', env).value).toBe(
      'http://localhost:8080/sse',
    );
    expect(substituteString('${EMPTY:-fallback}', env).value).toBe('fallback');
    expect(substituteString('${HOST:-fallback}', env).value).toBe('example.com');
    expect(substituteString('${MISSING:-}', env)).toEqual({ value: '', errors: [] });
  });

  it('keeps an empty value of a set variable for plain ${VAR}', () => {
    expect(substituteString('[${EMPTY}]', env)).toEqual({ value: '[]', errors: [] });
  });

  it('escapes a literal $ as $$', () => {
    expect(substituteString('price: $$5, literal $${HOST}', env)).toEqual({
      value: 'price: $5, literal ${HOST}',
      errors: [],
    });
  });

  it('leaves a $ that starts no substitution as written', () => {
    expect(substituteString('$HOME and 5$ and $', env).value).toBe('$HOME and 5$ and $');
  });

  it('fails on an unset variable without default, naming it', () => {
    expect(substituteString('Bearer ${TOKEN}', env).errors).toEqual([
      'environment variable TOKEN is not set (write `${TOKEN:-default}` to give a default)',
    ]);
  });

  it('fails on ${VAR:?message} with the message when unset or empty', () => {
    expect(substituteString('${TOKEN:?create a token first}', env).errors).toEqual([
      'environment variable TOKEN is required: create a token first',
    ]);
    expect(substituteString('${EMPTY:?}', env).errors).toEqual([
      'environment variable EMPTY is not set or empty',
    ]);
    expect(substituteString('${HOST:?unused}', env)).toEqual({ value: 'example.com', errors: [] });
  });

  it('reports malformed expressions', () => {
    expect(substituteString('${1BAD}', env).errors[0]).toMatch(
      /^invalid substitution `\$\{1BAD\}`/,
    );
    expect(substituteString('${HOST', env).errors[0]).toMatch(/^unterminated `\$\{`/);
  });

  it('collects every failure of one string', () => {
    expect(substituteString('${A}${B}', env).errors).toHaveLength(2);
  });

  it('expands ${secret:VAR} in every form and collects what it expanded to', () => {
    const secrets: string[] = [];
    const env2 = { ...env, PLAIN: 'not-by-name' };
    expect(substituteString('Bearer ${secret:PLAIN}', env2, secrets).value).toBe(
      'Bearer not-by-name',
    );
    expect(substituteString('${secret:MISSING:-fallback-key}', env2, secrets).value).toBe(
      'fallback-key',
    );
    expect(substituteString('${secret:MISSING:?set it}', env2, secrets).errors).toHaveLength(1);
    expect(secrets).toEqual(['not-by-name', 'fallback-key']);
  });

  it('collects the values of variables whose names look secret, unless ordinary', () => {
    const secrets: string[] = [];
    const env2 = { API_TOKEN: 'tok-42424242', TOKEN_TTL: '3600', LOG_LEVEL: 'info' };
    substituteString('${API_TOKEN} ${TOKEN_TTL} ${LOG_LEVEL} ${HOME:-/home/me}', env2, secrets);
    expect(secrets).toEqual(['tok-42424242']);
  });
});

describe('substituteEnv', () => {
  it('substitutes string values nested in maps and arrays, never keys or other types', () => {
    const input = {
      servers: {
        '${HOST}': { args: ['--host', '${HOST}', 3, true, null], env: { URL: 'http://${HOST}' } },
      },
      port: 3000,
    };
    expect(substituteEnv(input, { HOST: 'h' })).toEqual({
      value: {
        servers: { '${HOST}': { args: ['--host', 'h', 3, true, null], env: { URL: 'http://h' } } },
        port: 3000,
      },
      issues: [],
      secrets: [],
    });
  });

  it('reports each failure at the path of its string and keeps the text as written', () => {
    const { value, issues } = substituteEnv({ a: [{ b: '${X}' }], c: '${Y:-y}' }, {});
    expect(value).toEqual({ a: [{ b: '${X}' }], c: 'y' });
    expect(issues).toEqual([
      { path: ['a', 0, 'b'], message: expect.stringContaining('X is not set') },
    ]);
  });
});
