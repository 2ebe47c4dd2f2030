import {
  ErrorCode,
  type Hop,
  isJsonObject,
  type JsonObject,
  type JsonRpcRequest,
  LATEST_LEGACY_REVISION,
  type LegacyRevision,
  Method,
  type TranslationEvent,
  translateNotification,
  translateRequest,
  translateResult,
} from '@switchyard/protocol';
import type { BackendSession } from './backend-session.js';
import type { ClientScope, RouterContext } from './context.js';
import { failed, type Outcome } from './outcome.js';

/** One direction of a hop, with losses reported to the observer and debug log. */
export function hopBetween(
  report: (event: TranslationEvent) => void,
  from: LegacyRevision | undefined,
  to: LegacyRevision | undefined,
  peerCapabilities?: JsonObject,
): Hop {
  const hop: Hop = {
    from: from ?? LATEST_LEGACY_REVISION,
    to: to ?? LATEST_LEGACY_REVISION,
    report,
  };
  if (peerCapabilities) hop.peerCapabilities = peerCapabilities;
  return hop;
}

function observe(
  context: RouterContext,
  server: string,
  method: string,
  outcome: Outcome,
  started: number,
): void {
  const record = context.observer.requestCompleted;
  if (!record) return;
  const status =
    outcome.kind === 'result'
      ? 'ok'
      : outcome.kind === 'cancelled'
        ? 'cancelled'
        : outcome.error.code === ErrorCode.RequestTimeout
          ? 'timeout'
          : 'error';
  record({ server, method, status, durationSeconds: (context.clock.now() - started) / 1000 });
}

/** The session a request to `backend` goes to: the shared one, or this client's own. */
async function sessionFor(
  context: RouterContext,
  caller: ClientScope,
  backend: string,
): Promise<{ session: BackendSession } | { error: Outcome }> {
  const shared = await context.backends.sessionOf(backend);
  if ('session' in shared && shared.openPrivate) return caller.own(backend, shared.openPrivate);
  return shared;
}

/** Takes the client's progress token out of `_meta`: the backend session mints one per hop. */
function withoutProgressToken(params: JsonObject): {
  params: JsonObject;
  token: string | number | undefined;
} {
  const meta = isJsonObject(params._meta) ? params._meta : undefined;
  const token = meta?.progressToken;
  if (!meta || (typeof token !== 'string' && typeof token !== 'number'))
    return { params, token: undefined };
  const { progressToken: _dropped, ...rest } = meta;
  return { params: { ...params, _meta: rest }, token };
}

/**
 * The one place where a client request crosses to one backend: the backend's concurrency limit,
 * translation into the backend's revision, the progress token minted per hop, the timeout
 * (extended by progress), cancellation tracking, observation, and translation back into the
 * client's revision (`answers` names the method whose result shape the answer has: a task's result
 * is a tool result). See docs/architecture.md, "The path of one message".
 */
export async function forward(
  context: RouterContext,
  caller: ClientScope,
  request: JsonRpcRequest,
  backend: string,
  params: JsonObject,
  answers: string = request.method,
): Promise<Outcome> {
  const started = context.clock.now();
  const found = await sessionFor(context, caller, backend);
  if ('error' in found) {
    observe(context, backend, request.method, found.error, started);
    return found.error;
  }
  const { session } = found;
  const limit = context.limits.maxConcurrentRequests;
  if (limit !== undefined && session.pending >= limit) {
    const busy = failed(
      'overloaded',
      `Too many concurrent requests: backend "${backend}" has ${limit} in flight`,
      { server: backend, limit },
    );
    observe(context, backend, request.method, busy, started);
    return busy;
  }
  const report = (event: TranslationEvent) => context.reportTranslation(event);
  const translated = translateRequest(
    request.method,
    params,
    hopBetween(report, caller.revision, session.revision),
  );
  if ('refused' in translated)
    return failed('invalid_params', `Invalid params: ${translated.refused}`);
  const outgoing = withoutProgressToken(translated.params ?? params);
  const clientToken = outgoing.token;
  const toClient = hopBetween(report, session.revision, caller.revision);
  const { maxRequestTimeoutMs } = context.limits;
  const pending = session.request(request.method, outgoing.params, {
    timeoutMs: context.limits.timeoutFor(backend),
    ...(maxRequestTimeoutMs === undefined ? {} : { maxTimeoutMs: maxRequestTimeoutMs }),
    ...(clientToken === undefined
      ? {}
      : {
          onProgress: (progress: JsonObject) => {
            const notification = translateNotification(
              {
                jsonrpc: '2.0',
                method: Method.Progress,
                params: { ...progress, progressToken: clientToken },
              },
              toClient,
            );
            if (notification) caller.send(notification, request.id);
          },
        }),
  });
  const untrack = caller.track(request.id, session, pending.id);
  const outcome = await pending.outcome;
  untrack();
  observe(context, backend, request.method, outcome, started);
  if (outcome.kind !== 'result') return outcome;
  return { kind: 'result', result: translateResult(answers, outcome.result, toClient) };
}
