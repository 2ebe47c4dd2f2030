import type { JsonObject, JsonRpcRequest } from '@switchyard/protocol';
import type { Outcome } from './outcome.js';

/** A request in flight at a backend: its backend-side id and how it will end. */
export interface PendingRequest {
  readonly id: number;
  readonly outcome: Promise<Outcome>;
}

export interface RequestOptions {
  /** After this long the backend gets `notifications/cancelled` and the caller a timeout error. */
  timeoutMs?: number;
  /**
   * Each progress notification restarts the timeout, up to this much in all since the request was
   * sent, so long tools that report progress are not cut off (docs/operations.md, "Limits").
   * Default: no extension.
   */
  maxTimeoutMs?: number;
  /** Called for each `notifications/progress` of this request (a fresh token is minted per hop). */
  onProgress?: (params: JsonObject) => void;
  /**
   * Where a modern backend's input requests of this request go (MRTR: MCP 2026-07-28, Basic:
   * Multi Round-Trip Requests): the client that made it, exactly.
   */
  onServerRequest?: (request: JsonRpcRequest) => Promise<Outcome>;
  /**
   * The capabilities of the client that made this request, declared to a modern backend in this
   * request's envelope; the session's own `capabilities` otherwise.
   */
  clientCapabilities?: JsonObject;
}
