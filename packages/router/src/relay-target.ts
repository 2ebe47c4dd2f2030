import type { Clock, JsonRpcId } from '@switchyard/protocol';
import type { BackendSession } from './backend-session.js';
import type { SessionEndpoint } from './context.js';

/** A client request in flight at a backend: where a backend request may be relayed. */
export interface Waiting {
  client: SessionEndpoint;
  id: JsonRpcId;
}

/**
 * Requests a backend sends within this long of each other are taken as one batch (a tool asking
 * for several inputs at once), and a request this soon after the backend got an answer as the
 * next step of the call it answered. Pipes and sockets may split one burst over several reads.
 */
const TOGETHER_MS = 25;

/**
 * Which call a shared backend's request to a client belongs to, when a legacy backend cannot say
 * (MCP 2025-11-25 server requests carry no request id; docs/protocol-versions.md, "The modern
 * era"): the call the backend's previous request went to, when it came just before (a batch);
 * else the call the backend has just been answered for (its next step); else the one call whose
 * client is not already being asked something (a call waiting for a modern client's retry,
 * which may never come, must not make the backend's other calls unanswerable); else, among the
 * calls of one client session, the most recent. Several client sessions still in the running
 * make the request ambiguous.
 */
export function createRelayTargets(clock: Clock) {
  const lastAsked = new Map<BackendSession, Waiting & { at: number }>();
  const lastAnswered = new Map<BackendSession, Waiting & { at: number }>();
  const recent = (mark: (Waiting & { at: number }) | undefined, waiting: Waiting[]) =>
    mark !== undefined &&
    clock.now() - mark.at <= TOGETHER_MS &&
    waiting.some((w) => w.client === mark.client && w.id === mark.id)
      ? mark
      : undefined;
  return {
    pick(backend: BackendSession, waiting: Waiting[]): Waiting | 'ambiguous' | undefined {
      const free = waiting.filter((w) => !w.client.asking(w.id));
      const target =
        recent(lastAsked.get(backend), waiting) ??
        recent(lastAnswered.get(backend), free) ??
        (() => {
          const candidates = free.length > 0 ? free : waiting;
          if (new Set(candidates.map((w) => w.client)).size > 1) return 'ambiguous' as const;
          return candidates.at(-1);
        })();
      if (target === undefined || target === 'ambiguous') return target;
      lastAsked.set(backend, { client: target.client, id: target.id, at: clock.now() });
      return target;
    },
    /** The backend got the answer to a request relayed for `target`. */
    answered(backend: BackendSession, target: Waiting): void {
      lastAnswered.set(backend, { client: target.client, id: target.id, at: clock.now() });
    },
    /** Forgets a backend (it went away). */
    forget(backend: BackendSession): void {
      lastAsked.delete(backend);
      lastAnswered.delete(backend);
    },
  };
}
