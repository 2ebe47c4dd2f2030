import type { JsonRpcErrorObject, JsonRpcFailure, JsonRpcId } from './jsonrpc.js';

/** Standard JSON-RPC 2.0 error codes, plus the MCP and Switchyard server-defined ones. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** MCP's generic server error (the SDK uses it for "connection closed", "not initialized"). */
  ServerError: -32000,
  /** MCP: the request timed out (the SDK's `RequestTimeout`). */
  RequestTimeout: -32001,
  /** Switchyard: the backend that owns the target is not running or cannot be reached. */
  BackendUnavailable: -32010,
  /** Switchyard: the request was too large for the configured limit. */
  MessageTooLarge: -32011,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The one place where wire errors are built (style: errors are converted once, at the boundary).
 * `data` is left out when undefined so that the object matches every revision's schema.
 */
export function toJsonRpcError(code: number, message: string, data?: unknown): JsonRpcErrorObject {
  return data === undefined ? { code, message } : { code, message, data };
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
