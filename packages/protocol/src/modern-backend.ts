import {
  isJsonObject,
  type JsonObject,
  type JsonRpcErrorObject,
  type JsonRpcNotification,
} from './jsonrpc.js';
import { MetaKey, MODERN_REVISION } from './modern.js';
import { encodeParamHeader, type ParamHeader, readParamHeaders } from './modern-headers.js';
import { ACKNOWLEDGED_METHOD } from './modern-listen.js';

/**
 * The proxy as a legacy-speaking client of a modern (MCP 2026-07-28) backend, as data: what a
 * request gains (the `_meta` envelope, the HTTP routing headers), what a result loses, which
 * errors change number, and which answers prove the backend modern. The router presents such a
 * backend as a 2025-11-25 session and applies these tables inside it (docs/protocol-versions.md,
 * "Modern backends").
 */

/** How a backend's era is chosen per backend in the config. */
export type BackendEra = 'auto' | 'legacy' | 'modern';

/** The method that opens a modern exchange and proves a backend modern (MCP 2026-07-28, Basic: Lifecycle, Discovery). */
export const DISCOVER_METHOD = 'server/discover';

/** Result keys of the modern era that a legacy client never saw (MCP 2026-07-28, Basic: `resultType`, Caching). */
export const MODERN_ONLY_RESULT_KEYS: readonly string[] = ['resultType', 'ttlMs', 'cacheScope'];

/** `_meta` keys of a modern result that are the backend's identity, not the client's business. */
export const MODERN_ONLY_RESULT_META: readonly string[] = [MetaKey.serverInfo];

/**
 * The methods whose result may be an `InputRequiredResult` (MCP 2026-07-28, Basic: Multi
 * Round-Trip Requests); every other method's result is final.
 */
export const MRTR_METHODS: readonly string[] = ['tools/call', 'prompts/get', 'resources/read'];

/** What an `inputRequests` entry may ask, each a legacy server-to-client request. */
export const INPUT_REQUEST_METHODS: readonly string[] = [
  'elicitation/create',
  'sampling/createMessage',
  'roots/list',
];

/** At most this many input rounds per request, so a backend cannot keep a client asking forever. */
export const MAX_INPUT_ROUNDS = 16;

/**
 * Legacy methods a modern backend does not have, answered by the proxy itself: `ping` (liveness is
 * checked with `server/discover`), `logging/setLevel` (the level travels in each request's
 * envelope instead). MCP 2026-07-28 removed both.
 */
export const ANSWERED_LOCALLY: readonly string[] = ['ping', 'logging/setLevel'];

/**
 * Legacy notifications with no modern counterpart, never sent to a modern backend: the handshake
 * is gone and roots are asked for again by the next MRTR (MCP 2026-07-28, Client: Roots).
 */
export const NOT_SENT_TO_MODERN: readonly string[] = [
  'notifications/initialized',
  'notifications/roots/list_changed',
];

/**
 * Error codes that only a server of the modern era answers (MCP 2026-07-28, Basic: Lifecycle,
 * Error codes): unsupported version (-32022), header mismatch (-32020), missing capability
 * (-32021), and invalid params (-32602), which a modern server answers to an envelope it rejects.
 * Any other error to `server/discover` means a legacy server.
 */
export const MODERN_ERA_ERRORS: readonly number[] = [-32022, -32020, -32021, -32602];

/**
 * Errors renumbered for legacy clients: resource not found is -32602 in 2026-07-28 and -32002
 * before (MCP 2026-07-28, Server: Resources, Error Handling), recognised by its message.
 */
export const LEGACY_ERROR_CODES: ReadonlyArray<{
  method: string;
  code: number;
  message: RegExp;
  legacy: number;
}> = [{ method: 'resources/read', code: -32602, message: /not found/i, legacy: -32002 }];

/** The client capabilities as a modern request declares them (MCP 2026-07-28, Basic: Capabilities). */
export function modernClientCapabilities(legacy: JsonObject): JsonObject {
  const out: JsonObject = {};
  // Roots have no `listChanged` in 2026-07-28: they are asked for per request.
  if (isJsonObject(legacy.roots)) out.roots = {};
  if (isJsonObject(legacy.sampling)) {
    const { context: _context, ...sampling } = legacy.sampling;
    out.sampling = sampling;
  }
  if (isJsonObject(legacy.elicitation)) {
    const { form, url } = legacy.elicitation;
    // An empty legacy object means form only (MCP 2025-11-25, Client: Elicitation, Capabilities).
    out.elicitation =
      form === undefined && url === undefined
        ? { form: {} }
        : {
            ...(isJsonObject(form) ? { form } : {}),
            ...(isJsonObject(url) ? { url } : {}),
          };
  }
  return out;
}

/** What every request to a modern backend declares in `params._meta` (MCP 2026-07-28, Basic: `_meta`). */
export interface ModernRequestEnvelope {
  capabilities: JsonObject;
  clientInfo: JsonObject;
  /** The `logging/setLevel` a client asked for, carried per request. */
  logLevel?: string;
}

