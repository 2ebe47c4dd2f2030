/**
 * JSON-RPC 2.0 message shapes as MCP uses them. Ids are kept exactly as sent: a string id stays a
 * string and a number stays a number, because clients match responses by strict equality.
 */
export type JsonRpcId = string | number;

/** A JSON object; MCP params and results are always objects. */
export type JsonObject = { [key: string]: unknown };

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: JsonRpcId;
  method: string;
  params?: JsonObject;
}

export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: JsonObject;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcSuccess {
  jsonrpc: '2.0';
  id: JsonRpcId;
  result: JsonObject;
}

export interface JsonRpcFailure {
  jsonrpc: '2.0';
  /** `null` only when the request id could not be read (parse error, invalid request). */
  id: JsonRpcId | null;
  error: JsonRpcErrorObject;
}

export type JsonRpcResponse = JsonRpcSuccess | JsonRpcFailure;
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Copies the own enumerable keys of `source` (all but `skip`) onto `target` as own properties,
 * as an object spread does, `__proto__` included (a plain assignment would set the prototype
 * instead), and returns `target`. On the request path this replaces `{ ...source, more }`, which
 * V8 runs far slower than copying key by key (docs/performance.md, "Eras", fourth round).
 */
export function copyKeys(
  target: JsonObject,
  source: JsonObject,
  skip?: string | readonly string[],
): JsonObject {
  for (const key of Object.keys(source)) {
    if (skip !== undefined && (typeof skip === 'string' ? key === skip : skip.includes(key)))
      continue;
    if (key === '__proto__') {
      Object.defineProperty(target, key, {
        value: source[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else target[key] = source[key];
  }
  return target;
}

/** True for a request (has `method` and `id`). */
export function isRequest(message: JsonRpcMessage): message is JsonRpcRequest {
  return 'method' in message && 'id' in message;
}

/** True for a notification (has `method`, no `id`). */
export function isNotification(message: JsonRpcMessage): message is JsonRpcNotification {
  return 'method' in message && !('id' in message);
}

/** True for a response, successful or not. */
export function isResponse(message: JsonRpcMessage): message is JsonRpcResponse {
  return !('method' in message);
}

/** True for an error response. */
export function isFailure(message: JsonRpcMessage): message is JsonRpcFailure {
  return 'error' in message && !('method' in message);
}
