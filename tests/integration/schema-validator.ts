import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Revision } from '@switchyard/protocol';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';

/**
 * One way a received message breaks its revision's schema (or, for `undeclared`, a property the
 * revision does not define). `path` is a JSON pointer into the whole JSON-RPC message.
 */
export interface SchemaIssue {
  /** The request method a response answers, or the method of a request or notification. */
  method: string;
  kind: 'result' | 'error' | 'request' | 'notification' | 'unknown';
  /** The schema definition the message was checked against, e.g. `CallToolResult`. */
  definition: string;
  path: string;
  /** The JSON Schema keyword that failed (`const`, `required`, `anyOf`...), or `undeclared`. */
  keyword: string;
  message: string;
}

/** Checks messages a client received against the official schema of the revision it negotiated. */
export interface MessageValidator {
  readonly revision: Revision;
  /**
   * The schema violations of one received message. A response is checked against the result type
   * of `requestMethod` (the method of the request it answers), a server request against
   * `ServerRequest`, a notification against `ServerNotification`, an error against `JSONRPCError`.
   */
  validate(message: unknown, requestMethod?: string): SchemaIssue[];
  /**
   * Properties of a valid message that the revision's schema does not define (`title`, `icons`,
   * `structuredContent`...). The schemas allow extra properties, so these are not violations, but
   * SDK clients of that revision drop them. `_meta` and embedded JSON Schemas are not inspected.
   */
  undeclared(message: unknown, requestMethod?: string): SchemaIssue[];
}

/** The result type of each client request method (the schema's `ClientRequest` → `ServerResult`). */
const RESULT_OF: Readonly<Record<string, string>> = {
  initialize: 'InitializeResult',
  ping: 'EmptyResult',
  'tools/list': 'ListToolsResult',
  'tools/call': 'CallToolResult',
  'prompts/list': 'ListPromptsResult',
  'prompts/get': 'GetPromptResult',
  'resources/list': 'ListResourcesResult',
  'resources/templates/list': 'ListResourceTemplatesResult',
  'resources/read': 'ReadResourceResult',
  'resources/subscribe': 'EmptyResult',
  'resources/unsubscribe': 'EmptyResult',
  'logging/setLevel': 'EmptyResult',
  'completion/complete': 'CompleteResult',
  'tasks/get': 'GetTaskResult',
  'tasks/result': 'GetTaskPayloadResult',
  'tasks/list': 'ListTasksResult',
  'tasks/cancel': 'CancelTaskResult',
  'server/discover': 'DiscoverResult',
  'subscriptions/listen': 'SubscriptionsListenResult',
};

/** The properties MCP unions are told apart by: content and schema `type`, message `method`. */
const DISCRIMINATORS = ['type', 'method', 'mode'];

/** Keys whose values are open by design (`_meta`) or are arbitrary JSON Schemas. */
const OPAQUE_KEYS = new Set(['_meta', 'inputSchema', 'outputSchema']);

type Json = Record<string, unknown>;
/** An issue before it is attributed to a message. */
type Finding = Pick<SchemaIssue, 'path' | 'keyword' | 'message'>;
/** An undeclared property: where it is, and the definition that lacks it. */
type Stray = { path: string; definition: string };

const options = { strict: false, allErrors: true, verbose: true } as const;

const require = createRequire(import.meta.url);

