import type {
  Attributes,
  Context,
  Span,
  SpanKind,
  SpanStatusCode,
  TextMapPropagator,
  Tracer,
} from '@opentelemetry/api';
import type { JsonObject } from '@switchyard/protocol';
import type { ExchangeEvent, ExchangeHandle, ExchangeTap, Outcome } from '@switchyard/router';

/** Where and as whom the proxy exports its spans (the config's `openTelemetry` section). */
export interface SpanSettings {
  /** The OTLP/HTTP traces endpoint, e.g. `http://collector:4318/v1/traces`. */
  endpoint: string;
  /** Sent with every export (e.g. an API key): secrets, never logged. */
  headers: Record<string, string>;
  serviceName: string;
  serviceVersion: string;
  /** How the proxy reaches a backend: `stdio`, `streamable-http`, `sse`, `websocket` or `virtual`. */
  transportOf(server: string): string;
}

/** Spans of every proxied request, through the router's exchange tap. */
export interface SpanTap {
  tap: ExchangeTap;
  /** Exports every span ended so far. */
  flush(): Promise<void>;
  /** Exports what is left and stops exporting; the tap records nothing afterwards. */
  shutdown(): Promise<void>;
}

/**
 * Builds the span tap: per request that crosses to a backend, a SERVER span (client → proxy),
 * parented by the `traceparent` the client put in `_meta`, and a CLIENT span (proxy → backend) as
 * its child, whose context goes to the backend in `_meta` (OTel semantic conventions for MCP,
 * `docs/gen-ai/mcp.md` of open-telemetry/semantic-conventions-genai; see docs/tracing.md,
 * "OpenTelemetry").
 *
 * The OpenTelemetry packages are loaded here, on first use, so a proxy with telemetry off never
 * loads them. The tracer provider stays local (no global registration): an application embedding
 * the proxy keeps its own OpenTelemetry setup. Sampling follows the client's `traceparent` flags.
 */
export async function createSpanTap(settings: SpanSettings): Promise<SpanTap> {
  const [api, core, resources, sdk, otlp] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  const exporter = new otlp.OTLPTraceExporter({
    url: settings.endpoint,
    headers: { ...settings.headers },
  });
  const provider = new sdk.BasicTracerProvider({
    resource: resources.defaultResource().merge(
      resources.resourceFromAttributes({
        'service.name': settings.serviceName,
        'service.version': settings.serviceVersion,
      }),
    ),
    spanProcessors: [new sdk.BatchSpanProcessor(exporter)],
  });
  const otel: Otel = {
    tracer: provider.getTracer('@switchyard/proxy', settings.serviceVersion),
    propagator: new core.W3CTraceContextPropagator(),
    root: api.ROOT_CONTEXT,
    setSpan: (context, span) => api.trace.setSpan(context, span),
    getter: api.defaultTextMapGetter,
    setter: api.defaultTextMapSetter,
    kinds: { server: api.SpanKind.SERVER, client: api.SpanKind.CLIENT },
    errorStatus: api.SpanStatusCode.ERROR,
  };
  let open = true;
  return {
    tap: (event) => (open ? exchangeSpans(otel, settings, event) : undefined),
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      open = false;
      await provider.shutdown();
    },
  };
}

/** What the tap uses of the OpenTelemetry packages, loaded by {@link createSpanTap}. */
interface Otel {
  tracer: Tracer;
  propagator: TextMapPropagator;
  root: Context;
  setSpan(context: Context, span: Span): Context;
  getter: Parameters<TextMapPropagator['extract']>[2];
  setter: Parameters<TextMapPropagator['inject']>[2];
  kinds: { server: SpanKind; client: SpanKind };
  errorStatus: SpanStatusCode;
}

/** The two spans of one exchange, and the backend's params carrying the CLIENT span's context. */
function exchangeSpans(otel: Otel, settings: SpanSettings, event: ExchangeEvent): ExchangeHandle {
  const clientParams = event.clientParams ?? event.params;
  const parent = otel.propagator.extract(otel.root, traceCarrier(clientParams), otel.getter);
  const server = otel.tracer.startSpan(
    spanName(event.method, clientParams),
    { kind: otel.kinds.server, attributes: serverAttributes(event, clientParams) },
    parent,
  );
  const client = otel.tracer.startSpan(
    spanName(event.method, event.params),
    {
      kind: otel.kinds.client,
      attributes: clientAttributes(event, settings.transportOf(event.server)),
    },
    otel.setSpan(parent, server),
  );
  // The backend's parent is the CLIENT span; other `_meta` entries (baggage, progress token) stay.
  const meta = isObject(event.params._meta) ? { ...event.params._meta } : {};
  delete meta.traceparent;
  delete meta.tracestate;
  otel.propagator.inject(otel.setSpan(otel.root, client), meta, otel.setter);
  return {
    params: { ...event.params, _meta: meta },
    done(outcome: Outcome, result: JsonObject | undefined) {
      endSpan(otel, client, outcome, result);
      endSpan(otel, server, outcome, result);
      return undefined;
    },
  };
}

