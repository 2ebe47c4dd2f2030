import type { ServerError, StateChange } from '@switchyard/admin-api';
import type { SupervisorEvent } from '@switchyard/supervisor';

/** How much of a server's past the dashboard can show. */
const MAX_CHANGES = 100;
const MAX_ERRORS = 50;
/** Restarts are counted over the last hour (the overview's summary line). */
const RESTART_HORIZON_MS = 60 * 60 * 1000;

/** States a server is in when something went wrong: entering one records an error. */
const FAILING = new Set(['failed', 'backoff', 'degraded']);

export interface ServerPast {
  history: StateChange[];
  errors: ServerError[];
  /** When it last entered `running`, while it still is. */
  runningSince: number | null;
}

/** What the admin API remembers of each server beyond its current state. */
export interface ServerHistory {
  /** Feed it the supervisor's events. */
  observe(event: SupervisorEvent): void;
  /** A failure that is not a state change (a list the server could not give). */
  error(server: string, message: string, at: number): void;
  of(server: string): ServerPast;
  /** Restarts of every server since `now - 1 hour`. */
  restartsLastHour(now: number): number;
  forget(server: string): void;
}

const push = <T>(list: T[], item: T, max: number) => {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
};

/**
 * Keeps the last state changes, failures and restart times of each server, in memory and bounded,
 * so a page opened after an incident still shows what happened. `redact` is applied to reasons,
 * which may quote a backend (an error it sent, a URL with a token).
 */
export function createServerHistory(redact: (text: string) => string): ServerHistory {
  const pasts = new Map<string, ServerPast>();
  let restarts: number[] = [];
  const pastOf = (server: string): ServerPast => {
    let past = pasts.get(server);
    if (!past) {
      past = { history: [], errors: [], runningSince: null };
      pasts.set(server, past);
    }
    return past;
  };
  return {
    observe(event) {
      if (event.type === 'restart') {
        restarts.push(event.at);
        return;
      }
      if (event.type !== 'state') return;
      const past = pastOf(event.server);
      const reason = event.reason ? redact(event.reason) : null;
      push(past.history, { at: event.at, from: event.from, to: event.to, reason }, MAX_CHANGES);
      // Degraded is still up: uptime runs on through it and back to running.
      const up = event.to === 'running' || event.to === 'degraded';
      const wasUp = event.from === 'running' || event.from === 'degraded';
      if (!up) past.runningSince = null;
      else if (!wasUp || past.runningSince === null) past.runningSince = event.at;
      if (FAILING.has(event.to))
        push(past.errors, { at: event.at, message: `${event.to}: ${reason ?? ''}` }, MAX_ERRORS);
    },
    error(server, message, at) {
      push(pastOf(server).errors, { at, message: redact(message) }, MAX_ERRORS);
    },
    of: (server) => pastOf(server),
    restartsLastHour(now) {
      restarts = restarts.filter((at) => at > now - RESTART_HORIZON_MS);
      return restarts.length;
    },
    forget: (server) => void pasts.delete(server),
  };
}
