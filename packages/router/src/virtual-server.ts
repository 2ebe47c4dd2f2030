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
  description: string;
  mimeType: string;
  read(): Promise<string>;
}

/** An MCP server that lives inside the proxy (management, tracing), mounted like any backend. */
export interface VirtualServerDefinition {
  name: string;
  version: string;
  instructions?: string;
  tools: readonly VirtualTool[];
  resources: readonly VirtualResource[];
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
          resources: definition.resources.map(({ uri, name, description, mimeType }) => ({
            uri,
            name,
            description,
            mimeType,
          })),
        },
      };
    // It declares `resources`, so clients ask for templates too (MCP 2025-11-25, Server
    // Features: Resources, Resource Templates); it has none, which is an empty list, not an error.
    case Method.ResourceTemplatesList:
      return { result: { resourceTemplates: [] } };
    case Method.ResourcesRead: {
      const resource = definition.resources.find((r) => r.uri === params.uri);
      if (!resource)
        return {
          error: wireError('resource_not_found', `Resource not found: ${String(params.uri)}`),
        };
      return {
        result: {
          contents: [
            { uri: resource.uri, mimeType: resource.mimeType, text: await resource.read() },
          ],
        },
      };
    }
    default:
      return {
        error: wireError('method_not_found', `Method not found: ${request.method}`),
      };
  }
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
