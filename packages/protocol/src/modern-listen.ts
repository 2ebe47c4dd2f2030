import {
  isJsonObject,
  type JsonObject,
  type JsonRpcId,
  type JsonRpcNotification,
} from './jsonrpc.js';
import { Method } from './methods.js';
import { MetaKey } from './modern.js';

/**
 * `subscriptions/listen` (MCP 2026-07-28, Basic: Subscriptions) as data: which notification types
 * a listen stream may carry, the subset of a request the proxy honours, and the messages of the
 * stream. How the proxy serves it over its legacy sessions is in docs/protocol-versions.md, "The
 * modern era (2026-07-28)".
 */
export const LISTEN_METHOD = 'subscriptions/listen';

/** The first message of a listen stream (MCP 2026-07-28 schema, `SubscriptionsAcknowledgedNotification`). */
export const ACKNOWLEDGED_METHOD = 'notifications/subscriptions/acknowledged';

/** The opt-in flags of a `SubscriptionFilter` and the list-changed notification each one admits. */
const LIST_CHANGED_FLAGS: readonly (readonly [string, string, string])[] = [
  ['toolsListChanged', 'tools', Method.ToolsListChanged],
  ['promptsListChanged', 'prompts', Method.PromptsListChanged],
  ['resourcesListChanged', 'resources', Method.ResourcesListChanged],
];

/** What a listen stream delivers: its list-changed notifications and subscribed resource URIs. */
export interface ListenFilter {
  listChanged: ReadonlySet<string>;
  resourceSubscriptions: readonly string[];
}

/**
 * The part of a listen request's `notifications` filter the proxy can deliver, judged by its own
 * legacy capabilities (the answer to a synthetic `initialize`): a list-changed flag when the
 * matching capability declares `listChanged`, resource URIs when `resources.subscribe` is
 * declared (some backend supports it). Anything not requested is not honoured (the server MUST
 * NOT send a type the client did not opt in to).
 */
export function honouredFilter(requested: unknown, legacyCapabilities: JsonObject): JsonObject {
  const asked = isJsonObject(requested) ? requested : {};
  const honoured: JsonObject = {};
  for (const [flag, capability] of LIST_CHANGED_FLAGS) {
    const declared = legacyCapabilities[capability];
    if (asked[flag] === true && isJsonObject(declared) && declared.listChanged === true) {
      honoured[flag] = true;
    }
  }
  const resources = legacyCapabilities.resources;
  const uris = Array.isArray(asked.resourceSubscriptions)
    ? asked.resourceSubscriptions.filter((uri): uri is string => typeof uri === 'string')
    : [];
  if (uris.length > 0 && isJsonObject(resources) && resources.subscribe === true) {
    honoured.resourceSubscriptions = [...new Set(uris)];
  }
  return honoured;
}

/** A honoured filter (see {@link honouredFilter}) as the set of what may be delivered. */
export function listenFilter(honoured: JsonObject): ListenFilter {
  const listChanged = new Set<string>();
  for (const [flag, , method] of LIST_CHANGED_FLAGS)
    if (honoured[flag] === true) listChanged.add(method);
  const uris = Array.isArray(honoured.resourceSubscriptions) ? honoured.resourceSubscriptions : [];
  return {
    listChanged,
    resourceSubscriptions: uris.filter((uri): uri is string => typeof uri === 'string'),
  };
}

/**
 * A legacy notification as a message of the listen stream `subscriptionId`, or undefined when the
 * filter does not admit it: list changes the client opted in to, `resources/updated` for its URIs.
 * Session-wide log messages and anything else have no place on the stream.
 */
export function listenNotification(
  notification: JsonRpcNotification,
  filter: ListenFilter,
  subscriptionId: JsonRpcId,
): JsonRpcNotification | undefined {
  const { method, params } = notification;
  const admitted =
    filter.listChanged.has(method) ||
    (method === Method.ResourcesUpdated &&
      typeof params?.uri === 'string' &&
      filter.resourceSubscriptions.includes(params.uri));
  if (!admitted) return undefined;
  return onStream({ jsonrpc: '2.0', method, ...(params ? { params } : {}) }, subscriptionId);
}

/** The acknowledgement that opens a listen stream, naming the honoured filter. */
export function acknowledgement(
  honoured: JsonObject,
  subscriptionId: JsonRpcId,
): JsonRpcNotification {
  return onStream(
    { jsonrpc: '2.0', method: ACKNOWLEDGED_METHOD, params: { notifications: honoured } },
    subscriptionId,
  );
}

/**
 * The graceful end of a listen stream (MCP 2026-07-28 schema, `SubscriptionsListenResult`):
 * `resultType`, the subscription id and the proxy's `serverInfo` in `_meta`.
 */
export function listenResult(subscriptionId: JsonRpcId, serverInfo: JsonObject): JsonObject {
  return {
    resultType: 'complete',
    _meta: { [MetaKey.subscriptionId]: subscriptionId, [MetaKey.serverInfo]: serverInfo },
  };
}

/** A notification with the stream's id in `_meta["io.modelcontextprotocol/subscriptionId"]`. */
function onStream(
  notification: JsonRpcNotification,
  subscriptionId: JsonRpcId,
): JsonRpcNotification {
  const params = notification.params ?? {};
  const meta = isJsonObject(params._meta) ? params._meta : {};
  return {
    ...notification,
    params: { ...params, _meta: { ...meta, [MetaKey.subscriptionId]: subscriptionId } },
  };
}
