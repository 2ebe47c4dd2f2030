import {
  failure,
  INPUT_REQUEST_CAPABILITY,
  isJsonObject,
  type JsonObject,
  type JsonRpcId,
  type JsonRpcRequest,
  type JsonRpcResponse,
  MetaKey,
  modernError,
  modernResult,
} from '@switchyard/protocol';
import type { Turn } from './input-rounds.js';

/**
 * Whether modern request params are a retry of an MRTR round (MCP 2026-07-28, Basic: MRTR): the
 * proxy issues a `requestState` with every round, so a retry echoes one.
 */
export function isRetry(params: unknown): boolean {
  return isJsonObject(params) && 'requestState' in params;
}

/** A retry's params as the original request had them, to send to the backend again. */
export function withoutRetryKeys(params: JsonObject | undefined): JsonObject | undefined {
  if (!params) return params;
  const { inputResponses: _responses, requestState: _state, ...rest } = params;
  return rest;
}

/**
 * A request that came with `inputResponses` but no `requestState`: they belong to no round, so
 * the request is served anew without them, and they answer the backend's requests whose keys
 * they name; the rest are asked (MCP 2026-07-28, Basic: Multi Round-Trip Requests: a server
 * ignores what it does not recognise).
 */
export function withGivenResponses<T extends { request: JsonRpcRequest }>(
  call: T,
): { call: T; given?: JsonObject } {
  const params = call.request.params;
  if (!isJsonObject(params) || !('inputResponses' in params)) return { call };
  const responses = params.inputResponses;
  const rest = withoutRetryKeys(params);
  const request = { ...call.request, ...(rest === undefined ? {} : { params: rest }) };
  const served = { ...call, request };
  return isJsonObject(responses) ? { call: served, given: responses } : { call: served };
}

/** The modern shape of a legacy answer to a method that cannot take input. */
export function modernAnswer(
  request: JsonRpcRequest,
  answer: JsonRpcResponse,
  serverInfo: JsonObject,
): JsonRpcResponse {
  if ('error' in answer) return { ...answer, id: request.id, error: modernError(answer.error) };
  return {
    jsonrpc: '2.0',
    id: request.id,
    result: modernResult(request.method, answer.result, serverInfo),
  };
}

/** The `InputRequiredResult` of one round (MCP 2026-07-28 schema), with the proxy's identity. */
export function inputRequired(
  id: JsonRpcId,
  turn: Extract<Turn, { kind: 'input' }>,
  serverInfo: JsonObject,
): JsonRpcResponse {
  return {
    jsonrpc: '2.0',
    id,
    result: {
      resultType: 'input_required',
      inputRequests: turn.inputRequests,
      requestState: turn.requestState,
      _meta: { [MetaKey.serverInfo]: serverInfo },
    },
  };
}

/**
 * How the router refuses a backend's request to a client that did not declare the capability
 * (`relay` in packages/router/src/client-session.ts); a backend that cannot get its answer
 * usually reports the refusal in its own error or tool result.
 */
const UNDECLARED = /did not declare (sampling|elicitation|roots)\b/;

/** The text an answer reports its failure with: its error message, or an error result's text. */
function failureText(answer: JsonRpcResponse): string {
  if ('error' in answer) return answer.error.message;
  if (answer.result.isError !== true || !Array.isArray(answer.result.content)) return '';
  return answer.result.content
    .map((block) => (isJsonObject(block) && typeof block.text === 'string' ? block.text : ''))
    .join('\n');
}

/**
 * The client capability a failed call lacked: the backend asked for something the modern client
 * did not declare, so the router refused it and the call failed. Undefined when the call did not
 * fail that way, or the client does declare it.
 */
export function missingCapability(
  answer: JsonRpcResponse,
  declared: JsonObject,
): string | undefined {
  const capability = UNDECLARED.exec(failureText(answer))?.[1];
  if (!capability || capability in declared) return undefined;
  return capability;
}

/**
 * A backend's final answer in the modern shape: `MissingRequiredClientCapability` (-32021, MCP
 * 2026-07-28, Basic: Lifecycle) with `data.requiredCapabilities` when the call failed for lack of
 * a client capability, else the modern result or error (see `modernResult`, `modernError`).
 */
export function finalAnswer(
  request: JsonRpcRequest,
  answer: JsonRpcResponse,
  serverInfo: JsonObject,
  declared: JsonObject,
): JsonRpcResponse {
  const missing = missingCapability(answer, declared);
  if (missing) {
    const methods = Object.keys(INPUT_REQUEST_CAPABILITY).filter(
      (method) => INPUT_REQUEST_CAPABILITY[method] === missing,
    );
    return failure(
      request.id,
      'missing_client_capability',
      `Missing required client capability: the server asked for ${methods.join(', ')}, which needs "${missing}" in clientCapabilities`,
      { requiredCapabilities: { [missing]: {} } },
    );
  }
  return modernAnswer(request, answer, serverInfo);
}
