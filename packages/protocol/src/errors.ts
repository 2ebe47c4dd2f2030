import type { JsonRpcErrorObject, JsonRpcFailure, JsonRpcId } from './jsonrpc.js';

/**
 * JSON-RPC 2.0 error codes as numbers, for reading errors that arrive from peers (and for tests).
 * Errors Switchyard raises itself are named by {@link ErrorName} and numbered by {@link ERRORS}.
 */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** The generic implementation-defined server error (the SDK uses it for "connection closed"). */
  ServerError: -32000,
  /** The request timed out (the SDK's `ErrorCode.RequestTimeout`). */
  RequestTimeout: -32001,
  /** MCP 2025-11-25, Server Features: Resources, Error Handling: resource not found. */
  ResourceNotFound: -32002,
  /** Switchyard: the backend that owns the target is not running or cannot be reached. */
  BackendUnavailable: -32010,
  /**
   * Switchyard: the client's key or session is over its request rate; `data.retryAfterMs` says
   * when a token will be there (docs/operations.md, "Rate limits").
   */
  RateLimited: -32014,
  /**
   * Switchyard: a request waited for a free slot and was refused (its queue was full, or its wait
   * ran out); `data.retryAfterMs` says when to try again (docs/operations.md, "Admission").
   */
  Overloaded: -32012,
  /**
   * Switchyard: the tool's definition changed since it was pinned and is not approved yet
   * (docs/operations.md, "Tool pinning").
   */
  ToolNotApproved: -32013,
  /** MCP 2026-07-28, Transports: Streamable HTTP: a routing header disagrees with the body. */
  HeaderMismatch: -32020,
  /** MCP 2026-07-28, Basic: a request needs a client capability its envelope lacks. */
  MissingRequiredClientCapability: -32021,
  /** MCP 2026-07-28, Basic: Lifecycle: the envelope names a version the server does not speak. */
  UnsupportedProtocolVersion: -32022,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The one table of Switchyard's own errors: each string code and what it becomes on the wire, as a
 * JSON-RPC error code and, where the answer is an HTTP response of its own, an HTTP status. Every
 * boundary converts through it (`wireError`, `httpStatusOf`), so one failure reads the same on
 * every front. See docs/architecture.md, "Errors".
 */