/** Request params with the modern envelope added to their `_meta`. */
export function withModernEnvelope(
  params: JsonObject | undefined,
  envelope: ModernRequestEnvelope,
): JsonObject {
  const meta = isJsonObject(params?._meta) ? params._meta : {};
  const added: JsonObject = {
    [MetaKey.protocolVersion]: MODERN_REVISION,
    [MetaKey.clientCapabilities]: envelope.capabilities,
    [MetaKey.clientInfo]: envelope.clientInfo,
  };
  if (envelope.logLevel !== undefined) added[MetaKey.logLevel] = envelope.logLevel;
  return { ...params, _meta: { ...meta, ...added } };
}

/** A modern result in the legacy shape: no `resultType`, cache hints or server identity. */
export function legacyResult(method: string, result: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(result)) {
    if (!MODERN_ONLY_RESULT_KEYS.includes(key)) out[key] = value;
  }
  if (isJsonObject(result._meta)) {
    const meta = Object.fromEntries(
      Object.entries(result._meta).filter(([key]) => !MODERN_ONLY_RESULT_META.includes(key)),
    );
    if (Object.keys(meta).length > 0) out._meta = meta;
    else delete out._meta;
  }
  if (method === 'tools/list' && Array.isArray(out.tools)) {
    out.tools = out.tools.filter((tool) => headerDeclarations(tool) !== undefined);
  }
  return out;
}

/** A modern error in the legacy numbering ({@link LEGACY_ERROR_CODES}). */
export function legacyError(method: string, error: JsonRpcErrorObject): JsonRpcErrorObject {
  const rule = LEGACY_ERROR_CODES.find(
    (r) => r.method === method && r.code === error.code && r.message.test(error.message),
  );
  return rule ? { ...error, code: rule.legacy } : error;
}

/** Whether a result asks for client input before it can complete (MCP 2026-07-28, Basic: Multi Round-Trip Requests). */
export function isInputRequired(result: JsonObject): boolean {
  return result.resultType === 'input_required';
}

/** One input a modern backend asks for, as the legacy request the client answers. */
export interface InputRequest {
  key: string;
  method: string;
  params: JsonObject | undefined;
}

/**
 * The input requests of an `InputRequiredResult`, each a legacy request; a URL-mode elicitation
 * gets an `elicitationId`, which 2025-11-25 clients require and 2026-07-28 removed (`mint` makes
 * one). Entries of a method the era does not allow are left out.
 */
export function inputRequestsOf(result: JsonObject, mint: () => string): InputRequest[] {
  const requests = isJsonObject(result.inputRequests) ? result.inputRequests : {};
  const out: InputRequest[] = [];
  for (const [key, entry] of Object.entries(requests)) {
    if (!isJsonObject(entry) || typeof entry.method !== 'string') continue;
    if (!INPUT_REQUEST_METHODS.includes(entry.method)) continue;
    let params = isJsonObject(entry.params) ? entry.params : undefined;
    if (entry.method === 'elicitation/create' && params?.mode === 'url' && !params.elicitationId) {
      params = { ...params, elicitationId: mint() };
    }
    out.push({ key, method: entry.method, params });
  }
  return out;
}

/** The params of an MRTR retry: the original ones, the answers, and `requestState` verbatim. */
export function retryParams(
  original: JsonObject | undefined,
  inputResponses: JsonObject,
  result: JsonObject,
): JsonObject {
  const { inputResponses: _old, requestState: _state, ...rest } = original ?? {};
  const out: JsonObject = { ...rest, inputResponses };
  if (result.requestState !== undefined) out.requestState = result.requestState;
  return out;
}

/** What a `DiscoverResult` tells a client about its server (MCP 2026-07-28, Basic: Lifecycle, Discovery). */
export interface Discovery {
  supportedVersions: string[];
  capabilities: JsonObject;
  serverInfo: JsonObject | undefined;
  instructions: string | undefined;
  /** How long the result may be cached; 0 means revalidate each time. */
  ttlMs: number;
}

/** Reads a `DiscoverResult`; undefined when it is not one. */
export function readDiscovery(result: JsonObject): Discovery | undefined {
  if (!Array.isArray(result.supportedVersions) || !isJsonObject(result.capabilities)) {
    return undefined;
  }
  const meta = isJsonObject(result._meta) ? result._meta : {};
  const serverInfo = meta[MetaKey.serverInfo];
  return {
    supportedVersions: result.supportedVersions.filter((v): v is string => typeof v === 'string'),
    capabilities: result.capabilities,
    serverInfo: isJsonObject(serverInfo) ? serverInfo : undefined,
    instructions: typeof result.instructions === 'string' ? result.instructions : undefined,
    ttlMs: typeof result.ttlMs === 'number' && result.ttlMs >= 0 ? result.ttlMs : 0,
  };
}

/**
 * The server capabilities of a modern backend as a legacy client reads them: as declared, without
 * `extensions` (none is implemented by the proxy: MCP 2026-07-28, Basic: Capabilities).
 * `resources.subscribe` stays: the proxy serves `resources/subscribe` with a listen stream.
 */
