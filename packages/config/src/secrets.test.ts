// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the substitution syntax under test
import { describe, expect, it } from 'vitest';
import { normalizeConfig } from './normalize-config.js';
import {
  configSecrets,
  envSecrets,
  headerSecrets,
  isOrdinaryValue,
  isSecretName,
  isSensitiveHeader,
} from './secrets.js';

describe('isSecretName', () => {
  it.each([
    'API_TOKEN',
    'GITHUB_PERSONAL_ACCESS_TOKEN',
    'OPENAI_API_KEY',
    'apiKey',
    'APIKEY',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'DB_PASSWORD',
    'SMTP_PASSWD',
    'SMTP_PASS',
    'CLIENT_CREDENTIALS',
    'SESSION_COOKIE',
    'PRIVATE_KEY',
    'x-auth-token',
    'X-Api-Key',
    'WEBHOOK_SIGNATURE',
    'GH_PAT',
    'SENTRY_DSN',
  ])('%s names a secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    'LOG_LEVEL',
    'NODE_ENV',
    'PORT',
    'MEMORY_FILE_PATH',
    'GIT_AUTHOR_NAME',
    'KEYBOARD_LAYOUT',
    'TOKEN_URL',
    'SESSION_TIMEOUT',
    'AUTH_ENABLED',
    'PRIVATE_KEY_PATH',
    'TOKEN_LIMIT',
    'STRIPE_PUBLISHABLE_KEY',
    'X-Request-Id',
    'Accept',
    '',
  ])('%s does not', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});

describe('isSensitiveHeader', () => {
  it('knows the credential headers, whatever their case, and api-key-looking names', () => {
    for (const name of ['Authorization', 'cookie', 'Proxy-Authorization', 'X-Api-Key', 'Api-Key'])
      expect(isSensitiveHeader(name)).toBe(true);
    for (const name of ['Accept', 'User-Agent', 'X-Request-Id', 'Content-Type'])
      expect(isSensitiveHeader(name)).toBe(false);
  });
});

describe('isOrdinaryValue', () => {
  it.each([
    'info',
    'running',
    'true',
    'OFF',
    '3000',
    '30s',
    '/home/me/.ssh/id_rsa',
    './keys',
    '~/secrets',
    'C:\\keys',
    '/run/secrets/token.txt',
    'https://api.example.com/v1',
  ])('%s is ordinary', (value) => {
    expect(isOrdinaryValue(value)).toBe(true);
  });

  it.each([
    'hunter2-canary',
    'sk-abcdefghijklmnop',
    '/k3Jx9Qa2bZ',
    'https://user:pa55word@db.example.com',
    'https://api.example.com/?api_key=abcd1234',
  ])('%s is not', (value) => {
    expect(isOrdinaryValue(value)).toBe(false);
  });
});

describe('envSecrets and headerSecrets', () => {
  it('takes the value of a secret name unless it is ordinary', () => {
    expect(envSecrets('API_TOKEN', 'tok-123456')).toEqual(['tok-123456']);
    expect(envSecrets('AUTH_MODE', 'strict-mode')).toEqual([]);
    expect(envSecrets('MAX_TOKENS', '4096')).toEqual([]);
    expect(envSecrets('SESSION_STATE', 'running')).toEqual([]);
    expect(envSecrets('LOG_LEVEL', 'info')).toEqual([]);
  });

  it('finds credentials by their shape under any name', () => {
    expect(envSecrets('GH', 'ghp_0123456789abcdefghij')).toEqual(['ghp_0123456789abcdefghij']);
    expect(envSecrets('DATABASE_URL', 'postgres://app:s3cr3t-pw@db/app')).toContain('s3cr3t-pw');
    expect(envSecrets('UPSTREAM', 'https://x.example/?token=qwerty123')).toContain('qwerty123');
  });

  it('takes sensitive header values, the credential after the scheme and each cookie', () => {
    expect(headerSecrets('Authorization', 'Bearer abc123xyz')).toEqual(
      expect.arrayContaining(['Bearer abc123xyz', 'abc123xyz']),
    );
    expect(headerSecrets('Cookie', 'sid=s3ss10n; theme=dark-mode')).toEqual(
      expect.arrayContaining(['s3ss10n', 'dark-mode']),
    );
    expect(headerSecrets('X-Api-Key', 'k-998877')).toEqual(['k-998877']);
    expect(headerSecrets('Accept', 'application/json')).toEqual([]);
  });
});

describe('configSecrets', () => {
  it('collects every secret of every server and the dashboard key, nothing ordinary', () => {
    const config = normalizeConfig(
      {
        dashboard: { apiKey: 'dash-key-0001' },
        proxy: { apiKeys: [`sha256:${'a'.repeat(64)}`] },
        servers: {
          local: {
            command: 'node',
            args: ['server.js', '--api-key', 'arg-secret-01', '--verbose'],
            env: { API_TOKEN: 'env-secret-01', LOG_LEVEL: 'info', STATUS: 'running' },
          },
          remote: {
            url: 'https://docs.example.com/mcp?access_token=url-secret-01',
            headers: { Authorization: 'Bearer header-secret-01', Accept: 'text/plain' },
          },
          marked: { command: 'node', env: { MISC: '${secret:PLAIN}', OTHER: '${HOME_DIR}' } },
        },
      },
      { env: { PLAIN: 'marked-secret-01', HOME_DIR: '/home/me' } },
    );
    const secrets = configSecrets(config);
    expect(secrets).toEqual(
      expect.arrayContaining([
        'dash-key-0001',
        'arg-secret-01',
        'env-secret-01',
        'url-secret-01',
        'Bearer header-secret-01',
        'header-secret-01',
        'marked-secret-01',
      ]),
    );
    for (const ordinary of ['info', 'running', 'text/plain', '/home/me', 'node', '--verbose'])
      expect(secrets).not.toContain(ordinary);
    expect(secrets.some((s) => s.startsWith('sha256:'))).toBe(false);
  });

  it('marks in every dialect, since substitution happens before the dialect is read', () => {
    const env = { TOKEN_A: 'seed-secret-01', PLAIN: 'mcp-secret-01' };
    const seed = normalizeConfig(
      {
        servers: {
          a: { command: 'node', transport: { type: 'stdio' }, env: { X: '${TOKEN_A}' } },
        },
      },
      { env },
    );
    expect(seed.dialect).toBe('seed');
    expect(configSecrets(seed)).toContain('seed-secret-01');
    const mcp = normalizeConfig(
      { mcpServers: { a: { command: 'node', args: ['--x=${secret:PLAIN}'] } } },
      { env },
    );
    expect(configSecrets(mcp)).toContain('mcp-secret-01');
  });
});
