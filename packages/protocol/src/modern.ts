import type { ErrorName } from './errors.js';
import {
  copyKeys,
  isJsonObject,
  type JsonObject,
  type JsonRpcErrorObject,
  type JsonRpcMessage,
} from './jsonrpc.js';
import { LEGACY_REVISIONS, MODERN_REVISIONS } from './revisions.js';

/**
 * The modern era (MCP 2026-07-28) as data: the `_meta` envelope every request carries, the methods
 * a modern client may call, and the checks and decorations a server of that era applies. What the
 * proxy bridges to legacy backends, and how, is in docs/protocol-versions.md, "The modern era
 * (2026-07-28)".
 */
export const MODERN_REVISION = '2026-07-28';

/** Reserved `_meta` keys of MCP 2026-07-28 (Basic: `_meta`, Request metadata). */
export const MetaKey = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

/** The request-envelope keys, which mean nothing to a legacy backend and are not forwarded. */
const ENVELOPE_KEYS: readonly string[] = [
  MetaKey.protocolVersion,
  MetaKey.clientCapabilities,
  MetaKey.clientInfo,
  MetaKey.logLevel,
];

/** The modern client requests (MCP 2026-07-28 schema, `ClientRequest`). */
export const MODERN_CLIENT_REQUESTS: readonly string[] = [
  'server/discover',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'completion/complete',
  'subscriptions/listen',
];

/**
 * Results that carry the cache hints `ttlMs` and `cacheScope` (MCP 2026-07-28 schema,
 * `CacheableResult`).
 */
export const CACHEABLE_METHODS: readonly string[] = [
  'server/discover',
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
];

/** Every revision the proxy speaks to clients, newest first, as `server/discover` lists them. */
export const SUPPORTED_VERSIONS: readonly string[] = [
  ...MODERN_REVISIONS,
  ...[...LEGACY_REVISIONS].reverse(),
];

/**
 * The client capabilities whose requests can reach a modern client through this proxy: a legacy
 * backend's `sampling/createMessage`, `elicitation/create` and `roots/list` during a call become
 * the `inputRequests` of an `InputRequiredResult` (MCP 2026-07-28, Basic: Multi Round-Trip
 * Requests; docs/protocol-versions.md, "The modern era (2026-07-28)").
 */
export const MODERN_RELAYED_CAPABILITIES: readonly string[] = ['sampling', 'elicitation', 'roots'];

/** The backend requests MRTR can carry, and the client capability each needs. */
export const INPUT_REQUEST_CAPABILITY: Readonly<Record<string, string>> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/**
 * A legacy backend's request as a modern `InputRequest` (MCP 2026-07-28 schema): `elicitationId`
 * is gone from URL-mode elicitations, whose outcome the client reports by retrying. Undefined for
 * a method MRTR cannot carry.
 */
export function inputRequestOf(
  method: string,
  params: JsonObject | undefined,
): JsonObject | undefined {
  if (!(method in INPUT_REQUEST_CAPABILITY)) return undefined;
  if (params === undefined) return { method };
  const { elicitationId: _dropped, ...rest } = withoutInputKey(params);
  return { method, params: method === 'elicitation/create' ? rest : withoutInputKey(params) };
}

/**
 * The `_meta` key under which the proxy carries the key a modern backend gave an input request
 * while it travels as a legacy request, so a modern client is asked under the backend's own key
 * (docs/protocol-versions.md, "The modern era (2026-07-28)").
 */
export const INPUT_KEY_META = 'switchyard/inputKey';

/** The backend's key of an input request travelling as a legacy request, if it has one. */
export function inputKeyOf(params: JsonObject | undefined): string | undefined {
  const meta = params?._meta;
  const key = isJsonObject(meta) ? meta[INPUT_KEY_META] : undefined;
  return typeof key === 'string' ? key : undefined;
}

/** Request params without the proxy's input key (and without `_meta` if nothing else is in it). */
function withoutInputKey(params: JsonObject): JsonObject {
  if (!isJsonObject(params._meta) || !(INPUT_KEY_META in params._meta)) return params;
  const { [INPUT_KEY_META]: _key, ...meta } = params._meta;
  const { _meta: _old, ...rest } = params;
  return Object.keys(meta).length > 0 ? { ...rest, _meta: meta } : rest;
}

