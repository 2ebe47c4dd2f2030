import type { Clock } from '@switchyard/protocol';
import type { Tracer } from '../types.js';
import type { WriteQueue } from './write-queue.js';

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
        answer = text(e.answer);
        reply = text(e.reply);
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
