import { BACKEND_STATES } from '@switchyard/protocol';
import type { SwitchyardConfig, TransportConfig } from './model.js';

/*
 * What counts as a secret of a configuration (docs/operations.md, "Secrets"): the one place that
 * decides it. The proxy redacts every value found here, as a whole token, wherever it writes.
 */

/** Name parts that name a secret on their own (`API_KEY`, `GITHUB_TOKEN`, `X-Auth-Token`). */
const SECRET_PARTS = new Set([
  'auth',
  'authorization',
  'bearer',
  'cookie',
  'cred',
  'creds',
  'credential',
  'dsn',
  'jwt',
  'key',
  'oauth',
  'pass',
  'passphrase',
  'passwd',
  'password',
  'pat',
  'private',
  'pwd',
  'secret',
  'session',
  'sig',
  'signature',
  'token',
]);

/** Pieces that make a secret name even inside a longer part (`APIKEY`, `ACCESSTOKEN`). */
const SECRET_STEMS = [
  'token',
  'secret',
  'passw',
  'passphrase',
  'credential',
  'apikey',
  'accesskey',
  'privatekey',
  'cookie',
  'signature',
  'authorization',
];

/**
 * A last part that names something about a secret rather than the secret itself
 * (`TOKEN_URL`, `SESSION_TIMEOUT`, `AUTH_ENABLED`, `PRIVATE_KEY_PATH`).
 */
const QUALIFIER_PARTS = new Set([
  'age',
  'alg',
  'algorithm',
  'audience',
  'count',
  'dir',
  'directory',
  'disable',
  'disabled',
  'enable',
  'enabled',
  'endpoint',
  'expiry',
  'expires',
  'file',
  'folder',
  'format',
  'host',
  'interval',
  'issuer',
  'kind',
  'length',
  'level',
  'limit',
  'location',
  'max',
  'method',
  'min',
  'mode',
  'name',
  'path',
  'port',
  'provider',
  'scope',
  'size',
  'strategy',
  'timeout',
  'ttl',
  'type',
  'uri',
  'url',
  'version',
]);

/** Parts that say the value is meant to be public (`STRIPE_PUBLISHABLE_KEY`). */
const PUBLIC_PARTS = new Set(['public', 'publishable']);

/** Header names whose values are credentials whatever the name parts say. */
const SENSITIVE_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
]);

/** Words that are never secrets, whatever they are the value of: states, levels, booleans. */
const ORDINARY_WORDS = new Set<string>([
  ...BACKEND_STATES,
  'true',
  'false',
  'yes',
  'no',
  'on',
  'off',
  'null',
  'none',
  'nil',
  'undefined',
  'auto',
  'default',
  'enabled',
  'disabled',
  'error',
  'warn',
  'warning',
  'info',
  'debug',
  'trace',
  'fatal',
  'silent',
  'verbose',
  'production',
  'development',
  'staging',
  'test',
  'local',
]);

/** A number, possibly with a unit: `3000`, `1.5`, `30s`, `512mb`, `80%`. */
const NUMBER = /^[+-]?\d+(?:\.\d+)?(?:ms|s|m|h|d|w|b|k|kb|mb|gb|tb|kib|mib|gib|%)?$/i;
/** Directories a path typically starts from; a random key starting with one is implausible. */
const PATH_ROOTS = /^\/(?:home|etc|var|tmp|usr|opt|srv|mnt|run|root|Users|Library|private|data)\//;
/** A credential with an authentication scheme: `Bearer <token>`, `Basic <base64>`. */
const SCHEME = /^(?:bearer|basic|token|digest|bot|apikey)\s+(\S.*)$/i;
/** Prefixes of well-known API tokens, recognised whatever they are the value of. */
const TOKEN_PREFIX =
  /^(?:gh[pousr]_|github_pat_|glpat-|sk-|sk_live_|sk_test_|rk_live_|xox[abprs]-|AKIA|ASIA|AIza|hf_|npm_|pypi-|ya29\.|eyJ)[A-Za-z0-9._~+/=-]{12,}$/;

/** The parts of a name, lower case: `GITHUB_TOKEN`, `x-api-key`, `apiKey` → github/token, ... */
function nameParts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((part) => part.length > 0);
}

/** Whether a part, or its singular (`TOKENS`, `LIMITS`), is in `words`. */
function isOneOf(part: string, words: ReadonlySet<string>): boolean {
  return words.has(part) || (part.endsWith('s') && words.has(part.slice(0, -1)));
}

/**
 * Whether a variable, header, argument or query parameter name says its value is a secret
 * (docs/operations.md, "Secrets"): a part such as token, key, secret, password, auth, credential,
 * cookie, private or session, case-insensitive, unless the last part qualifies it (`TOKEN_URL`,
 * `SESSION_TIMEOUT`) or a part says public (`PUBLISHABLE_KEY`).
 */
