import { isJsonObject, type JsonObject } from '../jsonrpc.js';
import {
  encodeContent,
  encodeContentList,
  encodeSamplingContent,
  withAnnotations,
} from './content.js';
import type { Encoder } from './encoder.js';

/** `title` and `icons`, which tools, prompts, resources and templates gained in 2025-06-18/11-25. */
function encodeMetadata(item: JsonObject, enc: Encoder, kind: string): JsonObject {
  let out = item;
  if (!enc.features.title) out = enc.omit(out, 'title', `${kind}.title`);
  if (!enc.features.icons) out = enc.omit(out, 'icons', `${kind}.icons`);
  return kind === 'tool' ? out : withAnnotations(out, enc);
}

/**
 * A tool for the target revision: a 2025-03-26 client gets `title` as `annotations.title` (the
 * display precedence the newer revision defines), older ones lose annotations, output schemas,
 * icons and task support.
 */
export function encodeTool(tool: JsonObject, enc: Encoder): JsonObject {
  const { features } = enc;
  let out = tool;
  if (!features.title && features.toolAnnotations && typeof tool.title === 'string') {
    const { title, ...rest } = tool;
    const annotations = isJsonObject(tool.annotations) ? tool.annotations : {};
    if (typeof annotations.title === 'string') {
      enc.dropped('tool.title');
      out = rest;
    } else {
      enc.converted('tool.title');
      out = { ...rest, annotations: { ...annotations, title } };
    }
  }
  out = encodeMetadata(out, enc, 'tool');
  if (!features.toolAnnotations) out = enc.omit(out, 'annotations', 'tool.annotations');
  if (!features.structuredContent) out = enc.omit(out, 'outputSchema', 'tool.outputSchema');
  if (!features.tasks) out = enc.omit(out, 'execution', 'tool.execution');
  return out;
}

function encodePrompt(prompt: JsonObject, enc: Encoder): JsonObject {
  const out = encodeMetadata(prompt, enc, 'prompt');
  if (enc.features.title || !Array.isArray(out.arguments)) return out;
  return {
    ...out,
    arguments: out.arguments.map((arg) =>
      isJsonObject(arg) ? enc.omit(arg, 'title', 'prompt.argument.title') : arg,
    ),
  };
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (!isJsonObject(a) || !isJsonObject(b) || Array.isArray(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]))
  );
}

/** Whether a text block already carries `value` as JSON (the twin 2025-06-18 asks servers for). */
function isTextTwin(block: unknown, value: unknown): boolean {
  if (!isJsonObject(block) || block.type !== 'text' || typeof block.text !== 'string') return false;
  try {
    return deepEqual(JSON.parse(block.text), value);
  } catch {
    return false;
  }
}

/**
 * A tool result for the target revision: content blocks converted, and `structuredContent`
 * removed where the revision lacks it, keeping (or adding) its serialised text twin so that no
 * information is lost.
 */
function encodeCallToolResult(result: JsonObject, enc: Encoder): JsonObject {
  let out: JsonObject =
    'content' in result
      ? { ...result, content: encodeContentList(result.content, enc, 'result') }
      : result;
  if (!enc.features.structuredContent && 'structuredContent' in out) {
    const { structuredContent, ...rest } = out;
    const content = Array.isArray(rest.content) ? rest.content : [];
    enc.converted('result.structuredContent');
    out = content.some((block) => isTextTwin(block, structuredContent))
      ? rest
      : {
          ...rest,
          content: [...content, { type: 'text', text: JSON.stringify(structuredContent) }],
        };
  }
  return out;
}

function encodeGetPromptResult(result: JsonObject, enc: Encoder): JsonObject {
  if (!Array.isArray(result.messages)) return result;
  return {
    ...result,
    messages: result.messages.map((message) =>
      isJsonObject(message) && isJsonObject(message.content)
        ? { ...message, content: encodeContent(message.content, enc, 'result') }
        : message,
    ),
  };
}

function mapList(
  result: JsonObject,
  key: string,
  encode: (item: JsonObject, enc: Encoder) => JsonObject,
  enc: Encoder,
): JsonObject {
  const list = result[key];
  if (!Array.isArray(list)) return result;
  return { ...result, [key]: list.map((item) => (isJsonObject(item) ? encode(item, enc) : item)) };
}

