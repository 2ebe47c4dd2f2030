import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';

/**
 * What the dashboard's page may do (docs/dashboard.md, "Security"): everything from the proxy's own
 * origin, nothing from elsewhere; images and audio of tool results may be `data:` URLs.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Paths of the proxy itself: never answered with the dashboard's page. */
const PROXY_PATHS =
  /^\/(api|mcp|sse|messages|ws|health|ready|metrics)(\/|$)|^\/servers\/[^/]+\/(mcp|sse|messages|ws)(\/|$)/;

/**
 * Where the built dashboard is: next to the compiled proxy (`dist/dashboard`, what the npm package
 * ships), or, when the proxy runs from its sources in this repository, the dashboard's own build
 * output (the freshest), else the copy the proxy's last build made.
 */
export function defaultDashboardDir(): string | undefined {
  const candidates = ['./dashboard/', '../../dashboard/dist/', '../dist/dashboard/'].map((path) =>
    fileURLToPath(new URL(path, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  /** Vite names every file under `assets/` by its content hash: cached for a year. */
  immutable: boolean;
}

function readAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const url = `/${relative(dir, path).split(sep).join('/')}`;
        assets.set(url, {
          body: new Uint8Array(readFileSync(path)),
          type: TYPES[extname(name)] ?? 'application/octet-stream',
          immutable: url.startsWith('/assets/'),
        });
      }
    }
  };
  walk(dir);
  return assets;
}

/**
 * Serves the built dashboard on `app`: its files (read once, at mount), `index.html` for every
 * other page path (the single-page app routes in the browser), each answer with the
 * Content-Security-Policy above. Without a build, `/` says how to make one.
 */
export function mountDashboard(app: Hono, dir: string | undefined): void {
  const assets = dir ? readAssets(dir) : new Map<string, Asset>();
  const index = assets.get('/index.html');
  const headers = (asset: Asset) => ({
    'content-type': asset.type,
    'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'content-security-policy': DASHBOARD_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  });
  app.get('*', async (c, next) => {
    const path = c.req.path;
    if (PROXY_PATHS.test(path)) return next();
    const asset = assets.get(path);
    if (asset) return c.body(asset.body, 200, headers(asset));
    // A missing hashed asset is a 404, not the page: a stale tab must not run HTML as script.
    if (path.startsWith('/assets/') || extname(path) !== '') return next();
    if (!index) {
      return c.text(
        'The dashboard is not built: run `npm run build` (or `pnpm build`) in the repository.\n',
        404,
      );
    }
    return c.body(index.body, 200, headers(index));
  });
}
