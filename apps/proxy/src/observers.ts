import type { Logger } from '@switchyard/logging';
import type { Metrics } from '@switchyard/metrics';
import { LATEST_LEGACY_REVISION, MODERN_REVISION } from '@switchyard/protocol';
import type { RouterObserver } from '@switchyard/router';
import type { SupervisorEvent } from '@switchyard/supervisor';
import type { ModernDrop, ModernShared } from '@switchyard/transports';
import type { ProxyEventEmitter } from './events.js';

/**
 * What one endpoint's router reports: requests and translations become metrics, sessions become
 * metrics and proxy events. `server` names the backend of a per-server endpoint; listed tools go
 * to `toolListed` (tool pinning, docs/operations.md).
 */
export function routerObserver(
  metrics: Metrics,
  events: Pick<ProxyEventEmitter, 'emit'>,
  server: string | undefined,
  toolListed?: RouterObserver['toolListed'],
): RouterObserver {
  return {
    ...(toolListed ? { toolListed } : {}),
    requestCompleted: (record) => metrics.recordRequest(record),
    requestRefused: ({ server, reason }) => metrics.requestRejected(server, reason),
    queueDepth: ({ server, depth }) => metrics.queueDepth(server, depth),
    sessionOpened: (transport) => {
      metrics.sessionOpened(transport);
      events.emit({ type: 'sessionOpened', transport, server });
    },
    sessionClosed: (transport) => {
      metrics.sessionClosed(transport);
      events.emit({ type: 'sessionClosed', transport, server });
    },
    translation: (event) => {
      if (event.action === 'dropped') metrics.translationDropped(event);
    },
  };
}

/** Backend state changes of the supervisor, as proxy events. */
export function supervisorObserver(
  events: Pick<ProxyEventEmitter, 'emit'>,
): (event: SupervisorEvent) => void {
  return (event) => {
    if (event.type !== 'state') return;
    const { server, from, to, reason } = event;
    events.emit({ type: 'backendState', server, from, to, reason });
  };
}

/** One observer that calls each given observer's hooks in turn (metrics, admin state, audit). */
export function combineObservers(...observers: RouterObserver[]): RouterObserver {
  const combined: Record<string, (...args: never[]) => unknown> = {};
  for (const observer of observers) {
    for (const [name, hook] of Object.entries(observer) as Array<
      [string, (...args: never[]) => unknown]
    >) {
      const before = combined[name];
      combined[name] = before
        ? (...args) => {
            before(...args);
            return hook(...args);
          }
        : hook;
    }
  }
  return combined as RouterObserver;
}

type CompletedRequest = Parameters<NonNullable<RouterObserver['requestCompleted']>>[0];

/**
 * `observer` with its `requestCompleted` run after the answer it records has gone out. The router
 * reports a request complete in the same turn in which it hands the answer over, and what the
 * report costs (a labelled histogram and counter, the admin request windows: about 10 µs) ran
 * before the answer was written: on the modern path, whose answer takes a few more turns, before
 * the answer was even made (docs/performance.md, "Eras", fifth round). The records of a turn are
 * written together, in order, on the next `setImmediate`, which comes before any later request is
 * read.
 */
export function recordAfterAnswers(observer: RouterObserver): RouterObserver {
  const record = observer.requestCompleted;
  if (!record) return observer;
  let held: CompletedRequest[] = [];
  const flush = () => {
    const records = held;
    held = [];
    for (const completed of records) record(completed);
  };
  const deferred: RouterObserver = Object.assign({}, observer);
  deferred.requestCompleted = (completed) => {
    if (held.length === 0) setImmediate(flush);
    held.push(completed);
  };
  return deferred;
}

/**
 * What a modern (2026-07-28) client could not be given by its legacy backends, counted as a drop
 * of the legacy → modern hop in `switchyard_translation_drops_total` (`feature` is the reason) and
 * logged: a backend request outside any call is worth a warning, a dropped log line only a debug
 * line (docs/protocol-versions.md, "The modern era (2026-07-28)").
 */
export function modernDropObserver(metrics: Metrics, logger: Logger): (drop: ModernDrop) => void {
  return ({ reason, method }) => {
    metrics.translationDropped({
      from: LATEST_LEGACY_REVISION,
      to: MODERN_REVISION,
      feature: reason,
    });
    const fields = { reason, method, from: LATEST_LEGACY_REVISION, to: MODERN_REVISION };
    if (method === 'notifications/message')
      logger.debug('backend log message not delivered to a 2026-07-28 client', fields);
    else logger.warn('backend request refused: a 2026-07-28 client cannot be asked', fields);
  };
}

/** Client-chosen text in a log line: at most this many characters of it. */
const CLIENT_TEXT_CHARS = 100;

/**
 * A principal's further modern client programs started sharing one session: logged as a warning,
 * once per shared session, naming the first program past the limit (docs/protocol-versions.md,
 * "The modern era (2026-07-28)"). From then on their context-tracing responses are grouped.
 */
export function modernSharedObserver(logger: Logger): (shared: ModernShared) => void {
  const text = (value: unknown) =>
    typeof value === 'string' ? value.slice(0, CLIENT_TEXT_CHARS) : undefined;
  return ({ principal, clientInfo, limit }) => {
    logger.warn('2026-07-28 client programs over the limit share one session', {
      principal: principal ?? null,
      limit,
      client: text(clientInfo?.name) ?? null,
      clientVersion: text(clientInfo?.version) ?? null,
    });
  };
}
