import {
  ERRORS,
  type ErrorName,
  failure,
  httpStatusOf,
  type JsonRpcFailure,
  serializeMessage,
} from '@switchyard/protocol';

/** A JSON response with `headers` added to the content type. */
export function jsonResponse(
  body: unknown,
  status: number,
  headers: Record<string, string> = {},
): Response {
  return new Response(serializeMessage(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/**
 * The HTTP answer for one of Switchyard's own errors: the status and JSON-RPC code the error table
 * gives `name`, and a JSON-RPC error response without an id as the body.
 */
export function failureResponse(name: ErrorName, message: string): Response {
  return jsonResponse(failure(null, name, message), httpStatusOf(name));
}

/** The errors a frame can fail to parse with (`parseFrame`, `parseValue`). */
const FRAME_ERRORS = ['parse_error', 'invalid_request', 'invalid_params'] as const;

/**
 * The HTTP answer for a body that is not a valid message: the error response parsing built,
 * with the status the error table gives its code.
 */
export function invalidFrameResponse(
  error: JsonRpcFailure,
  headers: Record<string, string> = {},
): Response {
  const name =
    FRAME_ERRORS.find((each) => ERRORS[each].jsonRpc === error.error.code) ?? 'invalid_request';
  return jsonResponse(error, httpStatusOf(name), headers);
}

/** A response without a body for an HTTP method the endpoint does not serve. */
export function methodNotAllowed(allow: string): Response {
  return new Response(null, { status: httpStatusOf('method_not_allowed'), headers: { allow } });
}
