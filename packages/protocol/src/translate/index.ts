/**
 * Revision translation (docs/protocol-versions.md). The canonical model is the newest legacy
 * revision, 2025-11-25: every older revision is a subset of it, so decoding a message from any
 * legacy peer is the identity, and each revision's codec is its encoder from the canonical form,
 * driven by that revision's feature table ({@link featuresOf}). Translating from one hop to another
 * is encoding into the receiver's revision; nothing is ever encoded into a newer shape than the
 * sender could produce, so up-translation needs no synthesis beyond what the proxy itself states
 * (its capabilities and identity). What cannot be carried is converted where a faithful form
 * exists, or dropped, and either is reported through {@link Hop.report}.
 */
import { isJsonObject, type JsonObject, type JsonRpcNotification } from '../jsonrpc.js';
import { LATEST_LEGACY_REVISION } from '../revisions.js';
import {
  encodeClientCapabilities,
  NOTIFICATION_ENCODERS,
  REQUEST_ENCODERS,
  RESULT_ENCODERS,
  type RequestTranslation,
} from './codec.js';
import { encoderFor, type Hop } from './encoder.js';

export type { RequestTranslation } from './codec.js';
export type { Hop, TranslationEvent } from './encoder.js';

/** Whether messages for `hop.to` need encoding: the canonical revision takes them as they are. */
function isCanonical(hop: Hop): boolean {
  return hop.to === LATEST_LEGACY_REVISION;
}

/** The result of a `method` request, as the peer that sent the request may receive it. */
export function translateResult(method: string, result: JsonObject, hop: Hop): JsonObject {
  if (isCanonical(hop)) return result;
  const encode = RESULT_ENCODERS[method];
  return encode ? encode(result, encoderFor(hop)) : result;
}

/**
 * A request's params for the peer that will receive it (client requests toward a backend,
 * sampling and elicitation toward a client), or the reason it cannot be sent (answer the sender
 * with an error). Runs even toward the canonical revision: what a peer declared can narrow it.
 */
export function translateRequest(
  method: string,
  params: JsonObject | undefined,
  hop: Hop,
): RequestTranslation {
  const encode = REQUEST_ENCODERS[method];
  if (!encode || params === undefined) return { params };
  if (isCanonical(hop) && hop.peerCapabilities === undefined) return { params };
  return encode(params, encoderFor(hop));
}

/** A notification for the receiving peer, or undefined when its revision has no such thing. */
export function translateNotification(
  notification: JsonRpcNotification,
  hop: Hop,
): JsonRpcNotification | undefined {
  if (isCanonical(hop)) return notification;
  const encode = NOTIFICATION_ENCODERS[notification.method];
  if (!encode || notification.params === undefined) return notification;
  const params = encode(notification.params, encoderFor(hop));
  if (params === undefined) return undefined;
  return params === notification.params ? notification : { ...notification, params };
}

/**
 * The client capabilities to declare to a backend of revision `hop.to` (docs/protocol-versions.md,
 * "Capabilities per hop").
 */
export function translateClientCapabilities(capabilities: JsonObject, hop: Hop): JsonObject {
  return encodeClientCapabilities(capabilities, encoderFor(hop));
}

/** The last path segment of a URI (or template), a readable stand-in for a missing name. */
function nameFromUri(uri: string): string {
  const trimmed = uri.replace(/[/?#]+$/, '');
  return trimmed.slice(trimmed.search(/[^/:]*$/)) || uri;
}

/**
 * A listed item with what every revision requires of it (up-translation): servers in the wild omit
 * a resource's or template's `name` and a tool's `inputSchema`, which SDK clients then reject
 * together with the whole list. The proxy fills them in (the name from the URI, the schema as an
 * empty object schema) and reports each as converted.
 */
export function completeListItem(
  method: string,
  item: JsonObject,
  report?: (feature: string) => void,
): JsonObject {
  if (method === 'tools/list' && typeof item.inputSchema !== 'object') {
    report?.('tool.inputSchema');
    return { ...item, inputSchema: { type: 'object' } };
  }
  const uri =
    method === 'resources/list'
      ? item.uri
      : method === 'resources/templates/list'
        ? item.uriTemplate
        : undefined;
  if (typeof uri === 'string' && typeof item.name !== 'string') {
    report?.(method === 'resources/list' ? 'resource.name' : 'resource_template.name');
    return { ...item, name: nameFromUri(uri) };
  }
  return item;
}

/**
 * The result of a tool that declares an `outputSchema`, with the `structuredContent` every revision
 * that has output schemas requires (up-translation). Servers in the wild forget it while sending
 * its JSON as the text twin the specification asks for (MCP 2025-11-25, Server Features: Tools,
 * Structured Content), and SDK clients then reject the call. When exactly one text block holds a
 * JSON object, that object becomes the structured content (reported as converted); anything else is
 * left as it is.
 */
export function completeToolResult(
  result: JsonObject,
  report?: (feature: string) => void,
): JsonObject {
  if ('structuredContent' in result || result.isError === true || !Array.isArray(result.content))
    return result;
  const texts = result.content.filter((block) => isJsonObject(block) && block.type === 'text');
  const only = texts.length === 1 ? texts[0] : undefined;
  if (!isJsonObject(only) || typeof only.text !== 'string') return result;
  let parsed: unknown;
  try {
    parsed = JSON.parse(only.text);
  } catch {
    return result;
  }
  if (!isJsonObject(parsed)) return result;
  report?.('result.structuredContent');
  return { ...result, structuredContent: parsed };
}