/** The official JSON Schema of a revision, as shipped in `@switchyard/protocol/schema`. */
export function loadRevisionSchema(revision: Revision): Json {
  const file = require.resolve(`@switchyard/protocol/schema/${revision}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

export function createMessageValidator(revision: Revision): MessageValidator {
  const schema = loadRevisionSchema(revision);
  // 2024-11-05 to 2025-06-18 are draft-07 (`definitions`); 2025-11-25 on are 2020-12 (`$defs`).
  const defsKey = '$defs' in schema ? '$defs' : 'definitions';
  const defs = schema[defsKey] as Record<string, Json>;
  const ajv = defsKey === '$defs' ? new Ajv2020(options) : new Ajv(options);
  formats.default(ajv);
  const id = `urn:mcp-schema:${revision}`;
  ajv.addSchema(schema, id);

  // Ajv's verbose errors carry the very schema objects passed in; this maps them back to pointers.
  const pointers = new Map<object, string>();
  indexPointers(schema, '', pointers);
  const compiled = new Map<string, ValidateFunction>();
  const validatorAt = (pointer: string): ValidateFunction => {
    let validate = compiled.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `${id}#${pointer}` });
      compiled.set(pointer, validate);
    }
    return validate;
  };
  const at = (pointer: string): Json => resolvePointer(schema, pointer) as Json;
  /** The schema at `pointer` with `$ref`s followed, and where it really lives. */
  const follow = (pointer: string): { pointer: string; node: Json } => {
    let node = at(pointer);
    while (typeof node.$ref === 'string') {
      pointer = node.$ref.slice(1);
      node = at(pointer);
    }
    return { pointer, node };
  };
  const definitionPointer = (name: string) => `/${defsKey}/${name}`;
  const envelope = {
    result: defs.JSONRPCResultResponse ? 'JSONRPCResultResponse' : 'JSONRPCResponse',
    error: defs.JSONRPCErrorResponse ? 'JSONRPCErrorResponse' : 'JSONRPCError',
  };

  /** Readable issues for the data at `path`, checked against the schema at `pointer`. */
  function check(pointer: string, data: unknown, path: string): Finding[] {
    const validate = validatorAt(pointer);
    if (validate(data)) return [];
    return describe(validate.errors ?? [], path);
  }

  function describe(errors: ErrorObject[], path: string): Finding[] {
    const unions = errors
      .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
      .sort((a, b) => a.instancePath.length - b.instancePath.length);
    const explained: string[] = [];
    const issues: Finding[] = [];
    for (const union of unions) {
      if (explained.some((p) => within(union.instancePath, p))) continue;
      explained.push(union.instancePath);
      issues.push(...explainUnion(union, path));
    }
    for (const error of errors) {
      if (explained.some((p) => within(error.instancePath, p))) continue;
      issues.push({
        path: path + error.instancePath,
        keyword: error.keyword,
        message: plainMessage(error),
      });
    }
    return issues;
  }

  /**
   * A union failed: name the discriminator value the revision lacks (`type: "resource_link"`), or
   * report the errors of the branch the data was meant for (or the closest one).
   */
  function explainUnion(union: ErrorObject, path: string): Finding[] {
    const base = `${pointers.get(union.parentSchema as object) ?? ''}/${union.keyword}`;
    const branches = (union.schema as Json[]).map((branch, index) => {
      const pointer = `${base}/${index}`;
      const ref = typeof branch.$ref === 'string' ? branch.$ref.slice(1) : undefined;
      const resolved = ref ? at(ref) : branch;
      const name = ref ? (ref.split('/').pop() ?? ref) : `${union.keyword}[${index}]`;
      return { pointer, resolved, name };
    });
    const data = union.data;
    const mismatch = (resolved: Json) => discriminatorMismatch(resolved, data);
    const candidates = branches.filter((branch) => mismatch(branch.resolved) === undefined);
    const where = path + union.instancePath;
    if (candidates.length === 0 && isObject(data)) {
      const key = mismatch(branches[0]?.resolved ?? {}) ?? 'type';
      const allowed = branches.flatMap(
        (branch) =>
          discriminatorValues((branch.resolved.properties as Record<string, Json>)?.[key]) ?? [],
      );
      const expected = [...new Set(allowed.map((value) => JSON.stringify(value)))];
      return [
        {
          path: `${where}/${escapePointer(key)}`,
          keyword: union.keyword,
          message: `${key} ${JSON.stringify(data[key])} is not defined in ${revision}; expected one of ${expected.join(', ')}`,
        },
      ];
    }
    const explained = candidates.map((branch) => ({
      branch,
      issues: check(branch.pointer, data, where),
    }));
    explained.sort((a, b) => a.issues.length - b.issues.length);
    const best = explained[0];
    if (!best || best.issues.length === 0) {
      return [
        { path: where, keyword: union.keyword, message: union.message ?? 'no branch matches' },
      ];
    }
    const label = candidates.length === 1 ? best.branch.name : `closest: ${best.branch.name}`;
    return best.issues.map((issue) => ({ ...issue, message: `(${label}) ${issue.message}` }));
  }

  /** Which definition a message is checked against, and the part of it that the definition covers. */
  function plan(
    message: unknown,
    requestMethod: string | undefined,
  ): {
    method: string;
    kind: SchemaIssue['kind'];
    checks: { definition: string; data: unknown; path: string }[];
  } {
    if (!isObject(message)) {
      return {
        method: '?',
        kind: 'unknown',
        checks: [{ definition: 'JSONRPCMessage', data: message, path: '' }],
      };
    }
    if ('result' in message) {
      const method = requestMethod ?? '?';
      // A multi round-trip answer (MCP 2026-07-28, Basic: Multi Round-Trip Requests) is an
      // InputRequiredResult whatever the method, in the revisions that define one.
      const inputRequired =
        isObject(message.result) &&
        message.result.resultType === 'input_required' &&
        defs.InputRequiredResult !== undefined;
      const result = inputRequired ? 'InputRequiredResult' : RESULT_OF[method];
      const checks: { definition: string; data: unknown; path: string }[] = [
        { definition: envelope.result, data: message, path: '' },
      ];
      if (result && defs[result])
        checks.push({ definition: result, data: message.result, path: '/result' });
      return { method, kind: 'result', checks };
    }
    if ('error' in message) {
      return {
        method: requestMethod ?? '?',
        kind: 'error',
        checks: [{ definition: envelope.error, data: message, path: '' }],
      };
    }
    const method = typeof message.method === 'string' ? message.method : '?';
    if ('id' in message) {
      return {
        method,
        kind: 'request',
        checks: [
          { definition: 'JSONRPCRequest', data: message, path: '' },
          { definition: 'ServerRequest', data: message, path: '' },
        ],
      };
    }
    return {
      method,
      kind: 'notification',
      checks: [
        { definition: 'JSONRPCNotification', data: message, path: '' },
        { definition: 'ServerNotification', data: message, path: '' },
      ],
    };
  }

  function undeclaredIn(
    pointer: string,
    definition: string,
    data: unknown,
    path: string,
    out: Stray[],
  ): void {
    const followed = follow(pointer);
    if (followed.pointer !== pointer) {
      pointer = followed.pointer;
      definition = pointer.split('/').pop() ?? definition;
    }
    const schemaHere = followed.node;
    for (const keyword of ['anyOf', 'oneOf'] as const) {
      const branches = schemaHere[keyword];
      if (!Array.isArray(branches)) continue;
      // Of the branches the data is valid against, the one that explains the most of it; for
      // invalid data (reported by `validate`), the one its discriminator names, if any.
      let best: Stray[] | undefined;
      branches.forEach((_, i) => {
        const branch = `${pointer}/${keyword}/${i}`;
        if (!validatorAt(branch)(data)) return;
        const found: Stray[] = [];
        undeclaredIn(branch, definition, data, path, found);
        if (!best || found.length < best.length) best = found;
      });
      if (!best) {
        const named = branches
          .map((_, i) => `${pointer}/${keyword}/${i}`)
          .filter((branch) => {
            const resolved = follow(branch).node;
            return (
              hasDiscriminator(resolved) && discriminatorMismatch(resolved, data) === undefined
            );
          });
        if (named.length === 1 && named[0]) undeclaredIn(named[0], definition, data, path, out);
      }
      out.push(...(best ?? []));
      return;
    }
    if (Array.isArray(data)) {
      if (isObject(schemaHere.items)) {
        data.forEach((item, i) => {
          undeclaredIn(`${pointer}/items`, definition, item, `${path}/${i}`, out);
        });
      }
      return;
    }
    // `additionalProperties: true` marks an object open by design (`experimental` values).
    if (!isObject(data) || schemaHere.additionalProperties === true) return;
    // `allOf` parts (2025-11-25 tasks) add their properties to the object's own.
    const parts: { pointer: string; properties: Json }[] = [];
    if (isObject(schemaHere.properties)) parts.push({ pointer, properties: schemaHere.properties });
    if (Array.isArray(schemaHere.allOf)) {
      schemaHere.allOf.forEach((_, i) => {
        const part = follow(`${pointer}/allOf/${i}`);
        if (isObject(part.node.properties)) {
          parts.push({ pointer: part.pointer, properties: part.node.properties });
        }
      });
    }
    if (parts.length === 0) {
      // A map (`requestedSchema.properties`): each value is checked against `additionalProperties`.
      if (
        isObject(schemaHere.additionalProperties) &&
        Object.keys(schemaHere.additionalProperties).length > 0
      ) {
        for (const key of Object.keys(data)) {
          const keyPath = `${path}/${escapePointer(key)}`;
          undeclaredIn(`${pointer}/additionalProperties`, definition, data[key], keyPath, out);
        }
      }
      return;
    }
    for (const key of Object.keys(data)) {
      const owner = parts.find((part) => key in part.properties);
      if (!owner) {
        out.push({ path: `${path}/${escapePointer(key)}`, definition });
      } else if (!OPAQUE_KEYS.has(key)) {
        undeclaredIn(
          `${owner.pointer}/properties/${escapePointer(key)}`,
          definition,
          data[key],
          `${path}/${escapePointer(key)}`,
          out,
        );
      }
    }
  }

  return {
    revision,
    validate(message, requestMethod) {
      const { method, kind, checks } = plan(message, requestMethod);
      const issues: SchemaIssue[] = [];
      if (kind === 'result' && !(RESULT_OF[method] && defs[RESULT_OF[method]])) {
        issues.push({
          method,
          kind,
          definition: '-',
          path: '/result',
          keyword: 'method',
          message: `no result type for a "${method}" request in ${revision}`,
        });
      }
      for (const { definition, data, path } of checks) {
        for (const issue of check(definitionPointer(definition), data, path)) {
          issues.push({ method, kind, definition, ...issue });
        }
      }
      return issues;
    },
    undeclared(message, requestMethod) {
      const { method, kind, checks } = plan(message, requestMethod);
      const main = checks[checks.length - 1];
      if (!main || main.definition.startsWith('JSONRPC')) return [];
      const found: Stray[] = [];
      undeclaredIn(
        definitionPointer(main.definition),
        main.definition,
        main.data,
        main.path,
        found,
      );
      return found
        .filter(({ path }) => kind === 'result' || !/^\/(jsonrpc|id)$/.test(path))
        .map(({ path, definition }) => ({
          method,
          kind,
          definition,
          path,
          keyword: 'undeclared',
          message: `"${unescapePointer(path.split('/').pop() ?? '')}" is not a property of ${definition} in ${revision}`,
        }));
    },
  };
}

