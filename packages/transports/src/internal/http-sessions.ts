import type { Clock } from '@switchyard/protocol';
import type { EventStore } from '../event-store.js';
import type { OpenSession } from '../front-session.js';
import { failureResponse } from './http-response.js';
import { HttpSession } from './http-session.js';

export interface HttpSessionsOptions {
  openSession: OpenSession;
  newId: () => string;
  store: EventStore;
  /** Idle time after which a session is ended; 0 for never. */
  idleMs: number;
  clock: Clock;
}

/**
 * The live sessions of a Streamable HTTP front, by their `Mcp-Session-Id`: opened by
 * `initialize`, looked up by every later request (which keeps them alive), and ended by DELETE,
 * by idling, or at shutdown.
 */
export class HttpSessions {
  private readonly sessions = new Map<string, HttpSession>();

  constructor(private readonly options: HttpSessionsOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  /**
   * A new session bound to `principal` (who opened it), with its client session opened on the
   * proxy's side.
   */
  open(principal?: string): HttpSession {
    const { openSession, newId, store } = this.options;
    const session = new HttpSession(newId(), store, principal);
    session.front = openSession((message, related) => session.route(message, related), {
      transport: 'streamable-http',
      sessionId: session.id,
      ...(principal === undefined ? {} : { principal }),
    });
    this.sessions.set(session.id, session);
    this.touch(session);
    return session;
  }

  /**
   * The session a request names, its idle time started over; or the answer for a request without
   * one (400) or naming none that lives (404, `session_not_found`, which tells the client to
   * initialize again). A session opened by another principal answers exactly as an unknown one
   * does, so a leaked or guessed id serves nobody else and reveals nothing (MCP 2025-11-25, Basic:
   * Security Best Practices, Session Hijacking).
   */
  lookup(request: Request, principal?: string): HttpSession | Response {
    const id = request.headers.get('mcp-session-id');
    if (!id) {
      return failureResponse('invalid_request', 'Bad Request: Mcp-Session-Id header is required');
    }
    const session = this.sessions.get(id);
    if (!session || session.principal !== principal) {
      return failureResponse('session_not_found', 'Session not found: initialize a new session');
    }
    this.touch(session);
    return session;
  }

  /** Ends a session: its waiting POSTs get 404, its streams close, its client session closes. */
  end(session: HttpSession): void {
    this.sessions.delete(session.id);
    if (session.idleTimer !== undefined) this.options.clock.clearTimeout(session.idleTimer);
    for (const channel of new Set(session.channels.values())) channel.abort();
    session.standalone?.end();
    this.options.store.forget(session.id);
    session.front.close();
  }

  /** Ends every session (shutdown). */
  endAll(): void {
    for (const session of [...this.sessions.values()]) this.end(session);
  }

  /** Restarts a session's idle timer; an expiring session that is still busy is given more time. */
  private touch(session: HttpSession): void {
    const { idleMs, clock } = this.options;
    if (idleMs <= 0) return;
    if (session.idleTimer !== undefined) clock.clearTimeout(session.idleTimer);
    session.idleTimer = clock.setTimeout(() => {
      session.idleTimer = undefined;
      if (!this.sessions.has(session.id)) return;
      if (session.channels.size > 0 || session.standalone?.attached) this.touch(session);
      else this.end(session);
    }, idleMs);
  }
}
