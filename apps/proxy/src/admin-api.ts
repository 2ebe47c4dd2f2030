import type { LogLine, SecretSet, ServerLogs } from '@switchyard/logging';
import { httpStatusOf } from '@switchyard/protocol';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AdminAuditEvent, AuditLog } from './audit-log.js';
import type { Auth, AuthEnv } from './auth.js';
import { jsonAnswer, toResponse } from './http-answer.js';
import type { SupervisedBackends } from './supervised-backends.js';
import type { ToolPins } from './tool-pins.js';

export interface AdminApiOptions {
  backends: Pick<SupervisedBackends, 'summary' | 'has' | 'supervisor' | 'setEnabled'>;
  logs: ServerLogs | undefined;
  /** The key check of `/api` (`dashboard.apiKey`, docs/operations.md, "The admin API and keys"). */
  auth: Auth;
  /** Redacted from every answer (docs/operations.md, "Secrets"); log lines come redacted already. */
  secrets: Pick<SecretSet, 'redactValue'>;
  /** Pinned tool definitions (docs/operations.md, "Tool pinning"); `/api/pins` is 404 without. */
  pins?: ToolPins;
  /** Admin actions are recorded here; `/api/audit` exports it (docs/operations.md, "Audit log"). */
  audit?: Pick<AuditLog, 'record' | 'since'>;
}

const notFound = (error: string) => toResponse(jsonAnswer(httpStatusOf('not_found'), { error }));

/** A log line as it is written to the file. */
export function logLineText(line: LogLine): string {
  return `[${line.timestamp}] [${line.stream.toUpperCase()}] ${line.text}`;
}

/**
 * The admin REST API under `/api` (docs/operations.md): servers with their state and run-time control,
 * each server's log as a tail or a live SSE stream, and the pinned tool definitions with their approval.
 */
export function adminApi(options: AdminApiOptions): Hono<AuthEnv> {
  const { backends, secrets } = options;
  const app = new Hono<AuthEnv>();
  const record = (
    c: Context<AuthEnv>,
    event: Omit<AdminAuditEvent, 'type' | 'via' | 'principal'>,
  ) =>
    options.audit?.record({ type: 'admin', via: 'api', principal: c.get('principal'), ...event });
  app.use('*', options.auth.middleware);
  const json = (c: Context, value: unknown) => c.json(secrets.redactValue(value));

  const known = (c: Context) => {
    const name = c.req.param('server') ?? '';
    return backends.has(name) ? name : undefined;
  };

  app.get('/servers', (c) => json(c, backends.summary()));

  app.post('/servers/:server/:action', async (c) => {
    const name = known(c);
    if (!name) return notFound(`no server named "${c.req.param('server')}"`);
    const action = c.req.param('action');
    const supervisor = backends.supervisor;
    if (action === 'start' || action === 'stop' || action === 'restart')
      await supervisor[action](name);
    else if (action === 'enable' || action === 'disable')
      await backends.setEnabled(name, action === 'enable');
    else return notFound(`unknown action "${action}"`);
    const backend = supervisor.get(name);
    record(c, { action, server: name, status: 'ok' });
    return json(c, {
      name,
      state: backend?.state,
      reason: backend?.reason,
      enabled: backend?.enabled,
    });
  });

  app.get('/pins', (c) => {
    if (!options.pins) return notFound('tool pinning is off');
    return json(c, { pins: options.pins.list() });
  });

  app.post('/pins/:server/:tool/approve', (c) => {
    const server = c.req.param('server');
    const tool = c.req.param('tool');
    const pin = options.pins?.approve(server, tool);
    record(c, { action: 'approve', server, tool, status: pin ? 'ok' : 'error' });
    if (!pin)
      return notFound(`no pinned tool "${c.req.param('tool')}" of "${c.req.param('server')}"`);
    return json(c, pin);
  });

  app.get('/audit', (c) => {
    if (!options.audit) return notFound('the audit log is off');
    const since = Math.max(0, Number(c.req.query('since') ?? 0) || 0);
    const lines = options.audit.since(since);
    return c.body(lines.map((line) => `${line}\n`).join(''), 200, {
      'content-type': 'application/jsonl; charset=utf-8',
    });
  });

  app.get('/logs/:server', async (c) => {
    const name = known(c);
    if (!name) return notFound(`no server named "${c.req.param('server')}"`);
    if (!options.logs) return notFound('per-server log files are off');
    const lines = Math.min(10_000, Math.max(1, Number(c.req.query('lines') ?? 100) || 100));
    const type = c.req.query('type');
    const filter = type === 'stdout' || type === 'stderr' ? type : undefined;
    const tail = await options.logs.tail(name, filter ? { lines, type: filter } : { lines });
    return json(c, { server: name, lines: tail });
  });

  app.get('/logs/:server/stream', (c) => {
    const name = known(c);
    const logs = options.logs;
    if (!name) return notFound(`no server named "${c.req.param('server')}"`);
    if (!logs) return notFound('per-server log files are off');
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
