import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { canonicalJson, type JsonObject } from '@switchyard/protocol';

/**
 * Tool definition pinning (docs/operations.md, "Tool pinning"): the hash of each tool's definition
 * is pinned the first time the tool is listed; a later definition with another hash is a change,
 * kept beside the pin until someone approves it (or the backend goes back to the pinned one).
 */

/** The fields of a tool that make up its definition (MCP 2025-11-25, Server Features: Tools). */
const DEFINITION_FIELDS = ['name', 'description', 'inputSchema', 'outputSchema', 'annotations'];

/** `sha256:<hex>` of the canonical JSON of a tool's definition, as its backend listed it. */
export function toolDefinitionHash(tool: JsonObject): string {
  const definition: JsonObject = {};
  for (const field of DEFINITION_FIELDS) {
    const value = tool[field];
    if (value !== undefined) definition[field] = value;
  }
  return `sha256:${createHash('sha256').update(canonicalJson(definition)).digest('hex')}`;
}

/** One pinned tool, and the changed definition waiting for approval if there is one. */
export interface ToolPin {
  server: string;
  tool: string;
  hash: string;
  pinnedAt: string;
  changed?: { hash: string; seenAt: string };
}

/** What listing a tool did to its pin. */
export type PinOutcome =
  | { type: 'pinned'; hash: string }
  | { type: 'unchanged'; hash: string }
  /** A definition not seen before for a pinned tool: flag it (once per new hash). */
  | { type: 'changed'; pinnedHash: string; currentHash: string }
  /** The same changed definition again: already flagged. */
  | { type: 'still-changed'; pinnedHash: string; currentHash: string }
  /** The backend went back to the pinned definition. */
  | { type: 'restored'; hash: string };

type Entry = Omit<ToolPin, 'server' | 'tool'>;

interface PinsFile {
  version: 1;
  servers: Record<string, Record<string, Entry>>;
}

/** The pins of every server's tools, kept in one JSON file (when there is one). */
export interface ToolPins {
  /** Records a tool as its backend listed it now. */
  seen(server: string, tool: JsonObject): PinOutcome;
  /** The pin of one tool, if it has one. */
  get(server: string, tool: string): ToolPin | undefined;
  /** Every pin, by server then tool. */
  list(): ToolPin[];
  /** Pins the changed definition of a tool; undefined when there is no such pin. */
  approve(server: string, tool: string): ToolPin | undefined;
}

/**
 * The pins file of a proxy: `tool-pins.json` beside its server state file (docs/operations.md,
 * "Tool pinning"); none without one.
 */
export function pinsFileBeside(stateFile: string | undefined): string | undefined {
  return stateFile === undefined ? undefined : join(dirname(stateFile), 'tool-pins.json');
}

function read(file: string | undefined): PinsFile {
  if (file === undefined) return { version: 1, servers: {} };
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as PinsFile;
    if (value.version === 1 && typeof value.servers === 'object' && value.servers !== null)
      return value;
  } catch {
    // Missing or unreadable: start empty; the next pin rewrites it.
  }
  return { version: 1, servers: {} };
}

function modifiedAt(file: string | undefined): number | undefined {
  if (file === undefined) return undefined;
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Pins whose change in `before` is the pinned hash in `after`: approved in between. */
function approvedBetween(before: PinsFile, after: PinsFile): ToolPin[] {
  return Object.entries(before.servers).flatMap(([server, tools]) =>
    Object.entries(tools).flatMap(([tool, entry]) => {
      const now = after.servers[server]?.[tool];
      return entry.changed && now && !now.changed && now.hash === entry.changed.hash
        ? [{ server, tool, ...now }]
        : [];
    }),
  );
}

/**
 * Opens the pins kept in `file` (written whole to a temporary file and renamed over the old one).
 * The file is read again whenever it changed underneath (`switchyard approve` edits it while the
 * proxy runs). Without a file, pins last for the life of the process.
 */
export function openToolPins(
  file: string | undefined,
  now: () => number,
  onError: (error: Error) => void,
  /** A change this store held was approved by another writer of the file (`switchyard approve`). */
  onApprovedElsewhere?: (pin: ToolPin) => void,
): ToolPins {
  let state = read(file);
  let readAt = modifiedAt(file);
  const current = (): PinsFile => {
    const at = modifiedAt(file);
    if (at !== readAt) {
      const before = state;
      state = read(file);
      readAt = at;
      if (onApprovedElsewhere) approvedBetween(before, state).forEach(onApprovedElsewhere);
    }
    return state;
  };
  const save = () => {
    if (file === undefined) return;
    try {
      mkdirSync(dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
      renameSync(temporary, file);
      readAt = modifiedAt(file);
    } catch (error) {
      onError(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const stamp = () => new Date(now()).toISOString();
  const pinOf = (server: string, tool: string, entry: Entry): ToolPin => ({
    server,
    tool,
    ...entry,
  });

  return {
    seen(server, tool) {
      const name = String(tool.name);
      const hash = toolDefinitionHash(tool);
      const servers = current().servers;
      const tools = servers[server] ?? {};
      servers[server] = tools;
      const entry = tools[name];
      if (!entry) {
        tools[name] = { hash, pinnedAt: stamp() };
        save();
        return { type: 'pinned', hash };
      }
      if (entry.hash === hash) {
        if (!entry.changed) return { type: 'unchanged', hash };
        delete entry.changed;
        save();
        return { type: 'restored', hash };
      }
      if (entry.changed?.hash === hash)
        return { type: 'still-changed', pinnedHash: entry.hash, currentHash: hash };
      entry.changed = { hash, seenAt: stamp() };
      save();
      return { type: 'changed', pinnedHash: entry.hash, currentHash: hash };
    },
    get(server, tool) {
      const entry = current().servers[server]?.[tool];
      return entry ? pinOf(server, tool, entry) : undefined;
    },
    list() {
      return Object.entries(current().servers).flatMap(([server, tools]) =>
        Object.entries(tools).map(([tool, entry]) => pinOf(server, tool, entry)),
      );
    },
    approve(server, tool) {
      const entry = current().servers[server]?.[tool];
      if (!entry) return undefined;
      if (entry.changed) {
        entry.hash = entry.changed.hash;
        entry.pinnedAt = stamp();
        delete entry.changed;
        save();
      }
      return pinOf(server, tool, entry);
    },
  };
}
