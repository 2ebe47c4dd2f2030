import type { UnitType } from '../types.js';

/** What the tracer keeps of a piece of content besides its hash. */
export interface ContentFacts {
  summary: string;
  tokens: number;
  type: UnitType;
}

const SUMMARY_CHARS = 200;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function sizeLabel(base64Length: number): string {
  const bytes = Math.floor((base64Length * 3) / 4);
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} B`;
}

/** The content items of a tools/call result, resources/read result or prompts/get result. */
function items(kind: 'tool' | 'resource' | 'prompt', content: unknown): unknown[] {
  if (!isRecord(content)) return [content];
  if (kind === 'tool' && Array.isArray(content.content)) {
    return content.content.length > 0 || content.structuredContent === undefined
      ? content.content
      : [{ type: 'text', text: JSON.stringify(content.structuredContent) }];
  }
  if (kind === 'resource' && Array.isArray(content.contents)) return content.contents;
  if (kind === 'prompt' && Array.isArray(content.messages)) {
    return content.messages.map((m) => (isRecord(m) ? m.content : m));
  }
  return [content];
}

/** Text of one item, or a short description of a non-text one (`[image image/png 12 KB]`). */
function describe(item: unknown): { text: string; isText: boolean } {
  if (typeof item === 'string') return { text: item, isText: true };
  if (!isRecord(item))
    return { text: item === undefined ? '' : JSON.stringify(item), isText: true };
  if (typeof item.text === 'string') return { text: item.text, isText: true };
  const mime = typeof item.mimeType === 'string' ? ` ${item.mimeType}` : '';
  if (typeof item.data === 'string' || typeof item.blob === 'string') {
    const kind = typeof item.type === 'string' ? item.type : 'blob';
    const length = String(item.data ?? item.blob).length;
    return { text: `[${kind}${mime} ${sizeLabel(length)}]`, isText: false };
  }
  if (item.type === 'resource_link' || item.type === 'resource') {
    const uri = isRecord(item.resource) ? item.resource.uri : item.uri;
    const inner = isRecord(item.resource) ? describe(item.resource) : undefined;
    if (inner?.isText) return inner;
    return { text: `[${String(item.type)} ${String(uri ?? '')}${mime}]`, isText: false };
  }
  return { text: JSON.stringify(item), isText: true };
}

/**
 * The unit type of a capture: tool results and resources are External, except `file://`
 * resources, which are the user's own files (User); a prompt is User when any of its messages has
 * the user role, else ModelState (assistant messages only). System is never inferred: nothing a
 * backend returns is the host's system prompt.
 */
export function unitTypeOf(
  kind: 'tool' | 'resource' | 'prompt',
  name: string,
  content: unknown,
): UnitType {
  if (kind === 'tool') return 'External';
  if (kind === 'resource') return name.startsWith('file://') ? 'User' : 'External';
  const messages = isRecord(content) && Array.isArray(content.messages) ? content.messages : [];
  const roles = messages.map((m) => (isRecord(m) ? m.role : undefined));
  if (roles.includes('user') || roles.length === 0) return 'User';
  return roles.includes('assistant') ? 'ModelState' : 'User';
}

/**
 * Summary (the first 200 characters of the text, non-text items described) and token estimate
 * (⌈characters / 4⌉ of the text items; a non-text item counts by its description).
 */
export function contentFacts(
  kind: 'tool' | 'resource' | 'prompt',
  name: string,
  content: unknown,
): ContentFacts {
  let chars = 0;
  let summary = '';
  for (const item of items(kind, content)) {
    const { text } = describe(item);
    chars += text.length;
    if (summary.length < SUMMARY_CHARS) {
      summary += (summary ? ' ' : '') + text.slice(0, SUMMARY_CHARS - summary.length);
    }
  }
  return {
    summary: summary.replace(/\s+/g, ' ').trim().slice(0, SUMMARY_CHARS),
    tokens: Math.ceil(chars / 4),
    type: unitTypeOf(kind, name, content),
  };
}
