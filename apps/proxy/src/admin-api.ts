import type { LogLine, ServerLogs } from '@switchyard/logging';
import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { bearerToken, sameKey } from './keys.js';
import type { SupervisedBackends } from './supervised-backends.js';

export interface AdminApiOptions {
  backends: SupervisedBackends;
  logs: ServerLogs | undefined;
  /** `dashboard.apiKey`; when set, every request needs `Authorization: Bearer <key>`. */
  apiKey: string | undefined;
  /** True when the server listens beyond loopback: then a key is mandatory (spec D2). */
  exposed: boolean;
}

function auth(options: AdminApiOptions): MiddlewareHandler {
  return async (c, next) => {
    if (options.apiKey === undefined) {
      if (options.exposed) {
        return c.json(
          { error: 'the admin API needs dashboard.apiKey when bound beyond loopback' },
          403,
        );
      }
      return next();
    }
    if (!sameKey(bearerToken(c.req.header('authorization')), options.apiKey)) {
      return c.json({ error: 'Unauthorized' }, 401, { 'www-authenticate': 'Bearer' });
    }
    return next();
  };
}

/** A log line as it is written to the file. */
export function logLineText(line: LogLine): string {
  return `[${line.timestamp}] [${line.stream.toUpperCase()}] ${line.text}`;
}

/**
 * The admin REST API (spec D1, L2) under `/api`: servers with their state and run-time control, and
 * each server's log as a tail or a live SSE stream.
 */
export function adminApi(options: AdminApiOptions): Hono {
  const { backends } = options;
  const app = new Hono();
  app.use('*', auth(options));

  const known = (c: Context) => {
    const name = c.req.param('server') ?? '';
    return backends.supervisor.get(name) ? name : undefined;
  };

  app.get('/servers', (c) => c.json(backends.summary()));

  app.post('/servers/:server/:action', async (c) => {
    const name = known(c);
    if (!name) return c.json({ error: `no server named "${c.req.param('server')}"` }, 404);
    const action = c.req.param('action');
    const supervisor = backends.supervisor;
    if (action === 'start' || action === 'stop' || action === 'restart')
      await supervisor[action](name);
    else if (action === 'enable' || action === 'disable')
      await backends.setEnabled(name, action === 'enable');
    else return c.json({ error: `unknown action "${action}"` }, 404);
    const backend = supervisor.get(name);
    return c.json({
      name,
      state: backend?.state,
      reason: backend?.reason,
      enabled: backend?.enabled,
    });
  });

  app.get('/logs/:server', async (c) => {
    const name = known(c);
    if (!name) return c.json({ error: `no server named "${c.req.param('server')}"` }, 404);
    if (!options.logs) return c.json({ error: 'per-server log files are off' }, 404);
    const lines = Math.min(10_000, Math.max(1, Number(c.req.query('lines') ?? 100) || 100));
    const type = c.req.query('type');
    const filter = type === 'stdout' || type === 'stderr' ? type : undefined;
    const tail = await options.logs.tail(name, filter ? { lines, type: filter } : { lines });
    return c.json({ server: name, lines: tail });
  });

  app.get('/logs/:server/stream', (c) => {
    const name = known(c);
    const logs = options.logs;
    if (!name) return c.json({ error: `no server named "${c.req.param('server')}"` }, 404);
    if (!logs) return c.json({ error: 'per-server log files are off' }, 404);
    const backfill = Math.min(10_000, Math.max(0, Number(c.req.query('backfill') ?? 0) || 0));
    return streamSSE(c, async (stream) => {
      await new Promise<void>((resolve) => {
        const unsubscribe = logs.subscribe(
          name,
          (line) =>
            void stream.writeSSE({
              event: 'log',
              data: JSON.stringify({ ...line, line: logLineText(line) }),
            }),
          { backfill },
        );
        stream.onAbort(() => {
          unsubscribe();
          resolve();
        });
      });
    });
  });
  return app;
}