export const ERRORS = {
  /** The body is not JSON (JSON-RPC 2.0, Error object). */
  parse_error: { jsonRpc: ErrorCode.ParseError, http: 400 },
  /** JSON that is not a valid JSON-RPC request, or a shape the front does not take (batches). */
  invalid_request: { jsonRpc: ErrorCode.InvalidRequest, http: 400 },
  method_not_found: { jsonRpc: ErrorCode.MethodNotFound, http: 404 },
  invalid_params: { jsonRpc: ErrorCode.InvalidParams, http: 400 },
  internal_error: { jsonRpc: ErrorCode.InternalError, http: 500 },
  /** No answer in time (a backend, or a peer of a relayed request). */
  request_timeout: { jsonRpc: ErrorCode.RequestTimeout, http: 504 },
  resource_not_found: { jsonRpc: ErrorCode.ResourceNotFound, http: 404 },
  /**
   * A key or session is over its rate limit (docs/operations.md, "Rate limits"): 429 with
   * `Retry-After` on an HTTP request of its own, this error with `data.retryAfterMs` on a session.
   */
  rate_limited: { jsonRpc: ErrorCode.RateLimited, http: 429 },
  /** The backend that owns the target is not running (its state and reason go in `data`). */
  backend_unavailable: { jsonRpc: ErrorCode.BackendUnavailable, http: 503 },
  /** A backend's `initialize` failed or timed out. */
  initialize_failed: { jsonRpc: ErrorCode.BackendUnavailable, http: 502 },
  /** A backend answered `initialize` with a revision Switchyard does not speak. */
  unsupported_revision: { jsonRpc: ErrorCode.BackendUnavailable, http: 502 },
  /**
   * A message over the configured size limit: -32600 (the message cannot be taken as a request),
   * the same on every front, and 413 where it is a body of its own.
   */
  message_too_large: { jsonRpc: ErrorCode.InvalidRequest, http: 413 },
  /**
   * A request found every slot taken and the queue in front of them full (docs/operations.md,
   * "Admission"); `data` has `server`, `reason` and `retryAfterMs`.
   */
  queue_full: { jsonRpc: ErrorCode.Overloaded, http: 503 },
  /** A request waited in a queue for `queueTimeoutMs` without getting a slot; `data` as above. */
  queue_timeout: { jsonRpc: ErrorCode.Overloaded, http: 503 },
  /**
   * A tool whose definition changed since it was pinned, held back until approved
   * (docs/operations.md, "Tool pinning"); `data` has `server`, `tool`, `pinnedHash`, `currentHash`.
   */
  tool_not_approved: { jsonRpc: ErrorCode.ToolNotApproved, http: 403 },
  /** The proxy is shutting down and takes no new work. */
  shutting_down: { jsonRpc: ErrorCode.ServerError, http: 503 },
  /** A connection or session ended before its answer came. */
  connection_closed: { jsonRpc: ErrorCode.ServerError, http: 502 },
  /** A bearer key is required and was missing or wrong. */
  unauthorized: { jsonRpc: ErrorCode.RequestTimeout, http: 401 },
  /** The request's `Origin` or `Host` is not allowed (MCP 2025-11-25, Transports, Security Warning). */
  forbidden: { jsonRpc: ErrorCode.InvalidRequest, http: 403 },
  /**
   * The session id names no live session: 404, as MCP 2025-11-25, Transports: Streamable HTTP,
   * Session Management requires, with the code the SDK's own server transport answers.
   */
  session_not_found: { jsonRpc: ErrorCode.RequestTimeout, http: 404 },
  /** A front or endpoint that does not exist. */
  not_found: { jsonRpc: ErrorCode.InvalidRequest, http: 404 },
  /** The session already has what the request would open (a second standalone GET stream). */
  conflict: { jsonRpc: ErrorCode.InvalidRequest, http: 409 },
  /** The HTTP method is not served on this path. */
  method_not_allowed: { jsonRpc: ErrorCode.InvalidRequest, http: 405 },
  /** The content type or `Accept` header does not fit the transport. */
  unsupported_media_type: { jsonRpc: ErrorCode.InvalidRequest, http: 415 },
  not_acceptable: { jsonRpc: ErrorCode.InvalidRequest, http: 406 },
  /**
   * A modern request's `MCP-Protocol-Version`, `Mcp-Method` or `Mcp-Name` header is missing or
   * disagrees with its body (MCP 2026-07-28, Transports: Streamable HTTP, Request Headers).
   */
  header_mismatch: { jsonRpc: ErrorCode.HeaderMismatch, http: 400 },
  /**
   * A modern request needs a client capability its envelope does not declare (MCP 2026-07-28,
   * Basic: Lifecycle, Capabilities).
   */
  missing_client_capability: { jsonRpc: ErrorCode.MissingRequiredClientCapability, http: 400 },
  /**
   * A modern request's envelope names a protocol version the proxy does not speak; `data` has
   * `supported` and `requested` (MCP 2026-07-28, Basic: Lifecycle, Version Negotiation).
   */
  unsupported_protocol_version: { jsonRpc: ErrorCode.UnsupportedProtocolVersion, http: 400 },
  /** A configuration is invalid; every issue, with file, line and column, is in `data`. */
  config_invalid: { jsonRpc: ErrorCode.InvalidParams, http: 400 },
  /** No configuration file was found, or the one named does not exist. */
  config_not_found: { jsonRpc: ErrorCode.InvalidParams, http: 404 },
  /** The configuration file exists but cannot be read. */
  config_unreadable: { jsonRpc: ErrorCode.InternalError, http: 500 },
} as const satisfies Record<string, { jsonRpc: number; http: number }>;

/** Switchyard's own error codes, as strings. */
export type ErrorName = keyof typeof ERRORS;

/**
 * A local error that crosses a boundary as a wire error (style: one error type, string codes mapped
 * once). Expected outcomes are return values; this is for what is thrown.
 */
export class SwitchyardError extends Error {
  constructor(
    readonly code: ErrorName,
    message: string,
    readonly data?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SwitchyardError';
  }

  /** The JSON-RPC error object this error becomes. */
  toJsonRpc(): JsonRpcErrorObject {
    return wireError(this.code, this.message, this.data);
  }

  get httpStatus(): number {
    return ERRORS[this.code].http;
  }
}

/**
 * The one place where wire errors are built from numbers (errors relayed from a peer keep theirs).
 * `data` is left out when undefined so that the object matches every revision's schema.
 */
export function toJsonRpcError(code: number, message: string, data?: unknown): JsonRpcErrorObject {
  return data === undefined ? { code, message } : { code, message, data };
}

/** The JSON-RPC error object for one of Switchyard's own errors. */
export function wireError(name: ErrorName, message: string, data?: unknown): JsonRpcErrorObject {
  return toJsonRpcError(ERRORS[name].jsonRpc, message, data);
}

/** The HTTP status for one of Switchyard's own errors, where it is answered on a response of its own. */
export function httpStatusOf(name: ErrorName): number {
  return ERRORS[name].http;
}

/** A complete error response for `id` (null when the id could not be read). */
export function errorResponse(
  id: JsonRpcId | null,
  code: number,
  message: string,
  data?: unknown,
): JsonRpcFailure {
  return { jsonrpc: '2.0', id, error: toJsonRpcError(code, message, data) };
}

/** A complete error response for `id` for one of Switchyard's own errors. */
export function failure(
  id: JsonRpcId | null,
  name: ErrorName,
  message: string,
  data?: unknown,
): JsonRpcFailure {
  return { jsonrpc: '2.0', id, error: wireError(name, message, data) };
}