export function isSecretName(name: string): boolean {
  const parts = nameParts(name);
  const last = parts.at(-1);
  if (last === undefined || isOneOf(last, QUALIFIER_PARTS)) return false;
  if (parts.some((part) => PUBLIC_PARTS.has(part))) return false;
  return parts.some(
    (part) => isOneOf(part, SECRET_PARTS) || SECRET_STEMS.some((stem) => part.includes(stem)),
  );
}

/** Whether a header's value is a credential: `Authorization`, `Cookie`, API-key headers, ... */
export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADERS.has(name.toLowerCase()) || isSecretName(name);
}

function isPath(value: string): boolean {
  if (/\s/.test(value)) return false;
  if (/^(?:~|\.{1,2})[\\/]/.test(value) || /^[A-Za-z]:[\\/]/.test(value)) return true;
  if (!value.startsWith('/')) return false;
  return PATH_ROOTS.test(value) || /\.[A-Za-z0-9]{1,10}$/.test(value);
}

/**
 * Whether a value is ordinary, so never a secret by the name it is given: a boolean, a number,
 * a log level or backend state, a path, or a URL that carries no credentials.
 */
export function isOrdinaryValue(value: string): boolean {
  const trimmed = value.trim();
  if (ORDINARY_WORDS.has(trimmed.toLowerCase()) || NUMBER.test(trimmed)) return true;
  if (isPath(trimmed)) return true;
  const url = parseUrl(trimmed);
  return url !== undefined && urlSecrets(url).length === 0;
}

function parseUrl(value: string): URL | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A URL's password and the values of query parameters with secret names. */
function urlSecrets(url: URL): string[] {
  const found: string[] = [];
  if (url.password !== '') found.push(url.password, decoded(url.password));
  for (const [name, value] of url.searchParams) if (isSecretName(name)) found.push(value);
  return found;
}

/**
 * The secrets a value holds whatever its name: the credential after an authentication scheme, a
 * well-known token format, a URL's password or secret query parameters.
 */
function valueSecrets(value: string): string[] {
  const found: string[] = [];
  const scheme = SCHEME.exec(value.trim());
  if (scheme?.[1] !== undefined) found.push(value, scheme[1]);
  if (TOKEN_PREFIX.test(value.trim())) found.push(value);
  const url = parseUrl(value.trim());
  if (url !== undefined) found.push(...urlSecrets(url));
  return found;
}

/**
 * The secrets of one environment variable: its value when the name looks secret and the value is
 * not ordinary, and whatever the value holds by its shape.
 */
export function envSecrets(name: string, value: string): string[] {
  const byName = isSecretName(name) && !isOrdinaryValue(value) ? [value] : [];
  return [...byName, ...valueSecrets(value)];
}

/** The secrets of one header: its value (and each cookie) when the header is sensitive. */
export function headerSecrets(name: string, value: string): string[] {
  if (!isSensitiveHeader(name)) return valueSecrets(value);
  const cookies = /cookie/i.test(name)
    ? value.split(';').map((pair) => pair.slice(pair.indexOf('=') + 1).trim())
    : [];
  return [value, ...cookies, ...valueSecrets(value)];
}

/** Values of command-line options with secret names: `--api-key=<v>` and `--token <v>`. */
function argSecrets(args: readonly string[]): string[] {
  const found: string[] = [];
  args.forEach((arg, index) => {
    const option = /^--?([A-Za-z][\w.-]*)(?:=(.*))?$/s.exec(arg);
    if (option?.[1] !== undefined && isSecretName(option[1])) {
      const value = option[2] ?? args[index + 1];
      if (value !== undefined && !value.startsWith('-') && !isOrdinaryValue(value))
        found.push(value);
    }
    found.push(...valueSecrets(arg));
  });
  return found;
}

function transportSecrets(transport: TransportConfig): string[] {
  if (transport.type === 'stdio') {
    return [
      ...Object.entries(transport.env).flatMap(([name, value]) => envSecrets(name, value)),
      ...argSecrets(transport.args),
    ];
  }
  return [
    ...Object.entries(transport.headers).flatMap(([name, value]) => headerSecrets(name, value)),
    ...valueSecrets(transport.url),
  ];
}

/**
 * Every secret value of a configuration (docs/operations.md, "Secrets"): env values and
 * command-line options with secret names, sensitive header values, credentials in URLs, the
 * dashboard key, every OpenTelemetry exporter header value, and the values the file marked with `${secret:VAR}` or took from a variable with
 * a secret name. `proxy.apiKeys` hold hashes, so they are not secrets. Deduplicated, in no
 * particular order; values shorter than four characters are left to the caller to ignore.
 */
export function configSecrets(config: SwitchyardConfig): string[] {
  const found = new Set<string>(config.secretValues ?? []);
  for (const server of config.servers) {
    for (const value of transportSecrets(server.transport)) found.add(value);
  }
  if (config.dashboard.apiKey !== undefined) found.add(config.dashboard.apiKey);
  // The exporter's headers carry a vendor's API key as often as not: every value is kept secret.
  for (const value of Object.values(config.openTelemetry?.headers ?? {})) found.add(value);
  found.delete('');
  return [...found];
}
