import { isJsonObject, type JsonObject } from './jsonrpc.js';
import type { ModernRefusal } from './modern.js';

/**
 * Custom headers from tool parameters (MCP 2026-07-28, Transports: Streamable HTTP, Custom Headers
 * from Tool Parameters): a tool's `inputSchema` may mark a property with `"x-mcp-header": "<H>"`,
 * and a `tools/call` over HTTP then mirrors that argument as the header `Mcp-Param-<H>`. A server
 * that reads the body checks every mirrored value against it; how the proxy applies this is in
 * docs/protocol-versions.md, "The modern era (2026-07-28)".
 */

/** The schema keyword that declares a mirrored parameter. */
export const PARAM_HEADER_KEYWORD = 'x-mcp-header';
/** The prefix of a mirrored parameter's header name. */
export const PARAM_HEADER_PREFIX = 'Mcp-Param-';

/** The primitive types a declaration may apply to (`number` is not one of them). */
type ParamType = 'string' | 'integer' | 'boolean';

/** One valid declaration: where the argument is in `arguments`, and the header's name part. */
export interface ParamHeader {
  /** The chain of `properties` keys from the schema root to the property. */
  path: string[];
  /** `<H>` of `Mcp-Param-<H>`, as declared. */
  name: string;
  type: ParamType;
}

/** A tool's declarations, or why they make the tool invalid. */
export type ParamHeaders =
  | { valid: true; headers: ParamHeader[] }
  | { valid: false; reason: string };

/** An HTTP field-name token (RFC 9110, section 5.1: `1*tchar`), which has no control characters. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Keywords whose values are data, not schemas: a key in them declares nothing. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);
/** Keywords whose values map names to schemas. */
const SCHEMA_MAPS = new Set([
  '$defs',
  'definitions',
  'patternProperties',
  'dependentSchemas',
  'dependencies',
]);

/** Every `x-mcp-header` in a schema: its value, the schema that holds it, and its static path. */
interface Found {
  value: unknown;
  schema: JsonObject;
  /** The `properties` chain to the schema, or undefined when it is reached any other way. */
  path: string[] | undefined;
}

function collect(schema: unknown, path: string[] | undefined, found: Found[]): void {
  if (Array.isArray(schema)) {
    for (const item of schema) collect(item, undefined, found);
    return;
  }
  if (!isJsonObject(schema)) return;
  for (const [key, value] of Object.entries(schema)) {
    if (key === PARAM_HEADER_KEYWORD) found.push({ value, schema, path });
    else if (key === 'properties' && isJsonObject(value)) {
      for (const [name, sub] of Object.entries(value)) {
        collect(sub, path === undefined ? undefined : [...path, name], found);
      }
    } else if (SCHEMA_MAPS.has(key) && isJsonObject(value)) {
      for (const sub of Object.values(value)) collect(sub, undefined, found);
    } else if (!DATA_KEYWORDS.has(key)) collect(value, undefined, found);
  }
}

/** The one primitive type a property allows (besides `null`), if it is a permitted one. */
function paramType(schema: JsonObject): ParamType | undefined {
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter(
    (t) => t !== 'null',
  );
  const [only] = types;
  if (types.length !== 1) return undefined;
  return only === 'string' || only === 'integer' || only === 'boolean' ? only : undefined;
}

/**
 * Reads and checks the `x-mcp-header` declarations of a tool's `inputSchema` (MCP 2026-07-28,
 * Transports: Streamable HTTP, Schema Extension): each a non-empty field-name token, unique
 * ignoring case, on a `string`, `integer` or `boolean` property reached from the root through
 * `properties` alone. One bad declaration makes the whole tool invalid.
 */
export function readParamHeaders(inputSchema: unknown): ParamHeaders {
  // A tool's schema object is read once, not on every call of the tool.
  if (typeof inputSchema !== 'object' || inputSchema === null) return readDeclarations(inputSchema);
  let read = readCache.get(inputSchema);
  if (!read) {
    read = readDeclarations(inputSchema);
    readCache.set(inputSchema, read);
  }
  return read;
}

const readCache = new WeakMap<object, ParamHeaders>();

