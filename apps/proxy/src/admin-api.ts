import type {
  ActionResult,
  ConfigValidation,
  ConfigView,
  RpcCall,
  RpcExchange,
  ServerAction,
  ServerDetail,
} from '@switchyard/admin-api';
import { SERVER_ACTIONS } from '@switchyard/admin-api';
import type { LogLine, SecretSet, ServerLogs } from '@switchyard/logging';
import { httpStatusOf, SwitchyardError } from '@switchyard/protocol';
import type { Tracer } from '@switchyard/tracing';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AdminState } from './admin-state.js';
import { mountTraceRoutes } from './admin-traces.js';
import type { AdminAuditEvent, AuditLog } from './audit-log.js';
import type { Auth, AuthEnv } from './auth.js';
import { jsonAnswer, jsonBody, toResponse } from './http-answer.js';
import type { SupervisedBackends } from './supervised-backends.js';
import type { ToolPins } from './tool-pins.js';

export interface AdminApiOptions {
  backends: Pick<SupervisedBackends, 'has' | 'supervisor' | 'setEnabled' | 'list'>;
  /** Servers, sessions, metrics and the live events as the dashboard reads them. */
  state: AdminState;
  /** The configuration in force, secrets redacted (`GET /api/config`). */
  config: () => ConfigView;
  /** Checks a configuration text without applying it (`POST /api/config/validate`). */
  validate: (text: string, format: ConfigValidation['format'] | undefined) => ConfigValidation;
  /** One MCP request through the aggregate router (`POST /api/rpc`, the playground). */
  rpc: (call: RpcCall, principal: string) => Promise<RpcExchange>;
  /** Context tracing's queries, feedback and answers (`/api/traces`); undefined while it is off. */
  tracer: Tracer | undefined;
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
const badRequest = (error: string) =>
  toResponse(jsonAnswer(httpStatusOf('invalid_request'), { error }));

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

  const { state } = options;
  app.get('/overview', (c) => json(c, state.snapshot()));
  app.get('/servers', (c) => json(c, state.servers()));
  app.get('/sessions', (c) => json(c, state.sessions()));
  app.get('/metrics/summary', (c) => json(c, state.metrics()));
  app.get('/config', (c) => json(c, options.config()));

  app.get('/servers/:server', async (c) => {
    const name = known(c);
    const summary = name && state.server(name);
    if (!name || !summary) return notFound(`no server named "${c.req.param('server')}"`);
    const session = backends.list().find((b) => b.name === name)?.session;
    const lists = await state.inventory.lists(name);
    const past = state.history.of(name);
    const detail: ServerDetail = {
      ...summary,
      counts: state.inventory.counts(name),
      serverInfo: session?.serverInfo ?? null,
      instructions: session?.instructions ?? null,
      capabilities: session ? session.serverCapabilities : null,
      tools: lists?.tools ?? [],
      resources: lists?.resources ?? [],
      resourceTemplates: lists?.resourceTemplates ?? [],
      prompts: lists?.prompts ?? [],
      listErrors: lists?.listErrors ?? [],
      history: past.history,
      recentErrors: past.errors,
    };
    return json(c, detail);
  });

  app.post('/servers/:server/:action', async (c) => {
    const name = known(c);
    if (!name) return notFound(`no server named "${c.req.param('server')}"`);
    const action = c.req.param('action') as ServerAction;
    if (!SERVER_ACTIONS.includes(action)) return notFound(`unknown action "${action}"`);
    const supervisor = backends.supervisor;
    if (action === 'start' || action === 'stop' || action === 'restart')
      await supervisor[action](name);
    else await backends.setEnabled(name, action === 'enable');
    record(c, { action, server: name, status: 'ok' });
    const server = state.server(name);
    if (!server) return notFound(`no server named "${name}"`);
    const result: ActionResult = { name, action, server };
    return json(c, result);
  });

  mountLiveRoutes(app, options, json);
  mountTraceRoutes(app, options.tracer, secrets);

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

/** The routes the dashboard drives beyond reads: validation, the playground and the live events. */
function mountLiveRoutes(
  app: Hono<AuthEnv>,
  options: AdminApiOptions,
  json: (c: Context, value: unknown) => Response,
): void {
  const { state, secrets } = options;
  app.post('/config/validate', async (c) => {
    const body = await jsonBody(c);
    if (!body || typeof body.text !== 'string')
      return badRequest(
        'the body must be JSON: { "text": "<config>", "format"?: "yaml" | "json" | "toml" }',
      );
    const format = body.format;
    if (format !== undefined && format !== 'yaml' && format !== 'json' && format !== 'toml')
      return badRequest('"format" must be yaml, json or toml');
    return json(c, options.validate(body.text, format));
  });

  app.post('/rpc', async (c) => {
    const body = await jsonBody(c);
    if (!body || typeof body.method !== 'string')
      return badRequest('the body must be JSON: { "method": "tools/call", "params"?: { ... } }');
    try {
      const call: RpcCall = { method: body.method };
      if (body.params !== undefined) call.params = body.params as Record<string, unknown>;
      return json(c, await options.rpc(call, c.get('principal')));
    } catch (error) {
      if (error instanceof SwitchyardError) return badRequest(error.message);
      throw error;
    }
  });

  app.get('/events', (c) =>
    streamSSE(c, async (stream) => {
      let queue = Promise.resolve();
      const send = (type: string, data: unknown) => {
        queue = queue.then(() =>
          stream.writeSSE({ event: type, data: JSON.stringify(secrets.redactValue(data)) }),
        );
      };
      await new Promise<void>((resolve) => {
        send('snapshot', { type: 'snapshot', snapshot: state.snapshot() });
        const unsubscribe = state.subscribe((event) => send(event.type, event));
        stream.onAbort(() => {
          unsubscribe();
          resolve();
        });
      });
    }),
  );
}
