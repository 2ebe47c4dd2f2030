import {
  INPUT_KEY_META,
  type InputRequest,
  inputRequestsOf,
  isInputRequired,
  isJsonObject,
  type JsonObject,
  type JsonRpcRequest,
  legacyError,
  legacyResult,
  MAX_INPUT_ROUNDS,
  retryParams,
} from '@switchyard/protocol';
import { failed, type Outcome } from './outcome.js';

/** One exchange with a modern backend, as its caller knows it: the id of its latest round. */
export interface Rounds {
  /** The backend id of the round in flight (the first round's id names the whole exchange). */
  current: number;
  cancelled: boolean;
  /** Ends a wait for client input at once, when the exchange is cancelled during it. */
  stop?: () => void;
}

/** What the rounds need of the session that runs them. */
export interface RoundsHost {
  readonly name: string;
  /** Sends one round (the envelope added) and returns its backend id and outcome. */
  send(params: JsonObject | undefined): { id: number; outcome: Promise<Outcome> };
  /** Asks the client of the original request (see `RequestOptions.onServerRequest`). */
  ask: ((request: JsonRpcRequest) => Promise<Outcome>) | undefined;
  /** A fresh `elicitationId` for a URL-mode elicitation. */
  mint(): string;
}

/** A modern outcome in the legacy shape: result keys stripped, errors renumbered. */
export function legacyOutcome(method: string, outcome: Outcome): Outcome {
  if (outcome.kind === 'result')
    return { kind: 'result', result: legacyResult(method, outcome.result) };
  if (outcome.kind === 'error') return { kind: 'error', error: legacyError(method, outcome.error) };
  return outcome;
}

/**
 * Runs a multi round-trip request to its end (MCP 2026-07-28, Basic: Multi Round-Trip Requests;
 * docs/protocol-versions.md, "Modern backends"): while the backend answers `input_required`, each
 * input request goes to the client that made the call as the legacy request it was (elicitation,
 * sampling, roots), and the backend is asked again with a new id, the original params, the
 * answers as `inputResponses` and `requestState` unchanged. At most {@link MAX_INPUT_ROUNDS}.
 */
export async function runRounds(
  host: RoundsHost,
  method: string,
  params: JsonObject | undefined,
  state: Rounds,
  first: Promise<Outcome>,
): Promise<Outcome> {
  let outcome = await first;
  for (let round = 0; ; round++) {
    if (outcome.kind !== 'result' || !isInputRequired(outcome.result)) {
      return legacyOutcome(method, outcome);
    }
    if (round >= MAX_INPUT_ROUNDS) {
      return failed(
        'internal_error',
        `Backend "${host.name}" asked for client input more than ${MAX_INPUT_ROUNDS} times`,
      );
    }
    const answers = await collect(host, inputRequestsOf(outcome.result, host.mint), state);
    if (state.cancelled) return { kind: 'cancelled' };
    if ('outcome' in answers) return answers.outcome;
    const next = host.send(retryParams(params, answers.responses, outcome.result));
    state.current = next.id;
    outcome = await next.outcome;
  }
}

/** Asks the client every input request of one round; the answers by key, or how it failed. */
async function collect(
  host: RoundsHost,
  requests: InputRequest[],
  state: Rounds,
): Promise<{ responses: JsonObject } | { outcome: Outcome }> {
  const { ask } = host;
  if (!ask) {
    return {
      outcome: failed(
        'internal_error',
        `Backend "${host.name}" asked for client input, which cannot be relayed for this request`,
      ),
    };
  }
  const stopped = new Promise<Outcome>((resolve) => {
    state.stop = () => resolve({ kind: 'cancelled' });
  });
  const asked = Promise.all(
    requests.map(async ({ key, method, params }) => {
      // The backend's key rides along, so a modern client is asked under it (the proxy's
      // modern front reads it back); the client's answer comes back under the same key here.
      const meta = { ...(isJsonObject(params?._meta) ? params._meta : {}), [INPUT_KEY_META]: key };
      const request: JsonRpcRequest = {
        jsonrpc: '2.0',
        id: key,
        method,
        params: { ...params, _meta: meta },
      };
      return { key, outcome: await ask(request) };
    }),
  );
  const answered = await Promise.race([asked, stopped]);
  delete state.stop;
  if (!Array.isArray(answered)) return { outcome: answered };
  const responses: JsonObject = {};
  for (const { key, outcome } of answered) {
    if (outcome.kind !== 'result') return { outcome };
    responses[key] = outcome.result;
  }
  return { responses };
}
