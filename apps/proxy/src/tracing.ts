import type { Logger, SecretSet } from '@switchyard/logging';
import type { Clock, JsonObject } from '@switchyard/protocol';
import type { ExchangeEvent, ExchangeHandle, ExchangeTap, Outcome } from '@switchyard/router';
import {
  type CaptureInput,
  createTracer,
  type ExchangeMessages,
  openSqliteStore,
  type Tracer,
} from '@switchyard/tracing';
import type { TracingSettings } from './settings.js';

/**
 * The `_meta` key under which every traced result carries its response and unit ids
 * (docs/tracing.md, "`_meta` keys"). A single-label prefix, as MCP 2025-11-25 (Basic, `_meta`)
 * allows for keys that are not reserved.
 */
export const TRACE_META_KEY = 'switchyard/trace';

/** The servers whose results are not context: the proxy's own (tracing itself, management). */
const UNTRACED = new Set(['tracing', 'switchyard']);

/**
 * Keys under which hosts put their own tool-call id in a request's `_meta` (OTel's attribute name
 * and the vendor keys known in late 2026); the first present one is kept, for answers to name calls.
 */
const TOOL_CALL_ID_KEYS = [
  'gen_ai.tool.call.id',
  'toolCallId',
  'copilot/toolCallId',
  'redpanda.com/llm-tool-call-id',
];

const KINDS: Record<string, CaptureInput['kind']> = {
  'tools/call': 'tool',
  'resources/read': 'resource',
  'prompts/get': 'prompt',
};

export interface ProxyTracing {
  readonly tracer: Tracer;
  /** Captures results on their way to clients and records both hops of each exchange. */
  readonly tap: ExchangeTap;
  /** The id a client session has in the tracing store (unique across restarts of the proxy). */
  sessionIdOf(routerSessionId: string): string;
  close(): Promise<void>;
}

const metaOf = (params: JsonObject | undefined): JsonObject | undefined => {
  const meta = params?._meta;
  return typeof meta === 'object' && meta !== null && !Array.isArray(meta)
    ? (meta as JsonObject)
    : undefined;
};
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** An exchange that ended, as the tap saw it, until its messages are recorded. */
interface Ended {
  event: ExchangeEvent;
  sessionId: string;
  requestedAt: number;
  answeredAt: number;
  outcome: Outcome;
  /** What the client got, before the ids were added to its `_meta`. */
  result: JsonObject | undefined;
  meta: JsonObject | undefined;
}

/** The four messages of an exchange on both hops, as they crossed. */
function messagesOf(e: Ended): ExchangeMessages {
  const { server, method, requestId, params, clientParams } = e.event;
  const { outcome, result, meta } = e;
  const answer =
    outcome.kind === 'result'
      ? { result: outcome.result }
      : outcome.kind === 'error'
        ? { error: outcome.error }
        : { cancelled: true };
  // Built as one object, not spread into another: a spread followed by more keys is slow in V8
  // (docs/performance.md, "Eras", fourth round).
  const messages: ExchangeMessages = {
    sessionId: e.sessionId,
    server,
    requestedAt: e.requestedAt,
    answeredAt: e.answeredAt,
    request: { jsonrpc: '2.0', id: requestId, method, params: clientParams ?? {} },
    forwarded: { jsonrpc: '2.0', method, params },
    answer,
  };
  // The client got the backend's result itself (no translation) with the ids added: its text is
  // made from the answer's, which is serialised once.
  if (meta && outcome.kind === 'result' && result === outcome.result) {
    messages.replyMeta = meta;
    return messages;
  }
  messages.reply = result
    ? {
        jsonrpc: '2.0',
        id: requestId,
        result: meta ? { ...result, _meta: { ...metaOf(result), ...meta } } : result,
      }
    : { jsonrpc: '2.0', id: requestId, ...answer };
  return messages;
}

/**
 * Context tracing in the proxy (docs/tracing.md): the store, the tracer and the exchange tap that
 * feeds it. Writes go to the store in batches off the request path; a store that cannot write
 * (read-only, full) drops and counts, and calls go on. Undefined settings: tracing is off and
 * nothing of it exists.
 */
