import { type Clock, honouredFilter, type JsonObject, Method } from '@switchyard/protocol';
import type { PendingRequest } from './request-options.js';

/** How long to wait before reopening a listen stream that ended without being asked to. */
export const LISTEN_RETRY_MS = 1_000;

/** What a listen stream needs of its backend session. */
export interface ListenHost {
  readonly clock: Clock;
  /** The backend's modern capabilities: what it can deliver decides the filter. */
  capabilities(): JsonObject;
  /** Sends the listen request (the envelope added); it stays pending while the stream is open. */
  send(params: JsonObject): PendingRequest;
  /** Ends a listen request (HTTP: its POST aborted; stdio: `notifications/cancelled`). */
  cancel(id: number): void;
  /** Whether the session has closed. */
  closed(): boolean;
}

/**
 * The one `subscriptions/listen` stream of a modern backend (MCP 2026-07-28, Basic:
 * Subscriptions; docs/protocol-versions.md, "Modern backends"): its filter is the list-changed
 * flags the backend can deliver (which keep the proxy's catalog fresh) and the URIs legacy
 * clients subscribed to, counted, since `resources/subscribe` of every client reaches the shared
 * session. The filter is fixed per request, so the stream is reopened when the URI set changes,
 * and after a pause when it ends on its own.
 */
export class ListenStream {
  private readonly uris = new Map<string, number>();
  private current: number | undefined;
  private retry: unknown;
  private stopped = false;

  constructor(private readonly host: ListenHost) {}

  /** Whether a listen request is open now (it is not work in flight: it never completes). */
  get open(): boolean {
    return this.current !== undefined;
  }

  /** Opens the stream, if the backend can deliver anything. */
  start(): void {
    this.reopen();
  }

  /** A client's `resources/subscribe` or `resources/unsubscribe`. */
  change(method: string, uri: string): void {
    const count = this.uris.get(uri) ?? 0;
    if (method === Method.ResourcesSubscribe) {
      this.uris.set(uri, count + 1);
      if (count === 0) this.reopen();
      return;
    }
    if (count === 0) return;
    if (count > 1) {
      this.uris.set(uri, count - 1);
      return;
    }
    this.uris.delete(uri);
    this.reopen();
  }

  /** Ends the stream for good. */
  stop(): void {
    this.stopped = true;
    this.host.clock.clearTimeout(this.retry);
    if (this.current !== undefined) this.host.cancel(this.current);
    this.current = undefined;
  }

  private reopen(): void {
    this.host.clock.clearTimeout(this.retry);
    this.retry = undefined;
    const previous = this.current;
    this.current = undefined;
    if (previous !== undefined) this.host.cancel(previous);
    if (this.stopped || this.host.closed()) return;
    const filter = honouredFilter(
      {
        toolsListChanged: true,
        promptsListChanged: true,
        resourcesListChanged: true,
        resourceSubscriptions: [...this.uris.keys()],
      },
      this.host.capabilities(),
    );
    if (Object.keys(filter).length === 0) return;
    const pending = this.host.send({ notifications: filter });
    this.current = pending.id;
    void pending.outcome.then((outcome) => {
      if (this.current !== pending.id) return;
      this.current = undefined;
      if (this.stopped || this.host.closed() || outcome.kind === 'cancelled') return;
      // A backend without `subscriptions/listen` is not asked again.
      if (outcome.kind === 'error' && outcome.error.code === -32601) return;
      this.retry = this.host.clock.setTimeout(() => this.reopen(), LISTEN_RETRY_MS);
    });
  }
}
