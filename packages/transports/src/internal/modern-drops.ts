import {
  type JsonRpcId,
  type JsonRpcNotification,
  type JsonRpcRequest,
  logLevelAdmits,
  wireError,
} from '@switchyard/protocol';
import type { InternalSession, ModernDrop, ModernDropReason } from './modern-session.js';

type OnDropped = ((drop: ModernDrop) => void) | undefined;

/**
 * Refuses a backend request no modern client can be asked: MCP 2026-07-28 has server requests
 * only inside a call that can return `input_required` (Basic: Multi Round-Trip Requests), so one
 * outside any call, or during another method, gets -32601 at once (docs/protocol-versions.md).
 */
export function refuseRequest(
  session: InternalSession,
  message: JsonRpcRequest,
  reason: ModernDropReason,
  onDropped: OnDropped,
): void {
  onDropped?.({ reason, method: message.method });
  const why =
    reason === 'request_without_mrtr'
      ? 'the 2026-07-28 client request it came with cannot take input'
      : 'no 2026-07-28 client request is waiting for it';
  session.front.handle({
    jsonrpc: '2.0',
    id: message.id,
    error: wireError('method_not_found', `Method not found: ${message.method} (${why})`),
  });
}

/**
 * A backend log message (MCP 2026-07-28, Server Utilities: Logging): only on the stream of the
 * request it belongs to, when that request asked for logs at its level or below; a modern client
 * has nowhere for session-wide logs, which are dropped and counted.
 */
export function routeLog(
  session: InternalSession,
  message: JsonRpcNotification,
  related: JsonRpcId | undefined,
  onDropped: OnDropped,
): void {
  const waiting = related === undefined ? undefined : session.waiting.get(related);
  const drop = (reason: ModernDropReason) => onDropped?.({ reason, method: message.method });
  if (!waiting?.logLevel || !waiting.notify) drop('log_not_requested');
  else if (!logLevelAdmits(waiting.logLevel, message.params?.level)) drop('log_below_level');
  else waiting.notify(message);
}
