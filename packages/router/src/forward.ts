import {
  copyKeys,
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
import { admit, refusal } from './admission.js';
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
 * The one place where a client request crosses to one backend: the backend's session, a slot at
 * its gate (waiting in its queue when every slot is taken: docs/operations.md, "Admission"), then
 * the exchange. `answers` names the method whose result shape the answer has (a task's result is
 * a tool result). See docs/architecture.md, "The path of one `tools/call`".
 */
export async function forward(
  context: RouterContext,
  caller: ClientScope,
  request: JsonRpcRequest,
  backend: string,
  params: JsonObject,
  answers: string = request.method,
): Promise<Outcome> {
  caller.routedTo(request.id, backend);
  let found = await sessionFor(context, caller, backend);
  if ('error' in found) return found.error;
  const gate = context.gates.of(backend);
  const admission = await admit(gate, (withdraw) => caller.queued(request.id, withdraw));
  if (admission === 'withdrawn') return { kind: 'cancelled' };
  if (admission !== 'admitted') {
    context.observer.requestRefused?.({ server: backend, reason: admission });
    return refusal(admission, gate.limits, backend);
  }
  try {
    // A session that closed while the request waited may have been replaced by a restart.
    if (found.session.closed !== undefined) {
      found = await sessionFor(context, caller, backend);
      if ('error' in found) return found.error;
    }
    return await exchange(context, caller, request, backend, found.session, params, answers);
  } finally {
    gate.leave();
  }
}

/**
 * One request and its answer at a backend session: translation into the backend's revision, the
 * progress token minted per hop, the timeout (extended by progress), cancellation tracking, and
 * translation back into the client's revision.
 */
async function exchange(
  context: RouterContext,
  caller: ClientScope,
  request: JsonRpcRequest,
  backend: string,
  session: BackendSession,
  params: JsonObject,
  answers: string,
): Promise<Outcome> {
  const report = (event: TranslationEvent) => context.reportTranslation(event);
  const tapped = context.tap?.({
    session: caller.endpoint,
    server: backend,
    method: request.method,
    requestId: request.id,
    params,
    clientParams: request.params,
  });
  const translated = translateRequest(
    request.method,
    tapped?.params ?? params,
    hopBetween(report, caller.revision, session.revision),
  );
  if ('refused' in translated) {
    const refused = failed('invalid_params', `Invalid params: ${translated.refused}`);
    tapped?.done?.(refused, undefined);
    return refused;
  }
  const outgoing = withoutProgressToken(translated.params ?? params);
  const clientToken = outgoing.token;
  const toClient = hopBetween(report, session.revision, caller.revision);
  const { maxRequestTimeoutMs } = context.limits;
  const pending = session.request(request.method, outgoing.params, {
    timeoutMs: context.limits.timeoutFor(backend),
    // A modern backend's input requests (MRTR) go to this client and no other.
    onServerRequest: (input) => caller.endpoint.relay(input, request.id, session),
    clientCapabilities: caller.capabilities,
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
  if (outcome.kind !== 'result') {
    tapped?.done?.(outcome, undefined);
    return outcome;
  }
  const result = translateResult(answers, outcome.result, toClient);
  const meta = tapped?.done?.(outcome, result);
  if (!meta) return { kind: 'result', result };
  return { kind: 'result', result: withMeta(result, meta) };
}

/**
 * The result with `meta`'s keys added to its `_meta`. Copied key by key: the object spreads this
 * replaces made later reads of the result several µs slower per call in the proxy
 * (docs/performance.md, "Eras").
 */
function withMeta(result: JsonObject, meta: JsonObject): JsonObject {
  const merged = isJsonObject(result._meta) ? copyKeys({}, result._meta) : {};
  const out = copyKeys({}, result);
  out._meta = copyKeys(merged, meta);
  return out;
}
