import type {
  JsonRpcId,
  JsonRpcNotification,
  JsonRpcRequest,
  JsonRpcResponse,
  ModernEnvelope,
} from '@switchyard/protocol';
import type { FrontSession } from '../front-session.js';
import type { PendingCall } from './input-rounds.js';

/** One modern request, as a front hands it over. */
export interface ModernCall {
  request: JsonRpcRequest;
  envelope: ModernEnvelope;
  principal?: string | undefined;
  /** Notifications that belong to the request (progress, logs it asked for), in order. */
  notify?: (notification: JsonRpcNotification) => void;
  /** Aborted when the client gives up on the request (its HTTP request closed, or cancelled). */
  signal?: AbortSignal;
}

/** One request in flight on an internal session, by the id the bridge gave it. */
export interface Waiting {
  clientId: JsonRpcId;
  settle: (answer: JsonRpcResponse) => void;
  /** Where the request's own notifications (progress, logs) go, if anywhere. */
  notify: ((notification: JsonRpcNotification) => void) | undefined;
  /** The log level the request asked for (`_meta["io.modelcontextprotocol/logLevel"]`). */
  logLevel: string | undefined;
  /** For a call that may take input (MRTR): where the backend's requests during it go. */
  pending?: PendingCall;
}

/** A legacy-canonical client session of the router that serves modern requests. */
export interface InternalSession {
  key: string;
  front: FrontSession;
  /** The router's answer to the synthetic `initialize`: its result, or why it failed. */
  ready: Promise<JsonRpcResponse>;
  waiting: Map<JsonRpcId, Waiting>;
  idleTimer: unknown;
  /** Where notifications that belong to no request go: the listen stream this session serves. */
  listener?: ((notification: JsonRpcNotification) => void) | undefined;
}

/**
 * What a modern client cannot be given (MCP 2026-07-28 has no server requests outside MRTR and
 * no session-wide logs; docs/protocol-versions.md, "The modern era (2026-07-28)"):
 * - `request_outside_call`: a backend request related to no call the bridge is serving;
 * - `request_without_mrtr`: one during a method that cannot return `input_required`;
 * - `log_not_requested`: a log message for no request that asked for logs (`…/logLevel`);
 * - `log_below_level`: one below the level its request asked for.
 */
export type ModernDropReason =
  | 'request_outside_call'
  | 'request_without_mrtr'
  | 'log_not_requested'
  | 'log_below_level';

/** One message the bridge could not deliver to a modern client, and its method. */
export interface ModernDrop {
  reason: ModernDropReason;
  method: string;
}
