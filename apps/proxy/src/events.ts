import type { BackendState } from '@switchyard/protocol';

/** What a reload changed. */
export interface ReloadSummary {
  added: string[];
  removed: string[];
  restarted: string[];
  /** Restart-only sections that changed; they keep their running values until the proxy restarts. */
  needsRestart: string[];
}

/** Everything a proxy reports as it runs, discriminated on `type`. */
export type ProxyEvent =
  /** A backend moved from one lifecycle state to another (docs/operations.md, "Backend states"). */
  | { type: 'backendState'; server: string; from: BackendState; to: BackendState; reason: string }
  /**
   * A client session opened on a front transport. `server` names the backend of a
   * `/servers/<name>/…` endpoint; it is undefined on the aggregate endpoint.
   */
  | { type: 'sessionOpened'; transport: string; server: string | undefined }
  /** A client session ended (the client left, its session expired, or the proxy stopped). */
  | { type: 'sessionClosed'; transport: string; server: string | undefined }
  /** A new configuration was applied while running. */
  | { type: 'reloaded'; summary: ReloadSummary };

export type ProxyEventType = ProxyEvent['type'];

/** The event of one type. */
export type ProxyEventOf<T extends ProxyEventType> = Extract<ProxyEvent, { type: T }>;

export type ProxyEventListener<T extends ProxyEventType> = (event: ProxyEventOf<T>) => void;

/** Subscription to a proxy's events. */
export interface ProxyEvents {
  /** Calls `listener` for every event of `type`; returns the function that stops it. */
  on<T extends ProxyEventType>(type: T, listener: ProxyEventListener<T>): () => void;
  off<T extends ProxyEventType>(type: T, listener: ProxyEventListener<T>): void;
}

/** {@link ProxyEvents} plus the emitting side, which stays inside the proxy. */
export interface ProxyEventEmitter extends ProxyEvents {
  emit(event: ProxyEvent): void;
}

/**
 * A typed event emitter. A listener that throws does not stop the others or the proxy: the error
 * goes to `onListenerError`.
 */
export function createEventEmitter(
  onListenerError: (error: unknown, event: ProxyEvent) => void = () => {},
): ProxyEventEmitter {
  const listeners = new Map<ProxyEventType, Set<(event: ProxyEvent) => void>>();
  const off = <T extends ProxyEventType>(type: T, listener: ProxyEventListener<T>) => {
    listeners.get(type)?.delete(listener as (event: ProxyEvent) => void);
  };
  return {
    on(type, listener) {
      const set = listeners.get(type) ?? new Set();
      listeners.set(type, set.add(listener as (event: ProxyEvent) => void));
      return () => off(type, listener);
    },
    off,
    emit(event) {
      const set = listeners.get(event.type);
      if (!set) return;
      for (const listener of [...set]) {
        try {
          listener(event);
        } catch (error) {
          onListenerError(error, event);
        }
      }
    },
  };
}
