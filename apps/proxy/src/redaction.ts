import type { SecretSet } from '@switchyard/logging';
import {
  isFailure,
  isNotification,
  type JsonObject,
  type JsonRpcMessage,
  type MessageTransport,
} from '@switchyard/protocol';
import type { VirtualServerDefinition } from '@switchyard/router';

/*
 * Redaction of what the proxy hands on but did not write itself (docs/operations.md, "Secrets"):
 * a backend's errors and log messages, and the answers of an in-process server.
 */

/** What redaction needs of the proxy's secret set. */
export type Redaction = Pick<SecretSet, 'redact' | 'redactValue' | 'size'>;

/**
 * A backend's messages as the proxy passes them on: the text of its error answers and its log
 * notifications redacted (a server that puts its own token in an error must not hand it to a
 * client). Results are passed as they are: the hot path pays one property check per message.
 */
function redactMessage(message: JsonRpcMessage, secrets: Redaction): JsonRpcMessage {
  if (secrets.size === 0) return message;
  if (isFailure(message)) return { ...message, error: secrets.redactValue(message.error) };
  if (isNotification(message) && message.method === 'notifications/message')
    return secrets.redactValue(message);
  return message;
}

/**
 * `transport` with every message it delivers, and the reason it closes with, redacted. Its errors
 * go to `onError` as well as to whoever holds the returned transport.
 */
export function redactingTransport(
  transport: MessageTransport,
  secrets: Redaction,
  onError?: (error: Error) => void,
): MessageTransport {
  const outer: MessageTransport = {
    start: () => transport.start(),
    send: (message) => transport.send(message),
    close: () => transport.close(),
  };
  if (transport.setProtocolVersion !== undefined) {
    const set = transport.setProtocolVersion.bind(transport);
    outer.setProtocolVersion = (revision) => set(revision);
  }
  transport.onmessage = (message) => outer.onmessage?.(redactMessage(message, secrets));
  transport.onerror = (error) => {
    onError?.(error);
    outer.onerror?.(error);
  };
  transport.onclose = (reason) => outer.onclose?.(secrets.redact(reason));
  return outer;
}

/** An in-process server whose tool results and resource texts are redacted. */
export function redactedServer(
  definition: VirtualServerDefinition,
  secrets: Redaction,
): VirtualServerDefinition {
  return {
    ...definition,
    tools: definition.tools.map((tool) => ({
      ...tool,
      call: async (args: JsonObject) => secrets.redactValue(await tool.call(args)),
    })),
    resources: definition.resources.map((resource) => ({
      ...resource,
      read: async () => secrets.redact(await resource.read()),
    })),
    ...(definition.resourceTemplates
      ? {
          resourceTemplates: definition.resourceTemplates.map((template) => ({
            ...template,
            read: async (uri: string) => {
              const text = await template.read(uri);
              return text === undefined ? undefined : secrets.redact(text);
            },
          })),
        }
      : {}),
  };
}
