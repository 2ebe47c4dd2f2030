import type { Clock } from '@switchyard/protocol';
import type { ExchangeMessages, Tracer } from '../types.js';
import type { WriteQueue } from './write-queue.js';

/**
 * The texts of an answer `{ result }` and of the reply that carried the same result with entries
 * added to its `_meta`: the result is serialised once and the reply is made from its text. A
 * result that has a `_meta` of its own is merged and serialised again.
 */
function answerAndReply(
  e: ExchangeMessages,
  meta: Record<string, unknown>,
  redact: (value: unknown) => unknown,
): { answer: string; reply: string } {
  const answer = redact(e.answer) as { result?: unknown };
  const result = answer.result;
  const id = JSON.stringify((e.request as { id?: unknown }).id ?? null);
  const isObject = typeof result === 'object' && result !== null && !Array.isArray(result);
  if (!isObject || '_meta' in result) {
    const own = isObject ? (result as { _meta?: unknown })._meta : undefined;
    const merged = isObject
      ? { ...result, _meta: { ...(own as object), ...(redact(meta) as object) } }
      : result;
    return {
      answer: JSON.stringify(answer) ?? 'null',
      reply: `{"jsonrpc":"2.0","id":${id},"result":${JSON.stringify(merged) ?? 'null'}}`,
    };
  }
  const body = JSON.stringify(result) as string;
  const metaText = JSON.stringify(redact(meta));
  const withMeta =
    body === '{}' ? `{"_meta":${metaText}}` : `{"_meta":${metaText},${body.slice(1)}`;
  return {
    answer: `{"result":${body}}`,
    reply: `{"jsonrpc":"2.0","id":${id},"result":${withMeta}}`,
  };
}

/**
 * `recordMessage` and `recordExchange` of the tracer: each message is redacted and snapshotted as
 * JSON text at once (the caller may change the object later) and queued; a message that cannot be
 * serialised is dropped and counted.
 */
export function createMessageRecorder(
  queue: WriteQueue,
  clock: Clock,
  redact: (value: unknown) => unknown,
): Pick<Tracer, 'recordMessage' | 'recordExchange'> {
  const text = (message: unknown) => JSON.stringify(redact(message)) ?? 'null';
  return {
    recordMessage(sessionId, hop, direction, message, server) {
      let json: string;
      try {
        json = text(message);
      } catch (error) {
        queue.fail(error, 1);
        return;
      }
      const at = clock.now();
      queue.push({ type: 'message', sessionId, at, hop, direction, server: server ?? null, json });
    },
    recordExchange(e) {
      let request: string;
      let forwarded: string;
      let answer: string;
      let reply: string;
      try {
        request = text(e.request);
        forwarded = text(e.forwarded);
        if (e.replyMeta) {
          ({ answer, reply } = answerAndReply(e, e.replyMeta, redact));
        } else {
          answer = text(e.answer);
          reply = text(e.reply);
        }
      } catch (error) {
        queue.fail(error, 1);
        return;
      }
      const { sessionId, server, requestedAt, answeredAt } = e;
      queue.push({
        type: 'exchange',
        sessionId,
        server,
        requestedAt,
        answeredAt,
        request,
        forwarded,
        answer,
        reply,
      });
    },
  };
}