/**
 * A client's `inputResponses` entry as the result of the legacy request it answers: a result
 * object, without `resultType` (which legacy results do not have); undefined when it is no object.
 */
export function inputResponseOf(value: unknown): JsonObject | undefined {
  if (!isJsonObject(value)) return undefined;
  const { resultType: _dropped, ...rest } = value;
  return rest;
}

/**
 * The URL-mode `ElicitRequest`s of a legacy `URLElicitationRequiredError` (-32042, MCP
 * 2025-11-25, Client Features: Elicitation), without their `elicitationId`: MCP 2026-07-28 retired
 * the error and asks for the same through an `InputRequiredResult`. Undefined for any other error.
 */
export function urlElicitationsOf(error: JsonRpcErrorObject): JsonObject[] | undefined {
  if (error.code !== -32042 || !isJsonObject(error.data)) return undefined;
  const elicitations = error.data.elicitations;
  if (!Array.isArray(elicitations)) return undefined;
  const requests = elicitations.filter(isJsonObject).map((params) => {
    const { elicitationId: _dropped, ...rest } = params;
    return { method: 'elicitation/create', params: { ...rest, mode: 'url' } };
  });
  return requests.length > 0 ? requests : undefined;
}

/** Log severities, least severe first (MCP 2025-11-25, Server Utilities: Logging; RFC 5424). */
const LOG_LEVELS = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

/** The level a modern request asked its log messages at, if any (`_meta[…/logLevel]`). */
export function requestedLogLevel(params: unknown): string | undefined {
  const level = metaOf(params)?.[MetaKey.logLevel];
  return typeof level === 'string' && LOG_LEVELS.includes(level) ? level : undefined;
}

/** Whether a log message at `level` is at or above `threshold`. */
export function logLevelAdmits(threshold: string, level: unknown): boolean {
  return typeof level === 'string' && LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold);
}

/**
 * The capabilities the proxy declares for a modern client on its internal legacy session: the
 * client's own, kept only where the proxy can relay what they allow (MCP 2025-11-25, Basic:
 * Lifecycle, Capability Negotiation: a client declares only what it supports).
 */
export function relayedCapabilities(capabilities: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(capabilities))
    if (MODERN_RELAYED_CAPABILITIES.includes(key)) out[key] = capabilities[key];
  return out;
}

/** Why a modern request is refused before it is served: one of Switchyard's errors. */
export interface ModernRefusal {
  name: ErrorName;
  message: string;
  data?: JsonObject;
}

/** What the envelope of a valid modern request declares. */
export interface ModernEnvelope {
  version: string;
  capabilities: JsonObject;
  clientInfo: JsonObject | undefined;
}

/** The `_meta` of request params, when there is one. */
function metaOf(params: unknown): JsonObject | undefined {
  if (!isJsonObject(params)) return undefined;
  return isJsonObject(params._meta) ? params._meta : undefined;
}

/**
 * Whether a message is of the modern era by its body (MCP 2026-07-28, Transports, and
 * docs/protocol-versions.md): it carries a reserved envelope key, or is `server/discover`.
 */
export function hasModernEnvelope(message: JsonRpcMessage): boolean {
  if (!('method' in message)) return false;
  if (message.method === 'server/discover') return true;
  const meta = metaOf(message.params);
  return (
    meta !== undefined && (MetaKey.protocolVersion in meta || MetaKey.clientCapabilities in meta)
  );
}

/**
 * Reads a modern request's envelope (MCP 2026-07-28, Basic: Lifecycle): `_meta` with a protocol
 * version and client capabilities, else -32602.
 */
export function readEnvelope(params: unknown): ModernEnvelope | ModernRefusal {
  const meta = metaOf(params);
  const version = meta?.[MetaKey.protocolVersion];
  const capabilities = meta?.[MetaKey.clientCapabilities];
  if (!meta || typeof version !== 'string' || !isJsonObject(capabilities)) {
    return {
      name: 'invalid_params',
      message: `Invalid params: _meta must carry ${MetaKey.protocolVersion} and ${MetaKey.clientCapabilities}`,
    };
  }
  const clientInfo = meta[MetaKey.clientInfo];
  return { version, capabilities, clientInfo: isJsonObject(clientInfo) ? clientInfo : undefined };
}