export function legacyServerCapabilities(modern: JsonObject): JsonObject {
  const { extensions: _extensions, ...out } = modern;
  return out;
}

/**
 * Legacy methods a modern backend serves through its `subscriptions/listen` stream instead
 * (MCP 2026-07-28, Basic: Subscriptions): the proxy keeps the subscribed URIs itself.
 */
export const SUBSCRIPTION_METHODS: readonly string[] = [
  'resources/subscribe',
  'resources/unsubscribe',
];

/**
 * A notification of a modern backend as legacy clients get it: the stream's acknowledgement is
 * the proxy's business (undefined), and the subscription id is taken out of `_meta`.
 */
export function legacyNotification(
  notification: JsonRpcNotification,
): JsonRpcNotification | undefined {
  if (notification.method === ACKNOWLEDGED_METHOD) return undefined;
  const params = notification.params;
  if (!isJsonObject(params?._meta) || !(MetaKey.subscriptionId in params._meta)) {
    return notification;
  }
  const { [MetaKey.subscriptionId]: _id, ...meta } = params._meta;
  const { _meta: _old, ...rest } = params;
  return {
    ...notification,
    params: Object.keys(meta).length > 0 ? { ...rest, _meta: meta } : rest,
  };
}

/**
 * What an answer to the `server/discover` probe says of the backend's era (MCP 2026-07-28, Basic:
 * Lifecycle, Version Negotiation; docs/protocol-versions.md, "Modern backends"): a
 * `DiscoverResult` or a modern error means modern; -32022 whose supported versions lack ours
 * means it speaks no revision we can use in that era; anything else means legacy.
 */
export function eraOfProbeAnswer(
  answer: { result: JsonObject } | { error: JsonRpcErrorObject },
): 'modern' | 'legacy' {
  if ('result' in answer) return readDiscovery(answer.result) ? 'modern' : 'legacy';
  const { code, data } = answer.error;
  if (code === -32022) {
    const supported = isJsonObject(data) && Array.isArray(data.supported) ? data.supported : [];
    return supported.includes(MODERN_REVISION) ? 'modern' : 'legacy';
  }
  return MODERN_ERA_ERRORS.includes(code) ? 'modern' : 'legacy';
}

/**
 * A tool's valid `x-mcp-header` declarations (MCP 2026-07-28, Transports: Streamable HTTP, Custom
 * Headers from Tool Parameters), read by the one rule of `modern-headers.ts`.
 */
export type HeaderDeclarations = readonly ParamHeader[];

/**
 * The `x-mcp-header` declarations of a tool; undefined when one is invalid, and such a tool must
 * not be listed (MCP 2026-07-28, Transports: Streamable HTTP, Custom Headers from Tool Parameters).
 */
export function headerDeclarations(tool: unknown): HeaderDeclarations | undefined {
  if (!isJsonObject(tool)) return undefined;
  const read = readParamHeaders(tool.inputSchema);
  return read.valid ? read.headers : undefined;
}

/** The argument at a `properties` path of a tool's arguments. */
function argumentAt(args: unknown, path: readonly string[]): unknown {
  let value = args;
  for (const key of path) value = isJsonObject(value) ? value[key] : undefined;
  return value;
}

/**
 * The routing headers of a modern POST, computed from the outgoing body (MCP 2026-07-28,
 * Transports: Streamable HTTP, Request Headers): `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`
 * for `tools/call`, `prompts/get` and `resources/read`, and `Mcp-Param-<H>` for each argument the
 * tool declares with `x-mcp-header` (`declarations` of the called tool, when known). Values that
 * are not plain ASCII are sent as `=?base64?…?=`.
 */
export function modernRoutingHeaders(
  method: string,
  params: JsonObject | undefined,
  declarations?: HeaderDeclarations,
): Record<string, string> {
  const meta = isJsonObject(params?._meta) ? params._meta : {};
  const version = meta[MetaKey.protocolVersion];
  const headers: Record<string, string> = {
    'mcp-protocol-version': typeof version === 'string' ? version : MODERN_REVISION,
    'mcp-method': method,
  };
  const nameKey =
    method === 'tools/call' || method === 'prompts/get'
      ? 'name'
      : method === 'resources/read'
        ? 'uri'
        : undefined;
  const name = nameKey === undefined ? undefined : params?.[nameKey];
  if (typeof name === 'string') headers['mcp-name'] = encodeParamHeader(name);
  for (const declared of method === 'tools/call' ? (declarations ?? []) : []) {
    const value = argumentAt(params?.arguments, declared.path);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      continue;
    }
    headers[`mcp-param-${declared.name.toLowerCase()}`] = encodeParamHeader(value);
  }
  return headers;
}

/** Whether a message's params carry the modern envelope, so that its POST is a modern one. */
export function isModernParams(params: unknown): boolean {
  return (
    isJsonObject(params) &&
    isJsonObject(params._meta) &&
    params._meta[MetaKey.protocolVersion] === MODERN_REVISION
  );
}