export function openTracing(
  settings: TracingSettings,
  deps: { clock: Clock; secrets: Pick<SecretSet, 'redactValue' | 'mayHold'>; logger: Logger },
): ProxyTracing {
  const store = openSqliteStore({
    file: settings.file,
    onError: (error) => deps.logger.warn('tracing store problem', { error: error.message }),
  });
  const tracer = createTracer({
    store,
    clock: deps.clock,
    idleGapMs: settings.idleGapMs,
    weights: settings.weights,
    redact: (value) => deps.secrets.redactValue(value),
    secretIn: (text) => deps.secrets.mayHold(text),
    retention: { maxAgeDays: settings.retentionDays, maxSizeBytes: settings.maxSizeBytes },
    cacheSize: settings.cacheSize,
    // A capture's writes are queued after the turn that answers the client, like its messages.
    defer: (run) => setImmediate(run),
  });
  // An exchange's four hop messages are recorded together after the turn that answers the client:
  // building and serialising them is off the exchange's path (docs/tracing.md, "Export and
  // replay"). The router never changes a message it has handed on, so recording a moment later
  // keeps what was sent.
  const later: Ended[] = [];
  const runLater = () => {
    for (const ended of later.splice(0)) tracer.recordExchange(messagesOf(ended));
  };
  // Router session labels restart at 1 with the process; the boot time keeps them apart.
  const boot = Math.floor(deps.clock.now()).toString(36);
  const sessionIdOf = (id: string) => `${boot}-${id}`;

  const tap: ExchangeTap = (event: ExchangeEvent): ExchangeHandle | undefined => {
    const kind = KINDS[event.method];
    if (!kind || UNTRACED.has(event.server)) return undefined;
    const requestedAt = deps.clock.now();
    return {
      done(outcome, result) {
        const sessionId = sessionIdOf(event.session.id);
        let meta: JsonObject | undefined;
        if (result && result.isError !== true) {
          meta = { [TRACE_META_KEY]: capture(event, kind, sessionId, result) };
        }
        if (later.length === 0) setImmediate(runLater);
        later.push({
          event,
          sessionId,
          requestedAt,
          answeredAt: deps.clock.now(),
          outcome,
          result,
          meta,
        });
        return meta;
      },
    };
  };

  /** The capture of a result on its way to the client: its ids, for the result's `_meta`. */
  const capture = (
    event: ExchangeEvent,
    kind: CaptureInput['kind'],
    sessionId: string,
    result: JsonObject,
  ): JsonObject => {
    const { server, requestId, params } = event;
    const clientMeta = metaOf(event.clientParams);
    let toolCallId: string | undefined;
    for (const key of clientMeta ? TOOL_CALL_ID_KEYS : []) {
      toolCallId = text(clientMeta?.[key]) || undefined;
      if (toolCallId) break;
    }
    const traceparent = text(clientMeta?.traceparent);
    // Optional keys set one by one rather than spread in: this runs on every traced result's way
    // to its client (docs/performance.md, "Eras", fourth round, on spreads).
    const input: CaptureInput = {
      sessionId,
      server,
      kind,
      name: String(kind === 'resource' ? params.uri : params.name),
      content: result,
      requestId,
    };
    if (kind !== 'resource') input.arguments = params.arguments ?? {};
    const { principal } = event.session.info;
    if (principal) input.principal = principal;
    if (traceparent) input.traceparent = traceparent;
    if (toolCallId) input.toolCallId = toolCallId;
    const { responseId, unitId } = tracer.capture(input);
    return { responseId, unitId };
  };

  const close = () => {
    runLater();
    return tracer.close();
  };
  return { tracer, tap, sessionIdOf, close };
}

/**
 * Several taps as one: each sees the same exchange; the params of the last that replaces them are
 * sent (spans put their `traceparent` there), and every tap's `_meta` entries reach the client.
 */
export function composeTaps(...taps: Array<ExchangeTap | undefined>): ExchangeTap | undefined {
  const present = taps.filter((tap): tap is ExchangeTap => tap !== undefined);
  if (present.length <= 1) return present[0];
  return (event) => {
    const handles = present.map((tap) => tap(event)).filter((h): h is ExchangeHandle => !!h);
    if (handles.length === 0) return undefined;
    const params = handles
      .map((h) => h.params)
      .filter(Boolean)
      .at(-1);
    return {
      ...(params ? { params } : {}),
      done(outcome, result) {
        let meta: JsonObject | undefined;
        for (const handle of handles) {
          const more = handle.done?.(outcome, result);
          if (more) meta = { ...meta, ...more };
        }
        return meta;
      },
    };
  };
}