/**
 * Checks a modern request's envelope (MCP 2026-07-28, Basic: Lifecycle): its shape (else -32602,
 * see {@link readEnvelope}), a version the proxy speaks (else -32022 naming the supported ones),
 * a method the modern era has (else -32601; `initialize`, `ping`, `logging/setLevel` and
 * `resources/subscribe` are legacy only).
 */
export function checkEnvelope(
  method: string,
  params: unknown,
  /** The envelope already read from `params` ({@link readEnvelope}), if it was. */
  envelope: ModernEnvelope | ModernRefusal = readEnvelope(params),
): ModernEnvelope | ModernRefusal {
  if (isRefusal(envelope)) return envelope;
  const { version } = envelope;
  if (!(MODERN_REVISIONS as readonly string[]).includes(version)) {
    return {
      name: 'unsupported_protocol_version',
      message: `Unsupported protocol version: ${version}`,
      data: { supported: [...MODERN_REVISIONS], requested: version },
    };
  }
  if (!MODERN_CLIENT_REQUESTS.includes(method)) {
    return { name: 'method_not_found', message: `Method not found: ${method}` };
  }
  return envelope;
}

/** Whether a check ended in a refusal. */
export function isRefusal(value: ModernEnvelope | ModernRefusal): value is ModernRefusal {
  return 'name' in value;
}

/**
 * Decodes a routing-header value: safe ASCII as is, anything else as `=?base64?<b64>?=` (MCP
 * 2026-07-28, Transports: Streamable HTTP, Request Headers).
 */
function decodeHeader(value: string): string {
  if (!value.startsWith('=?')) return value;
  const encoded = /^=\?base64\?([A-Za-z0-9+/=]*)\?=$/.exec(value);
  if (!encoded) return value;
  return new TextDecoder().decode(Uint8Array.from(atob(encoded[1] ?? ''), (c) => c.charCodeAt(0)));
}

