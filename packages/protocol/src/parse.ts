import { failure } from './errors.js';
import {
  isJsonObject as isObject,
  type JsonRpcFailure,
  type JsonRpcId,
  type JsonRpcMessage,
} from './jsonrpc.js';
import { keepRawResult } from './raw-result.js';

/** The outcome of checking one decoded JSON value against JSON-RPC 2.0. */
export type MessageCheck =
  | { ok: true; message: JsonRpcMessage }
  | { ok: false; error: JsonRpcFailure };

/** The outcome of parsing a frame: one message, a batch, or the error response to send back. */
export type FrameParse =
  | { ok: true; batch: false; message: JsonRpcMessage }
  | { ok: true; batch: true; items: MessageCheck[] }
  | { ok: false; error: JsonRpcFailure };

function isId(value: unknown): value is JsonRpcId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function invalid(id: JsonRpcId | null, message: string): MessageCheck {
  return { ok: false, error: failure(id, 'invalid_request', message) };
}

/**
 * Strictly checks a decoded value against JSON-RPC 2.0 as MCP restricts it: `jsonrpc: "2.0"`,
 * ids are strings or numbers (never null), params are objects (by-name), a response has exactly
 * one of `result`/`error`. Returns the right error response instead of throwing: -32600 for a
 * value that is not a request, -32602 for params that are not an object.
 */
export function checkMessage(value: unknown): MessageCheck {
  if (!isObject(value)) return invalid(null, 'Invalid Request: expected a JSON-RPC object');
  const id = isId(value.id) ? value.id : null;
  if (value.jsonrpc !== '2.0') return invalid(id, 'Invalid Request: "jsonrpc" must be "2.0"');
  if ('method' in value) {
    if (typeof value.method !== 'string' || value.method.length === 0) {
      return invalid(id, 'Invalid Request: "method" must be a non-empty string');
    }
    if ('id' in value && !isId(value.id)) {
      return invalid(null, 'Invalid Request: "id" must be a string or a number');
    }
    if ('params' in value && value.params !== undefined && !isObject(value.params)) {
      return {
        ok: false,
        error: failure(id, 'invalid_params', 'Invalid params: "params" must be an object'),
      };
    }
    return { ok: true, message: value as unknown as JsonRpcMessage };
  }
  const hasResult = 'result' in value;
  const hasError = 'error' in value;
  if (hasResult === hasError) {
    return invalid(
      id,
      'Invalid Request: expected "method", or exactly one of "result" and "error"',
    );
  }
  if (!('id' in value) || (value.id !== null && !isId(value.id))) {
    return invalid(null, 'Invalid Request: a response needs an "id"');
  }
  if (hasResult && !isObject(value.result)) {
    return invalid(id, 'Invalid Request: "result" must be an object');
  }
  if (hasError) {
    const error = value.error;
    if (!isObject(error) || !Number.isInteger(error.code) || typeof error.message !== 'string') {
      return invalid(id, 'Invalid Request: "error" needs an integer "code" and a string "message"');
    }
  }
  return { ok: true, message: value as unknown as JsonRpcMessage };
}

/**
 * Parses one transport frame (an HTTP body, a stdio line, a WebSocket message). Not JSON gives
 * -32700; an empty batch gives -32600; a batch is returned item by item so that the caller can
 * answer the valid items and report the invalid ones, as JSON-RPC 2.0 requires.
 */
export function parseFrame(text: string): FrameParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      ok: false,
      error: failure(null, 'parse_error', 'Parse error: invalid JSON'),
    };
  }
  keepRawResult(text, value);
  return parseValue(value);
}

/** As {@link parseFrame}, for a value already decoded from JSON. */
export function parseValue(value: unknown): FrameParse {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return {
        ok: false,
        error: failure(null, 'invalid_request', 'Invalid Request: empty batch'),
      };
    }
    return { ok: true, batch: true, items: value.map(checkMessage) };
  }
  const check = checkMessage(value);
  return check.ok ? { ok: true, batch: false, message: check.message } : check;
}