function readDeclarations(inputSchema: unknown): ParamHeaders {
  const found: Found[] = [];
  collect(inputSchema, [], found);
  const headers: ParamHeader[] = [];
  const seen = new Set<string>();
  for (const { value, schema, path } of found) {
    const where = path && path.length > 0 ? path.join('.') : 'the schema root';
    if (path === undefined || path.length === 0) {
      return { valid: false, reason: `x-mcp-header outside a chain of properties (${where})` };
    }
    if (typeof value !== 'string' || !TOKEN.test(value)) {
      return { valid: false, reason: `x-mcp-header of ${where} is not an HTTP token` };
    }
    if (seen.has(value.toLowerCase())) {
      return { valid: false, reason: `x-mcp-header ${value} is declared twice` };
    }
    seen.add(value.toLowerCase());
    const type = paramType(schema);
    if (!type) {
      return {
        valid: false,
        reason: `x-mcp-header on ${where}, which is not string, integer or boolean`,
      };
    }
    headers.push({ path, name: value, type });
  }
  return { valid: true, headers };
}

/** Whether a tool's `x-mcp-header` declarations are valid (a tool without any is). */
export function hasValidParamHeaders(tool: unknown): boolean {
  return !isJsonObject(tool) || readParamHeaders(tool.inputSchema).valid;
}

const SENTINEL = /^=\?base64\?(.*)\?=$/;
/** Canonical Base64 (RFC 4648, section 4): the alphabet, and padding to a multiple of four. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** What a plain header value may hold: visible ASCII, space and tab (RFC 9110, section 5.5). */
const PLAIN = /^[\x20-\x7E\t]*$/;

/**
 * A value as a header carries it (MCP 2026-07-28, Transports: Streamable HTTP, Value Encoding):
 * as is when it is plain ASCII without surrounding whitespace and does not look like the sentinel,
 * else `=?base64?<UTF-8 as Base64>?=`.
 */
export function encodeParamHeader(value: string | number | boolean): string {
  const text = String(value);
  const plain = /^[\x21-\x7E](?:[\x20-\x7E]*[\x21-\x7E])?$/.test(text) || text === '';
  if (plain && !SENTINEL.test(text)) return text;
  const bytes = new TextEncoder().encode(text);
  return `=?base64?${btoa(String.fromCharCode(...bytes))}?=`;
}

/** A header value decoded, or undefined when it holds invalid characters or invalid Base64. */
export function decodeParamHeader(sent: string): string | undefined {
  const encoded = SENTINEL.exec(sent)?.[1];
  if (encoded === undefined) return PLAIN.test(sent) ? sent : undefined;
  if (!BASE64.test(encoded)) return undefined;
  try {
    const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Whether a decoded header value stands for a body value: integers compare as numbers. */
function matches(decoded: string, value: unknown): boolean {
  if (typeof value === 'string') return decoded === value;
  if (typeof value === 'boolean') return decoded === String(value);
  if (typeof value === 'number') return decoded.trim() !== '' && Number(decoded) === value;
  return false;
}

function valueAt(args: unknown, path: string[]): unknown {
  let at = args;
  for (const key of path) at = isJsonObject(at) ? at[key] : undefined;
  return at;
}

/**
 * Checks the `Mcp-Param-*` headers of a `tools/call` against its `arguments` (MCP 2026-07-28,
 * Transports: Streamable HTTP, Server Behavior for Custom Headers): a declared argument with a
 * value needs its header, decoded equal to it; an absent or null one must not have one. Any other
 * case, or invalid characters or Base64, is a -32020 HeaderMismatch.
 */
export function checkParamHeaders(
  header: (name: string) => string | null | undefined,
  declared: readonly ParamHeader[],
  args: unknown,
): ModernRefusal | undefined {
  for (const { path, name } of declared) {
    const headerName = `${PARAM_HEADER_PREFIX}${name}`;
    const value = valueAt(args, path);
    const sent = header(headerName.toLowerCase()) ?? undefined;
    const refuse = (why: string): ModernRefusal => ({
      name: 'header_mismatch',
      message: `Header mismatch: ${headerName} ${why}`,
    });
    if (value === undefined || value === null) {
      if (sent !== undefined) return refuse(`is sent, but ${path.join('.')} is not in the body`);
      continue;
    }
    if (sent === undefined) return refuse(`is missing, but ${path.join('.')} is in the body`);
    const decoded = decodeParamHeader(sent);
    if (decoded === undefined)
      return refuse(`has invalid characters or Base64: ${JSON.stringify(sent)}`);
    if (!matches(decoded, value)) {
      return refuse(`is ${JSON.stringify(decoded)}, but the body has ${JSON.stringify(value)}`);
    }
  }
  return undefined;
}
