import { errorResponse, serializeMessage } from '@switchyard/protocol';

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

/** An HTTP error whose body is the JSON-RPC error response without an id. */
export function failureResponse(status: number, code: number, message: string): Response {
  return jsonResponse(errorResponse(null, code, message), status);
}
