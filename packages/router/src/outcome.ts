import {
  ErrorCode,
  type ErrorName,
  type JsonObject,
  type JsonRpcErrorObject,
  wireError,
} from '@switchyard/protocol';

/** How a request ended; expected failures are values, not exceptions (docs/architecture.md). */
export type Outcome =
  | { kind: 'result'; result: JsonObject }
  | { kind: 'error'; error: JsonRpcErrorObject }
  | { kind: 'cancelled' };

/** An error outcome for one of Switchyard's own errors, numbered by the one error table. */
export function failed(name: ErrorName, message: string, data?: unknown): Outcome {
  return { kind: 'error', error: wireError(name, message, data) };
}

/** A successful outcome. */
export function succeeded(result: JsonObject): Outcome {
  return { kind: 'result', result };
}

/** How a request ended, as the `status` label of `switchyard_requests_total` (docs/operations.md). */
export function statusOf(outcome: Outcome): 'ok' | 'error' | 'timeout' | 'cancelled' {
  if (outcome.kind === 'result') return 'ok';
  if (outcome.kind === 'cancelled') return 'cancelled';
  return outcome.error.code === ErrorCode.RequestTimeout ? 'timeout' : 'error';
}