/** Server capabilities a revision defines: no `completions` before 2025-03-26, no `tasks` before 2025-11-25. */
export function encodeServerCapabilities(capabilities: JsonObject, enc: Encoder): JsonObject {
  let out = capabilities;
  if (!enc.features.completions) out = enc.omit(out, 'completions', 'capabilities.completions');
  if (!enc.features.tasks) out = enc.omit(out, 'tasks', 'capabilities.tasks');
  return out;
}

/**
 * Client capabilities for a backend of the target revision (docs/protocol-versions.md,
 * "Capabilities per hop"): elicitation only from 2025-06-18 and as a plain `{}` there, sampling
 * tools and tasks only from 2025-11-25.
 */
export function encodeClientCapabilities(capabilities: JsonObject, enc: Encoder): JsonObject {
  const { features } = enc;
  let out = capabilities;
  if (!features.elicitation) out = enc.omit(out, 'elicitation', 'capabilities.elicitation');
  else if (!features.urlElicitation && isJsonObject(out.elicitation))
    out = { ...out, elicitation: {} };
  if (!features.samplingTools && isJsonObject(out.sampling) && 'tools' in out.sampling)
    out = { ...out, sampling: enc.omit(out.sampling, 'tools', 'capabilities.sampling.tools') };
  if (!features.tasks) out = enc.omit(out, 'tasks', 'capabilities.tasks');
  return out;
}

/** `Implementation` (clientInfo/serverInfo): title, icons, description and website are newer. */
export function encodeImplementation(info: JsonObject, enc: Encoder): JsonObject {
  let out = encodeMetadata(info, enc, 'implementation');
  if (!enc.features.implementationDetails) {
    out = enc.omit(out, 'description', 'implementation.description');
    out = enc.omit(out, 'websiteUrl', 'implementation.websiteUrl');
  }
  return out;
}

function encodeInitializeResult(result: JsonObject, enc: Encoder): JsonObject {
  const out: JsonObject = { ...result };
  if (isJsonObject(result.capabilities))
    out.capabilities = encodeServerCapabilities(result.capabilities, enc);
  if (isJsonObject(result.serverInfo))
    out.serverInfo = encodeImplementation(result.serverInfo, enc);
  return out;
}

/** An elicitation answer for an older backend: multi-select arrays exist from 2025-11-25 only. */
function encodeElicitResult(result: JsonObject, enc: Encoder): JsonObject {
  if (enc.features.titledEnums || !isJsonObject(result.content)) return result;
  let content = result.content;
  for (const [key, value] of Object.entries(content)) {
    if (Array.isArray(value)) content = enc.omit(content, key, 'elicitation.multi_select');
  }
  return content === result.content ? result : { ...result, content };
}

/** Result encoders by the method of the request they answer. */
export const RESULT_ENCODERS: Readonly<
  Record<string, (result: JsonObject, enc: Encoder) => JsonObject>
> = {
  initialize: encodeInitializeResult,
  'tools/list': (r, enc) => mapList(r, 'tools', encodeTool, enc),
  'tools/call': encodeCallToolResult,
  'prompts/list': (r, enc) => mapList(r, 'prompts', encodePrompt, enc),
  'prompts/get': encodeGetPromptResult,
  'resources/list': (r, enc) =>
    mapList(r, 'resources', (item, e) => encodeMetadata(item, e, 'resource'), enc),
  'resources/templates/list': (r, enc) =>
    mapList(r, 'resourceTemplates', (item, e) => encodeMetadata(item, e, 'resource_template'), enc),
  'sampling/createMessage': (r, enc) =>
    'content' in r ? { ...r, content: encodeSamplingContent(r.content, enc) } : r,
  'elicitation/create': encodeElicitResult,
};

/**
 * One elicitation form field for the target revision: titled enums become `enum` + `enumNames`
 * (the 2025-06-18 shape), defaults other than boolean ones are removed before 2025-11-25, and a
 * multi-select field cannot be shown at all (undefined).
 */
function encodeElicitField(field: JsonObject, enc: Encoder): JsonObject | undefined {
  const { features } = enc;
  let out = field;
  if (!features.titledEnums) {
    if (out.type === 'array') {
      enc.dropped('elicitation.multi_select');
      return undefined;
    }
    if (Array.isArray(out.oneOf)) {
      const { oneOf, ...rest } = out;
      const options = oneOf.filter(isJsonObject);
      out = {
        ...rest,
        enum: options.map((o) => o.const ?? null),
        enumNames: options.map((o) => o.title ?? o.const ?? null),
      };
      enc.converted('elicitation.titled_enum');
    }
  }
  if (!features.elicitationDefaults && out.type !== 'boolean')
    out = enc.omit(out, 'default', 'elicitation.default');
  return out;
}

