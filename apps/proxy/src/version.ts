import { createRequire } from 'node:module';

/**
 * The proxy's version, read from its package.json (the same relative path from `src/` and
 * `dist/`): what it reports as `serverInfo` to clients, as `clientInfo` to backends, on `/health`
 * and for `switchyard --version`.
 */
export const PROXY_VERSION: string = (
  createRequire(import.meta.url)('../package.json') as { version: string }
).version;

/** Who the proxy says it is, to clients (`serverInfo`) and to backends (`clientInfo`). */
export const PROXY_INFO: { name: string; version: string } = {
  name: 'switchyard',
  version: PROXY_VERSION,
};
