import { createSseParser } from './sse.js';
import type {
  AnswerInput,
  AnswerResult,
  FeedbackInput,
  FeedbackRecord,
  FeedbackResult,
  ResponseDetail,
  ResponseFilter,
  ResponseSummary,
  TimelineEntry,
  TraceQuality,
  TraceSessionSummary,
  TracingStats,
  UnitDetail,
} from './trace-types.js';
import type {
  ActionResult,
  AdminEvent,
  ConfigValidation,
  ConfigView,
  LogLine,
  LogTail,
  MetricsSummary,
  RpcCall,
  RpcExchange,
  ServerAction,
  ServerDetail,
  ServerSummary,
  SessionSummary,
  Snapshot,
} from './types.js';

/** An answer of `/api` that was not a success, with the proxy's own words. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }

  /** The key was missing or wrong: ask the user for it. */
  get unauthorized(): boolean {
    return this.status === 401;
  }
}

export interface AdminClientOptions {
  /** Where the proxy is: `''` (same origin, the dashboard) or e.g. `http://127.0.0.1:3000`. */
  baseUrl?: string;
  /** The admin key (`dashboard.apiKey`), sent as `Authorization: Bearer <key>`. */
  key?: string | (() => string | undefined);
  /** Injected for tests and other runtimes; the global `fetch` by default. */
  fetch?: typeof fetch;
}

export interface LogQuery {
  lines?: number;
  type?: 'stdout' | 'stderr';
}

export interface Subscription {
  close(): void;
  /** Settles when the stream ends (closed, refused or broken). */
  readonly done: Promise<void>;
}

/** The typed client of the admin API; the dashboard uses nothing else to reach the proxy. */
export interface AdminClient {
  snapshot(): Promise<Snapshot>;
  servers(): Promise<ServerSummary[]>;
  server(name: string): Promise<ServerDetail>;
  act(name: string, action: ServerAction): Promise<ActionResult>;
  logs(name: string, query?: LogQuery): Promise<LogTail>;
  metrics(): Promise<MetricsSummary>;
  sessions(): Promise<SessionSummary[]>;
  config(): Promise<ConfigView>;
  validateConfig(text: string, format?: 'yaml' | 'json' | 'toml'): Promise<ConfigValidation>;
  rpc(call: RpcCall): Promise<RpcExchange>;
  /** The live event stream `/api/events`; `onError` hears why it ended abnormally. */
  events(onEvent: (event: AdminEvent) => void, onError?: (error: Error) => void): Subscription;
  /** Context tracing (docs/tracing.md); every method answers 404 while tracing is off. */
  readonly traces: TraceClient;
  /** Tells the proxy which units or calls went into an answer (`POST /api/answers`). */
  recordAnswer(input: AnswerInput): Promise<AnswerResult>;
  /** A server's log as it is written (`backfill`: lines of history first). */
  followLogs(
    name: string,
    onLine: (line: LogLine) => void,
    options?: { backfill?: number; onError?: (error: Error) => void },
  ): Subscription;
}

/** The tracing part of the admin API. */
export interface TraceClient {
  stats(): Promise<TracingStats>;
  sessions(limit?: number): Promise<TraceSessionSummary[]>;
  timeline(sessionId: string): Promise<TimelineEntry[]>;
  responses(filter?: ResponseFilter): Promise<ResponseSummary[]>;
  response(id: string): Promise<ResponseDetail>;
  /** Closes a session's open response; its id, or null when none was open. */
  closeResponse(sessionId: string): Promise<{ responseId: string | null }>;
  unit(id: string): Promise<UnitDetail>;
  feedback(filter?: { since?: number; limit?: number }): Promise<FeedbackRecord[]>;
  submitFeedback(input: FeedbackInput): Promise<FeedbackResult>;
  quality(limit?: number): Promise<TraceQuality>;
}

const enc = encodeURIComponent;

/** `?a=1&b=2` of the defined values, or nothing. */
function query(values: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(values))
    if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Creates the client. Every method throws {@link AdminApiError} on a non-2xx answer. */
