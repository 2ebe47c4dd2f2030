/** Which response types a request's `Accept` header allows; no header, or `*\/*`, allows both. */
export function accepts(request: Request): { json: boolean; sse: boolean } {
  const accept = request.headers.get('accept');
  if (!accept || accept.includes('*/*')) return { json: true, sse: true };
  return { json: accept.includes('application/json'), sse: accept.includes('text/event-stream') };
}