/** What a request becomes on the next hop, or why it cannot be sent there at all. */
export type RequestTranslation = { params: JsonObject | undefined } | { refused: string };

/**
 * An elicitation for the target client: URL mode only where the revision and the client's
 * declared capability allow it; form fields converted; refused when a required field cannot be
 * shown (the backend would get a form without it).
 */
function encodeElicitRequest(params: JsonObject, enc: Encoder): RequestTranslation {
  const { features } = enc;
  if (!features.elicitation) {
    enc.dropped('elicitation');
    return { refused: 'the client revision has no elicitation' };
  }
  if (params.mode === 'url') {
    const declared = enc.peerCapabilities?.elicitation;
    if (features.urlElicitation && isJsonObject(declared) && isJsonObject(declared.url))
      return { params };
    enc.dropped('elicitation.url');
    return { refused: 'the client does not support URL-mode elicitation' };
  }
  let out = params;
  if (!features.urlElicitation && 'mode' in out) {
    const { mode: _implied, ...rest } = out;
    out = rest;
  }
  const schema = out.requestedSchema;
  if (!isJsonObject(schema) || !isJsonObject(schema.properties)) return { params: out };
  const required = Array.isArray(schema.required) ? schema.required : [];
  const properties: JsonObject = {};
  for (const [key, field] of Object.entries(schema.properties)) {
    const encoded = isJsonObject(field) ? encodeElicitField(field, enc) : field;
    if (encoded !== undefined) properties[key] = encoded;
    else if (required.includes(key))
      return { refused: `field "${key}" of the form cannot be shown to this client` };
  }
  return { params: { ...out, requestedSchema: { ...schema, properties } } };
}

/** Sampling for the target client: content converted, tools only for a client that has them. */
function encodeSamplingRequest(params: JsonObject, enc: Encoder): RequestTranslation {
  const declared = enc.peerCapabilities?.sampling;
  const clientHasTools = isJsonObject(declared) && 'tools' in declared;
  let out: JsonObject = params;
  if (Array.isArray(params.messages)) {
    out = {
      ...out,
      messages: params.messages.map((message) =>
        isJsonObject(message)
          ? { ...message, content: encodeSamplingContent(message.content, enc) }
          : message,
      ),
    };
  }
  // Behind an aggregator "this server" is every backend: honouring either value would hand one
  // backend the context of the others (MCP 2025-11-25, Client Features: Sampling, soft-deprecates
  // both), so both become "none".
  if (out.includeContext === 'thisServer' || out.includeContext === 'allServers') {
    out = { ...out, includeContext: 'none' };
    enc.converted('sampling.includeContext');
  }
  if (!enc.features.samplingTools || !clientHasTools) {
    out = enc.omit(out, 'tools', 'sampling.tools');
    out = enc.omit(out, 'toolChoice', 'sampling.toolChoice');
  }
  if (!enc.features.tasks) out = enc.omit(out, 'task', 'request.task');
  return { params: out };
}

/** Request encoders by method, for requests in either direction. */
export const REQUEST_ENCODERS: Readonly<
  Record<string, (params: JsonObject, enc: Encoder) => RequestTranslation>
> = {
  'completion/complete': (p, enc) => ({
    params: enc.features.completionContext ? p : enc.omit(p, 'context', 'completion.context'),
  }),
  'tools/call': (p, enc) => ({
    params: enc.features.tasks ? p : enc.omit(p, 'task', 'request.task'),
  }),
  'sampling/createMessage': encodeSamplingRequest,
  'elicitation/create': encodeElicitRequest,
};

/** Notification encoders by method; undefined means the target cannot receive it at all. */
export const NOTIFICATION_ENCODERS: Readonly<
  Record<string, (params: JsonObject, enc: Encoder) => JsonObject | undefined>
> = {
  'notifications/progress': (p, enc) =>
    enc.features.progressMessage ? p : enc.omit(p, 'message', 'progress.message'),
  'notifications/elicitation/complete': (p, enc) => {
    if (enc.features.urlElicitation) return p;
    enc.dropped('notifications/elicitation/complete');
    return undefined;
  },
  'notifications/tasks/status': (p, enc) => {
    if (enc.features.tasks) return p;
    enc.dropped('notifications/tasks/status');
    return undefined;
  },
};