/**
 * Only the W3C trace context entries of `_meta`, and only when they are strings: nothing else of
 * the client's params reaches the propagator.
 */
function traceCarrier(params: JsonObject): Record<string, string> {
  const meta = params._meta;
  const carrier: Record<string, string> = {};
  if (!isObject(meta)) return carrier;
  if (typeof meta.traceparent === 'string') carrier.traceparent = meta.traceparent;
  if (typeof meta.tracestate === 'string') carrier.tracestate = meta.tracestate;
  return carrier;
}

/**
 * `{mcp.method.name} {target}`: the target is the tool or prompt name; a resource URI is never
 * part of a name (the conventions make that opt-in, and URIs may be unbounded or sensitive).
 */
function spanName(method: string, params: JsonObject): string {
  const target = targetName(method, params);
  return target === undefined ? method : `${method} ${target}`;
}

function targetName(method: string, params: JsonObject): string | undefined {
  if (method !== 'tools/call' && method !== 'prompts/get') return undefined;
  return typeof params.name === 'string' && params.name !== '' ? params.name : undefined;
}

/**
 * What both spans of an exchange say of the request, each from its own side's params: the method,
 * the tool or prompt name, the resource URI. Arguments and results are never recorded
 * (`gen_ai.tool.call.arguments` and `gen_ai.tool.call.result` are opt-in, and off here): they
 * may carry secrets and personal data.
 */
function requestAttributes(method: string, params: JsonObject): Attributes {
  const attributes: Attributes = { 'mcp.method.name': method };
  const name = targetName(method, params);
  if (method === 'tools/call') {
    attributes['gen_ai.operation.name'] = 'execute_tool';
    if (name !== undefined) attributes['gen_ai.tool.name'] = name;
  } else if (method === 'prompts/get' && name !== undefined) {
    attributes['gen_ai.prompt.name'] = name;
  }
  if (method.startsWith('resources/') && typeof params.uri === 'string')
    attributes['mcp.resource.uri'] = params.uri;
  return attributes;
}

/**
 * The SERVER span (client → proxy): the client's names (namespaced), its JSON-RPC id, the revision
 * it negotiated and its front. `mcp.session.id` is the transport's session id, which only the
 * legacy revisions have; the conventions forbid it for 2026-07-28 traffic, which this guards
 * against although no front serves that revision yet.
 */
function serverAttributes(event: ExchangeEvent, clientParams: JsonObject): Attributes {
  const { session } = event;
  const attributes = requestAttributes(event.method, clientParams);
  attributes['jsonrpc.request.id'] = String(event.requestId);
  if (session.revision !== undefined) attributes['mcp.protocol.version'] = session.revision;
  const sessionId = session.info.sessionId;
  if (sessionId !== undefined && session.revision !== '2026-07-28')
    attributes['mcp.session.id'] = sessionId;
  const transport = networkTransport(session.info.transport);
  if (transport !== undefined) attributes['network.transport'] = transport;
  return attributes;
}

/**
 * The CLIENT span (proxy → backend): the backend's own names. The JSON-RPC id and revision of
 * this hop are left out: the backend session mints the id after the tap has run, and the tap does
 * not see which revision the backend negotiated.
 */
function clientAttributes(event: ExchangeEvent, backendTransport: string): Attributes {
  const attributes = requestAttributes(event.method, event.params);
  const transport = networkTransport(backendTransport);
  if (transport !== undefined) attributes['network.transport'] = transport;
  return attributes;
}

/** `network.transport` of a front or backend transport; none for the proxy's virtual servers. */
function networkTransport(transport: string): string | undefined {
  if (transport === 'stdio') return 'pipe';
  if (transport === 'streamable-http' || transport === 'sse' || transport === 'websocket')
    return 'tcp';
  return undefined;
}

/**
 * Records how the exchange ended and ends the span: a JSON-RPC error names its code
 * (`error.type`, `rpc.response.status_code`), a tool's own error is `tool_error`, a cancellation
 * `cancelled` (not an error status: the client chose it). Error messages stay out of the span:
 * they may quote the arguments.
 */
function endSpan(otel: Otel, span: Span, outcome: Outcome, result: JsonObject | undefined): void {
  if (outcome.kind === 'error') {
    const code = String(outcome.error.code);
    span.setAttributes({ 'error.type': code, 'rpc.response.status_code': code });
    span.setStatus({ code: otel.errorStatus });
  } else if (outcome.kind === 'cancelled') {
    span.setAttribute('error.type', 'cancelled');
  } else if (result?.isError === true) {
    span.setAttribute('error.type', 'tool_error');
    span.setStatus({ code: otel.errorStatus });
  }
  span.end();
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
