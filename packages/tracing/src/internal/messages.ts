import type { Clock } from '@switchyard/protocol';
import type { ExchangeMessages, Tracer } from '../types.js';
import type { Cleaner } from './clean.js';
import type { WriteQueue } from './write-queue.js';

/**
 * The texts of an answer `{ result }` and of the reply that carried the same result with entries
 * added to its `_meta`: the result is serialised once and the reply is made from its text. A
 * result that has a `_meta` of its own is merged and serialised again.
 */
function answerAndReply(
  e: ExchangeMessages,
  meta: Record<string, unknown>,
  clean: Cleaner,
): { answer: string; reply: string } {
  const result = (e.answer as { result?: unknown }).result;
  const id = JSON.stringify((e.request as { id?: unknown }).id ?? null);
  const isObject = typeof result === 'object' && result !== null && !Array.isArray(result);
  if (!isObject || '_meta' in result) {
    const answer = clean.value(e.answer) as { result?: unknown };
    const cleaned = answer.result as Record<string, unknown>;
    const merged = isObject
      ? { ...cleaned, _meta: { ...(cleaned._meta as object), ...(clean.value(meta) as object) } }
      : cleaned;
    return {
      answer: JSON.stringify(answer) ?? 'null',
      reply: `{"jsonrpc":"2.0","id":${id},"result":${JSON.stringify(merged) ?? 'null'}}`,
    };
  }
  const body = clean.text(result);
  const metaText = clean.text(meta);
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
  clean: Cleaner,
): Pick<Tracer, 'recordMessage' | 'recordExchange'> {
  const text = clean.text;
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
          ({ answer, reply } = answerAndReply(e, e.replyMeta, clean));
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