/** One line per issue: `tools/call result CallToolResult /result/content/1/type anyOf: ...`. */
export function formatIssue(issue: SchemaIssue): string {
  return `${issue.method} ${issue.kind} ${issue.definition} ${issue.path || '/'} ${issue.keyword}: ${issue.message}`;
}

function plainMessage(error: ErrorObject): string {
  const got = ` (got ${preview(error.data)})`;
  switch (error.keyword) {
    case 'const':
      return `must be ${JSON.stringify(error.params.allowedValue)}${got}`;
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'type':
    case 'format':
      return `${error.message ?? error.keyword}${got}`;
    default:
      return error.message ?? error.keyword;
  }
}

/** The first discriminator whose value in `data` the union branch `resolved` does not allow. */
function discriminatorMismatch(resolved: Json, data: unknown): string | undefined {
  if (!isObject(data)) return undefined;
  const properties = (resolved.properties ?? {}) as Record<string, Json>;
  return DISCRIMINATORS.find((key) => {
    const allowed = discriminatorValues(properties[key]);
    return allowed !== undefined && key in data && !allowed.includes(data[key]);
  });
}

function hasDiscriminator(resolved: Json): boolean {
  const properties = (resolved.properties ?? {}) as Record<string, Json>;
  return DISCRIMINATORS.some((key) => discriminatorValues(properties[key]) !== undefined);
}

/** The values a `const` or `enum` property allows, when it can tell union branches apart. */
function discriminatorValues(property: Json | undefined): unknown[] | undefined {
  if (!property) return undefined;
  if ('const' in property) return [property.const];
  return Array.isArray(property.enum) ? property.enum : undefined;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function within(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function resolvePointer(root: unknown, pointer: string): unknown {
  let node = root;
  for (const token of pointer.split('/').slice(1)) {
    node = (node as Record<string, unknown>)[unescapePointer(token)];
  }
  return node;
}

function indexPointers(node: unknown, pointer: string, into: Map<object, string>): void {
  if (typeof node !== 'object' || node === null) return;
  into.set(node, pointer);
  for (const [key, value] of Object.entries(node)) {
    indexPointers(value, `${pointer}/${escapePointer(key)}`, into);
  }
}
