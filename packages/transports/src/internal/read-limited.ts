import type { Readable } from 'node:stream';
import { failureResponse } from './http-response.js';
import type { CancellableConnection } from './modern-session.js';

/**
 * Where a body can be read from besides the web `Request`: the Node request it was made from.
 * Reading that directly spares building a web stream per request (most of a small call's cost
 * in the HTTP adapter, measured in docs/performance.md).
 */
export type BodySource = Pick<Readable, 'on' | 'off' | 'resume'> & {
  /** The connection it came on (a Node request's `socket`): its closing cancels a modern call. */
  readonly socket?: CancellableConnection | null;
};

/**
 * Reads a body up to `limit` bytes (`proxy.maxMessageBytes`, docs/configuration.md); undefined when
 * it is larger. A declared `Content-Length` over the limit is refused without reading, and a
 * streamed body stops being read as soon as it passes the limit, so the rest is never buffered.
 */
export async function readLimited(
  request: Request,
  limit: number,
  source?: BodySource,
): Promise<string | undefined> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) return undefined;
  if (source) return readSource(source, limit);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The 415 for a POST that does not declare a JSON body, or undefined when it does. */
export function notJson(request: Request): Response | undefined {
  const type = request.headers.get('content-type') ?? '';
  if (type.includes('application/json')) return undefined;
  return failureResponse(
    'unsupported_media_type',
    'Unsupported Media Type: Content-Type must be application/json',
  );
}

/**
 * {@link readLimited}, with the 413 to answer when the body is over the limit, and a 400 when the
 * body breaks off (the client went away mid-body): an answer nobody may read, but not an error
 * thrown into the HTTP server, which would print it for every client that does so.
 */
export async function readBody(
  request: Request,
  limit: number,
  source: BodySource | undefined,
): Promise<string | Response> {
  let body: string | undefined;
  try {
    body = await readLimited(request, limit, source);
  } catch {
    return failureResponse('invalid_request', 'Bad Request: the request body was cut off');
  }
  if (body !== undefined) return body;
  return failureResponse('message_too_large', `Payload Too Large: the limit is ${limit} bytes`);
}

/**
 * Reads a Node stream up to `limit`. Past it, the rest is discarded as it arrives, never kept, and
 * the connection stays usable for the 413 that follows.
 */
function readSource(source: BodySource, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        done();
        source.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(
        chunks.length === 1
          ? (chunks[0] as Buffer).toString('utf8')
          : Buffer.concat(chunks).toString('utf8'),
      );
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', onError);
  });
}
