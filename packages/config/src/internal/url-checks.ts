/** Transports that reach a backend by URL. */
export const REMOTE_TRANSPORTS = ['streamable-http', 'sse', 'websocket', 'auto'] as const;

export type RemoteTransport = (typeof REMOTE_TRANSPORTS)[number];

/** Whether a `transport` value names one of the {@link REMOTE_TRANSPORTS}. */
export function isRemoteTransport(value: unknown): value is RemoteTransport {
  return (REMOTE_TRANSPORTS as readonly unknown[]).includes(value);
}

const HTTP = ['http:', 'https:'];
const WEBSOCKET = ['ws:', 'wss:'];

/** The scheme of an absolute URL (`https:`), or undefined when the text is not one. */
function urlScheme(url: string): string | undefined {
  try {
    return new URL(url).protocol;
  } catch {
    return undefined;
  }
}

export const isHttpUrl = (url: string): boolean => HTTP.includes(urlScheme(url) ?? '');

export const isWebSocketUrl = (url: string): boolean => WEBSOCKET.includes(urlScheme(url) ?? '');

/** What kind of URL a transport needs, in words, for error messages. */
export function expectedUrl(transport: RemoteTransport): string {
  return transport === 'websocket' ? 'ws:// or wss:// URL' : 'http:// or https:// URL';
}

/** Whether `url` fits `transport`: http(s) for the HTTP transports, ws(s) for WebSocket. */
export function urlFitsTransport(url: string, transport: RemoteTransport): boolean {
  return transport === 'websocket' ? isWebSocketUrl(url) : isHttpUrl(url);
}

/**
 * The transport of a remote server written without one: WebSocket for a ws(s) URL, else `auto`
 * (probe Streamable HTTP, then HTTP+SSE).
 */
export function inferRemoteTransport(url: string): RemoteTransport {
  return isWebSocketUrl(url) ? 'websocket' : 'auto';
}
