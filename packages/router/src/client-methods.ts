import {
  completeToolResult,
  ErrorCode,
  featuresOf,
  type Hop,
  isJsonObject,
  isListMethod,
  type JsonObject,
  type JsonRpcRequest,
  LATEST_LEGACY_REVISION,
  Method,
  negotiateLegacyRevision,
  translateResult,
} from '@switchyard/protocol';
import type { Target } from './catalog.js';
import type { ClientScope, RouterContext } from './context.js';
import { forward, hopBetween } from './forward.js';
import { failed, type Outcome, statusOf, succeeded } from './outcome.js';

/** Handles one client request for the aggregated server. */
export type ClientMethodHandler = (
  context: RouterContext,
  scope: ClientScope,
  request: JsonRpcRequest,
) => Promise<Outcome> | Outcome;

function stringParam(params: JsonObject | undefined, key: string): string | undefined {
  const value = params?.[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The legacy handshake from the server side: echo a supported revision or offer the latest (MCP
 * 2025-11-25, Basic: Lifecycle, Version Negotiation).
 */
const initialize: ClientMethodHandler = async (context, scope, { params }) => {
  const revision = negotiateLegacyRevision(params?.protocolVersion);
  scope.negotiated(
    revision,
    isJsonObject(params?.capabilities) ? params.capabilities : {},
    isJsonObject(params?.clientInfo) ? params.clientInfo : undefined,
  );
  // The handshake does not start lazy backends: only a real use does (docs/operations.md).
  const live = await context.backends.live(undefined, false);
  const declares = (key: string) => live.some(({ session }) => key in session.serverCapabilities);
  const subscribe = live.some(({ session }) => {
    const resources = session.serverCapabilities.resources;
    return isJsonObject(resources) && resources.subscribe === true;
  });
  // listChanged is always declared: backends that start late must be able to appear.
  const capabilities: JsonObject = {
    tools: { listChanged: true },
    prompts: { listChanged: true },
    resources: subscribe ? { subscribe: true, listChanged: true } : { listChanged: true },
    logging: {},
  };
  if (declares('completions')) capabilities.completions = {};
  const instructions = live
    .filter(({ session }) => session.instructions)
    .map(({ entry, session }) => `## ${entry.name}\n${session.instructions}`)
    .join('\n\n');
  const result: JsonObject = {
    protocolVersion: revision,
    capabilities,
    serverInfo: context.serverInfo,
  };
  if (instructions) result.instructions = instructions;
  // The proxy's own answer is built in the canonical revision and encoded like any other; what it
  // leaves out for an older client is not a loss worth reporting.
  const hop: Hop = { from: LATEST_LEGACY_REVISION, to: revision };
  return succeeded(translateResult(Method.Initialize, result, hop));
};

/** A merged list (canonical: its items come from several backends) encoded for this client. */
const list: ClientMethodHandler = async (context, scope, { method, params }) => {
  if (!isListMethod(method)) return failed('method_not_found', `Method not found: ${method}`);
  const outcome = await context.list(method, params);
  if (outcome.kind !== 'result') return outcome;
  const hop = hopBetween(context.reportTranslation, LATEST_LEGACY_REVISION, scope.revision);
  return succeeded(translateResult(method, outcome.result, hop));
};

/**
 * A tool the backend runs only as a task, called synchronously for the client (the proxy offers
 * clients no tasks; docs/protocol-versions.md): the task is created at the backend, `tasks/result`
 * waits for its end (and carries its input requests, relayed like any other), and the client gets
 * the tool result. A cancellation or timeout cancels the task.
 */
async function callAsTask(
  context: RouterContext,
  scope: ClientScope,
  request: JsonRpcRequest,
  backend: string,
  name: string,
): Promise<Outcome> {
  const params = request.params ?? {};
  const created = await forward(context, scope, request, backend, { ...params, name, task: {} });
  const task = created.kind === 'result' ? created.result.task : undefined;
  if (!isJsonObject(task) || typeof task.taskId !== 'string') return created;
  const taskId = task.taskId;
  const waiting: JsonRpcRequest = { ...request, method: Method.TasksResult, params: { taskId } };
  const outcome = await forward(context, scope, waiting, backend, { taskId }, Method.ToolsCall);
  if (outcome.kind !== 'result')
    void forward(context, scope, { ...waiting, method: Method.TasksCancel }, backend, { taskId });
  return outcome;
}

/** Calls the tool or gets the prompt `target` names, unless its tool is held back. */
function callTarget(
  context: RouterContext,
  scope: ClientScope,
  request: JsonRpcRequest,
  kind: 'tools' | 'prompts',
  target: Target,
): Promise<Outcome> | Outcome {
  if (kind === 'tools') {
    const verdict = context.toolPolicy(target.backend, target.name);
    if (!verdict.show) return failed('tool_not_approved', verdict.message, verdict.data);
  }
  if (target.taskRequired) return callAsTask(context, scope, request, target.backend, target.name);
  return forward(context, scope, request, target.backend, {
    ...(request.params ?? {}),
    name: target.name,
  });
}

/** `tools/call` and `prompts/get`: routed by the exposed name to its backend, under its own name. */
function callNamed(kind: 'tools' | 'prompts'): ClientMethodHandler {
  return async (context, scope, request) => {
    const params = request.params ?? {};
    const name = stringParam(params, 'name');
    if (name === undefined)
      return failed('invalid_params', 'Invalid params: "name" must be a string');
    const target = await context.resolveName(kind, name);
    if (!target)
      return failed('invalid_params', `Unknown ${kind === 'tools' ? 'tool' : 'prompt'}: ${name}`);
    const started = context.clock.now();
    const outcome = await callTarget(context, scope, request, kind, target);
    if (kind === 'tools')
      context.observer.toolCalled?.({
        server: target.backend,
        tool: target.name,
        principal: scope.info.principal,
        sessionId: scope.info.sessionId,
        arguments: params.arguments,
        status: statusOf(outcome),
        durationSeconds: (context.clock.now() - started) / 1000,
      });
    // A client that has output schemas needs the structured content its tool promised.
    if (!target.outputSchema || outcome.kind !== 'result') return outcome;
    if (!featuresOf(scope.revision).structuredContent) return outcome;
    const result = completeToolResult(outcome.result, (feature) =>
      context.reportTranslation({
        from: LATEST_LEGACY_REVISION,
        to: scope.revision,
        feature,
        action: 'converted',
      }),
    );
    return succeeded(result);
  };
}

/** `resources/read` (and the subscriptions): routed by URI to the backend that owns it. */
const callByUri: ClientMethodHandler = async (context, scope, request) => {
  const params = request.params ?? {};
  const uri = stringParam(params, 'uri');
  if (uri === undefined) return failed('invalid_params', 'Invalid params: "uri" must be a string');
  const backend = await context.resolveUri(uri);
  if (!backend) return failed('resource_not_found', `Resource not found: ${uri}`, { uri });
  return forward(context, scope, request, backend, params);
};

/** Subscriptions are remembered per session so `resources/updated` reaches subscribers only. */
const subscription: ClientMethodHandler = async (context, scope, request) => {
  const outcome = await callByUri(context, scope, request);
  const uri = stringParam(request.params, 'uri');
  if (outcome.kind !== 'result' || uri === undefined) return outcome;
  if (request.method === Method.ResourcesSubscribe) context.audience.subscribe(uri, scope.endpoint);
  else context.audience.unsubscribe(uri, scope.endpoint);
  return outcome;
};

const routeCompletion: ClientMethodHandler = async (context, scope, request) => {
  const params = request.params ?? {};
  const ref = isJsonObject(params.ref) ? params.ref : undefined;
  if (ref?.type === 'ref/prompt' && typeof ref.name === 'string') {
    const target = await context.resolveName('prompts', ref.name);
    if (!target) return failed('invalid_params', `Unknown prompt: ${ref.name}`);
    return forward(context, scope, request, target.backend, {
      ...params,
      ref: { ...ref, name: target.name },
    });
  }
  const uri = ref?.type === 'ref/resource' ? ref.uri : undefined;
  if (typeof uri === 'string') {
    const backend = await context.resolveUri(uri);
    if (!backend) return failed('resource_not_found', `Resource not found: ${uri}`, { uri });
    return forward(context, scope, request, backend, params);
  }
  return failed('invalid_params', 'Invalid params: "ref" must be a ref/prompt or ref/resource');
};

/**
 * Completions go where the prompt or resource they complete lives. A backend without them
 * (`-32601`: 2024-11-05 servers need not declare the capability) gives no suggestions rather than
 * an error, so a client can ask the aggregate without knowing who has them.
 */
const complete: ClientMethodHandler = async (context, scope, request) => {
  const outcome = await routeCompletion(context, scope, request);
  if (outcome.kind === 'error' && outcome.error.code === ErrorCode.MethodNotFound)
    return succeeded({ completion: { values: [] } });
  return outcome;
};

/** `logging/setLevel` fans out to every backend that logs; the client gets one answer. */
const setLevel: ClientMethodHandler = async (context, scope, { params }) => {
  if (typeof params?.level !== 'string')
    return failed('invalid_params', 'Invalid params: "level" must be a string');
  const live = await context.backends.live('logging');
  // This client's own backend sessions log to it alone: they get its level too.
  const own = scope.ownSessions().filter(({ session }) => 'logging' in session.serverCapabilities);
  const targets = [...live.map(({ entry, session }) => ({ name: entry.name, session })), ...own];
  await Promise.all(
    targets.map(
      ({ name, session }) =>
        session.request(
          Method.LoggingSetLevel,
          { level: params.level },
          { timeoutMs: context.limits.timeoutFor(name) },
        ).outcome,
    ),
  );
  return succeeded({});
};

/**
 * Every client method the aggregated server answers: adding a method is one entry here. Anything
 * else is answered -32601.
 */
export const CLIENT_METHODS: Readonly<Record<string, ClientMethodHandler>> = {
  [Method.Initialize]: initialize,
  [Method.Ping]: () => succeeded({}),
  [Method.ToolsCall]: callNamed('tools'),
  [Method.PromptsGet]: callNamed('prompts'),
  [Method.ResourcesRead]: callByUri,
  [Method.ResourcesSubscribe]: subscription,
  [Method.ResourcesUnsubscribe]: subscription,
  [Method.CompletionComplete]: complete,
  [Method.LoggingSetLevel]: setLevel,
  'tools/list': list,
  'prompts/list': list,
  'resources/list': list,
  'resources/templates/list': list,
};

/** Answers one client request through {@link CLIENT_METHODS}. */
export function dispatch(
  context: RouterContext,
  scope: ClientScope,
  request: JsonRpcRequest,
): Promise<Outcome> | Outcome {
  const handler = Object.hasOwn(CLIENT_METHODS, request.method)
    ? CLIENT_METHODS[request.method]
    : undefined;
  if (!handler) return failed('method_not_found', `Method not found: ${request.method}`);
  return handler(context, scope, request);
}