/** What `Mcp-Name` must repeat of a request: the tool or prompt name, or the resource URI. */
function nameOf(method: string, params: unknown): string | undefined {
  if (!isJsonObject(params)) return undefined;
  const key =
    method === 'tools/call' || method === 'prompts/get'
      ? 'name'
      : method === 'resources/read'
        ? 'uri'
        : undefined;
  const value = key === undefined ? undefined : params[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Checks the routing headers of a modern POST against its body (MCP 2026-07-28, Transports:
 * Streamable HTTP, Request Headers): `MCP-Protocol-Version` equal to the envelope's version,
 * `Mcp-Method` to the method and, for `tools/call`, `prompts/get` and `resources/read`, `Mcp-Name`
 * to the name or URI. A missing or different header is a -32020 HeaderMismatch.
 */
export function checkRoutingHeaders(
  header: (name: string) => string | null | undefined,
  method: string,
  params: unknown,
  version: string,
): ModernRefusal | undefined {
  const expected: [string, string | undefined][] = [
    ['MCP-Protocol-Version', version],
    ['Mcp-Method', method],
    ['Mcp-Name', nameOf(method, params)],
  ];
  for (const [name, value] of expected) {
    if (value === undefined) continue;
    const sent = header(name.toLowerCase());
    if (sent === null || sent === undefined || decodeHeader(sent) !== value) {
      return {
        name: 'header_mismatch',
        message: `Header mismatch: ${name} must be ${JSON.stringify(value)}, got ${sent === null || sent === undefined ? 'none' : JSON.stringify(sent)}`,
      };
    }
  }
  return undefined;
}

/**
 * Request params for a legacy backend: the envelope keys taken out of `_meta`, and `_meta` left
 * out when nothing else was in it; `progressToken`, trace context and vendor keys stay (MCP
 * 2026-07-28 → 2025-11-25, docs/protocol-versions.md).
 */
export function stripEnvelope(params: JsonObject | undefined): JsonObject | undefined {
  if (!params) return params;
  const meta = metaOf(params);
  if (!meta) return params;
  // Built key by key rather than with spreads and entries: this runs for every modern request.
  const out = copyKeys({}, params, '_meta');
  const rest = copyKeys({}, meta, ENVELOPE_KEYS);
  if (Object.keys(rest).length > 0) out._meta = rest;
  return out;
}

/**
 * The cache hints the proxy gives: no caching (`ttlMs: 0`) and `private`, the safe defaults when
 * lists may change without notice and differ per principal (MCP 2026-07-28, Server: Caching;
 * docs/protocol-versions.md).
 */
export const CACHE_HINTS = { ttlMs: 0, cacheScope: 'private' } as const;

/** The key that holds the items of a list result, and the key they are ordered by. */
const LIST_ORDER: Readonly<Record<string, [string, string]>> = {
  'tools/list': ['tools', 'name'],
  'prompts/list': ['prompts', 'name'],
  'resources/list': ['resources', 'uri'],
  'resources/templates/list': ['resourceTemplates', 'uriTemplate'],
};

function orderedItems(items: unknown, key: string): unknown {
  if (!Array.isArray(items)) return items;
  const keyOf = (item: unknown) =>
    isJsonObject(item) && typeof item[key] === 'string' ? item[key] : '';
  return [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

/**
 * A legacy result in the modern shape (MCP 2026-07-28, Basic: `resultType`, Caching, Server
 * identity): `resultType: "complete"`, cache hints where the result is cacheable, list items in a
 * deterministic order, and the proxy's `serverInfo` in `_meta`.
 */
export function modernResult(
  method: string,
  result: JsonObject,
  serverInfo: JsonObject,
): JsonObject {
  // Copied key by key: an object spread followed by more keys took several µs per call in the
  // proxy, a tenth of what a modern call costs more than a legacy one (docs/performance.md, "Eras").
  const out = copyKeys({}, result);
  out.resultType = 'complete';
  if (CACHEABLE_METHODS.includes(method)) Object.assign(out, CACHE_HINTS);
  const order = LIST_ORDER[method];
  if (order) out[order[0]] = orderedItems(result[order[0]], order[1]);
  const meta = isJsonObject(result._meta) ? copyKeys({}, result._meta) : {};
  meta[MetaKey.serverInfo] = serverInfo;
  out._meta = meta;
  return out;
}

/**
 * A legacy error in the modern numbering: resource not found is -32602 in 2026-07-28 (-32002
 * before; MCP 2026-07-28, Server: Resources, Error Handling). Every other error is unchanged.
 */
export function modernError(error: JsonRpcErrorObject): JsonRpcErrorObject {
  return error.code === -32002 ? { ...error, code: -32602 } : error;
}

/**
 * The proxy's legacy server capabilities as modern ones (MCP 2026-07-28, Basic: Lifecycle,
 * Capabilities): no `logging` (backend logs come session-wide, which a modern client cannot be
 * sent), no `tasks` (an extension in 2026-07-28); `listChanged` and `subscribe` as the legacy ones
 * declare them, since `subscriptions/listen` delivers both (docs/protocol-versions.md).
 */
export function modernCapabilities(legacy: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of ['tools', 'prompts', 'resources'] as const) {
    const declared = legacy[key];
    if (!isJsonObject(declared)) continue;
    const capability: JsonObject = {};
    if (declared.listChanged === true) capability.listChanged = true;
    if (key === 'resources' && declared.subscribe === true) capability.subscribe = true;
    out[key] = capability;
  }
  if (isJsonObject(legacy.completions)) out.completions = {};
  return out;
}

/**
 * The `server/discover` result built from the proxy's answer to a legacy `initialize` (MCP
 * 2026-07-28, Basic: Lifecycle, Discovery): the versions it speaks, its capabilities and merged
 * instructions, cache hints and its identity.
 */
export function discoverResult(initialize: JsonObject): JsonObject {
  const capabilities = isJsonObject(initialize.capabilities) ? initialize.capabilities : {};
  const result: JsonObject = {
    supportedVersions: [...SUPPORTED_VERSIONS],
    capabilities: modernCapabilities(capabilities),
  };
  if (typeof initialize.instructions === 'string') result.instructions = initialize.instructions;
  const serverInfo = isJsonObject(initialize.serverInfo) ? initialize.serverInfo : {};
  return modernResult('server/discover', result, serverInfo);
}