export function createAdminClient(options: AdminClientOptions = {}): AdminClient {
  const base = (options.baseUrl ?? '').replace(/\/$/, '');
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const headers = (extra: Record<string, string> = {}): Record<string, string> => {
    const key = typeof options.key === 'function' ? options.key() : options.key;
    return key ? { ...extra, authorization: `Bearer ${key}` } : extra;
  };

  const send = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const response = await doFetch(`${base}/api${path}`, {
      ...init,
      headers: headers(init.body ? { 'content-type': 'application/json' } : {}),
    });
    if (!response.ok) throw await errorOf(response);
    return response;
  };
  const get = async <T>(path: string): Promise<T> => (await send(path)).json() as Promise<T>;
  const post = async <T>(path: string, body?: unknown): Promise<T> =>
    (
      await send(path, {
        method: 'POST',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
    ).json() as Promise<T>;

  const stream = (
    path: string,
    onEvent: (name: string, data: string) => void,
    onError?: (error: Error) => void,
  ): Subscription => {
    const abort = new AbortController();
    const done = (async () => {
      try {
        const response = await send(path, { signal: abort.signal });
        const body = response.body;
        if (!body) return;
        const decoder = new TextDecoder();
        const feed = createSseParser((event) => onEvent(event.event, event.data));
        const reader = body.getReader();
        for (;;) {
          const { value, done: ended } = await reader.read();
          if (ended) break;
          feed(decoder.decode(value, { stream: true }));
        }
      } catch (error) {
        if (!abort.signal.aborted)
          onError?.(error instanceof Error ? error : new Error(String(error)));
      }
    })();
    return { close: () => abort.abort(), done };
  };

  return {
    snapshot: () => get('/overview'),
    servers: () => get('/servers'),
    server: (name) => get(`/servers/${enc(name)}`),
    act: (name, action) => post(`/servers/${enc(name)}/${action}`),
    logs: (name, query = {}) => {
      const search = new URLSearchParams();
      if (query.lines !== undefined) search.set('lines', String(query.lines));
      if (query.type) search.set('type', query.type);
      const qs = search.toString();
      return get(`/logs/${enc(name)}${qs ? `?${qs}` : ''}`);
    },
    metrics: () => get('/metrics/summary'),
    sessions: () => get('/sessions'),
    config: () => get('/config'),
    validateConfig: (text, format) =>
      post('/config/validate', format === undefined ? { text } : { text, format }),
    rpc: (call) => post('/rpc', call),
    recordAnswer: (input) => post('/answers', input),
    traces: {
      stats: () => get('/traces/stats'),
      sessions: (limit) => get(`/traces/sessions${query({ limit })}`),
      timeline: (sessionId) => get(`/traces/sessions/${enc(sessionId)}/timeline`),
      responses: (filter = {}) =>
        get(
          `/traces/responses${query({ session: filter.sessionId, since: filter.since, until: filter.until, limit: filter.limit })}`,
        ),
      response: (id) => get(`/traces/responses/${enc(id)}`),
      closeResponse: (sessionId) => post('/traces/responses/close', { sessionId }),
      unit: (id) => get(`/traces/units/${enc(id)}`),
      feedback: (filter = {}) => get(`/traces/feedback${query(filter)}`),
      submitFeedback: (input) => post('/traces/feedback', input),
      quality: (limit) => get(`/traces/quality${query({ limit })}`),
    },
    events: (onEvent, onError) =>
      stream('/events', (_name, data) => onEvent(JSON.parse(data) as AdminEvent), onError),
    followLogs: (name, onLine, followOptions = {}) =>
      stream(
        `/logs/${enc(name)}/stream?backfill=${followOptions.backfill ?? 0}`,
        (event, data) => {
          if (event === 'log') onLine(JSON.parse(data) as LogLine);
        },
        followOptions.onError,
      ),
  };
}

async function errorOf(response: Response): Promise<AdminApiError> {
  let message = `${response.status} ${response.statusText}`.trim();
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === 'string') message = body.error;
  } catch {
    // Not JSON: the status line says enough.
  }
  return new AdminApiError(response.status, message);
}
