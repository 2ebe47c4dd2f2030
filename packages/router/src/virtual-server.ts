import {
  isRequest,
  type JsonObject,
  type JsonRpcErrorObject,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type MessageTransport,
  Method,
  negotiateLegacyRevision,
  wireError,
} from '@switchyard/protocol';
import { templateMatcher } from './catalog.js';

/** A tool of an in-process server; `call` returns a `CallToolResult`, or throws for `isError`. */
export interface VirtualTool {
  name: string;
  description: string;
  inputSchema: JsonObject;
  annotations?: JsonObject;
  call(args: JsonObject): Promise<JsonObject>;
}

/** A resource of an in-process server, read as text. */
export interface VirtualResource {
  uri: string;
  name: string;
  description?: string;
  mimeType?: string;
  read(): Promise<string>;
}

/** A family of resources of an in-process server (RFC 6570 template); `read` is undefined for an unknown one. */
export interface VirtualResourceTemplate {
  uriTemplate: string;
  name: string;
  description?: string;
  mimeType?: string;
  read(uri: string): Promise<string | undefined>;
}

/** An MCP server that lives inside the proxy (management, tracing), mounted like any backend. */
export interface VirtualServerDefinition {
  name: string;
  version: string;
  instructions?: string;
  tools: readonly VirtualTool[];
  resources: readonly VirtualResource[];
  resourceTemplates?: readonly VirtualResourceTemplate[];
}

type Answer = { result: JsonObject } | { error: JsonRpcErrorObject };

async function answer(
  definition: VirtualServerDefinition,
  request: JsonRpcRequest,
): Promise<Answer> {
  const params = request.params ?? {};
  switch (request.method) {
    case Method.Initialize: {
      const result: JsonObject = {
        protocolVersion: negotiateLegacyRevision(params.protocolVersion),
        capabilities: { tools: {}, resources: {} },
        serverInfo: { name: definition.name, version: definition.version },
      };
      if (definition.instructions) result.instructions = definition.instructions;
      return { result };
    }
    case Method.Ping:
      return { result: {} };
    case Method.ToolsList:
      return {
        result: {
          tools: definition.tools.map(({ name, description, inputSchema, annotations }) =>
            annotations
              ? { name, description, inputSchema, annotations }
              : { name, description, inputSchema },
          ),
        },
      };
    case Method.ToolsCall: {
      const tool = definition.tools.find((t) => t.name === params.name);
      if (!tool)
        return {
          error: wireError('invalid_params', `Unknown tool: ${String(params.name)}`),
        };
      const args =
        typeof params.arguments === 'object' && params.arguments !== null
          ? (params.arguments as JsonObject)
          : {};
      try {
        return { result: await tool.call(args) };
      } catch (error) {
        // A tool failure is a result the model can read, not a protocol error (MCP 2025-11-25, Server Features: Tools, Error Handling).
        const text = error instanceof Error ? error.message : String(error);
        return { result: { content: [{ type: 'text', text }], isError: true } };
      }
    }
    case Method.ResourcesList:
      return {
        result: {
          resources: definition.resources.map(({ read: _, ...resource }) => resource),
        },
      };
    // It declares `resources`, so clients ask for templates too (MCP 2025-11-25, Server
    // Features: Resources, Resource Templates); having none is an empty list, not an error.
    case Method.ResourceTemplatesList:
      return {
        result: {
          resourceTemplates: (definition.resourceTemplates ?? []).map(({ read: _, ...t }) => t),
        },
      };
    case Method.ResourcesRead:
      return read(definition, String(params.uri));
    default:
      return {
        error: wireError('method_not_found', `Method not found: ${request.method}`),
      };
  }
}

/** `resources/read`: a listed resource, else the first template that knows the URI. */
async function read(definition: VirtualServerDefinition, uri: string): Promise<Answer> {
  const resource = definition.resources.find((r) => r.uri === uri);
  if (resource) {
    const text = await resource.read();
    const content: JsonObject = { uri, text };
    if (resource.mimeType) content.mimeType = resource.mimeType;
    return { result: { contents: [content] } };
  }
  for (const template of definition.resourceTemplates ?? []) {
    if (!templateMatcher(template.uriTemplate).test(uri)) continue;
    const text = await template.read(uri);
    if (text === undefined) continue;
    const content: JsonObject = { uri, text };
    if (template.mimeType) content.mimeType = template.mimeType;
    return { result: { contents: [content] } };
  }
  return { error: wireError('resource_not_found', `Resource not found: ${uri}`) };
}

/**
 * A transport whose other end is an in-process MCP server, so a virtual server goes through the
 * same `BackendSession`, routing, namespacing and supervision as a real one.
 */
export function virtualTransport(definition: VirtualServerDefinition): MessageTransport {
  let open = false;
  const transport: MessageTransport = {
    async start() {
      open = true;
    },
    async send(message: JsonRpcMessage) {
      if (!open) throw new Error(`virtual server "${definition.name}" is closed`);
      if (!isRequest(message)) return;
      const reply = await answer(definition, message);
      if (open)
        transport.onmessage?.({ jsonrpc: '2.0', id: message.id, ...reply } as JsonRpcMessage);
    },
    async close() {
      if (!open) return;
      open = false;
      transport.onclose?.('closed');
    },
  };
  return transport;
}
