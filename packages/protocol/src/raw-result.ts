/**
 * Large results passed through without being serialized again (docs/performance.md, where large
 * results are measured). When a response frame of `RAW_MIN` bytes or more is parsed, the exact
 * source text of its `result` is remembered against the parsed result object. Sending a message
 * whose result is that same object (nothing on the way made a translated copy) reuses the text
 * instead of running `JSON.stringify` over megabytes, which blocks the event loop and every other
 * session with it. The text is found by a scan of the frame's top-level structure that jumps over
 * strings with `indexOf`, so a result made of a few large strings (the usual large tool result or
 * resource) is found in microseconds; a scan that needs more than `MAX_STEPS` steps gives up, and
 * the message is serialized as usual. The frame has already been parsed, so it is known to be valid
 * JSON.
 */
const RAW_MIN = 64 * 1024;
const MAX_STEPS = 4096;
const rawResults = new WeakMap<object, string>();

type Budget = { steps: number };

function skipWhitespace(text: string, i: number): number {
  let at = i;
  while (at < text.length) {
    const c = text.charCodeAt(at);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    at++;
  }
  return at;
}

/** Index of the quote closing the string that opens at `open`, or -1. */
function stringEnd(text: string, open: number, budget: Budget): number {
  let from = open + 1;
  for (;;) {
    if (--budget.steps < 0) return -1;
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let slashes = 0;
    while (text.charCodeAt(quote - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return quote;
    from = quote + 1;
  }
}

const STRUCTURE = /["{}[\]]/g;
const VALUE_END = /[,}\]]/g;

/** Index just past the value that starts at `start`, or -1. */
function valueEnd(text: string, start: number, budget: Budget): number {
  const first = text[start];
  if (first === '"') {
    const end = stringEnd(text, start, budget);
    return end < 0 ? -1 : end + 1;
  }
  if (first !== '{' && first !== '[') {
    VALUE_END.lastIndex = start;
    const match = VALUE_END.exec(text);
    return match ? match.index : text.length;
  }
  let depth = 0;
  STRUCTURE.lastIndex = start;
  for (;;) {
    if (--budget.steps < 0) return -1;
    const match = STRUCTURE.exec(text);
    if (!match) return -1;
    const at = match.index;
    if (match[0] === '"') {
      const end = stringEnd(text, at, budget);
      if (end < 0) return -1;
      STRUCTURE.lastIndex = end + 1;
    } else if (match[0] === '{' || match[0] === '[') {
      depth++;
    } else if (--depth === 0) {
      return at + 1;
    }
  }
}

/** The span of the top-level `result` value of a JSON object text (the last one, as JSON.parse). */
function resultSpan(text: string): [number, number] | undefined {
  const budget: Budget = { steps: MAX_STEPS };
  let at = skipWhitespace(text, 0);
  if (text[at] !== '{') return undefined;
  let span: [number, number] | undefined;
  at++;
  for (;;) {
    at = skipWhitespace(text, at);
    if (text[at] !== '"') return undefined;
    const keyEnd = stringEnd(text, at, budget);
    if (keyEnd < 0) return undefined;
    const rawKey = text.slice(at + 1, keyEnd);
    const key = rawKey.includes('\\') ? (JSON.parse(`"${rawKey}"`) as string) : rawKey;
    at = skipWhitespace(text, keyEnd + 1);
    if (text[at] !== ':') return undefined;
    const start = skipWhitespace(text, at + 1);
    const end = valueEnd(text, start, budget);
    if (end < 0) return undefined;
    if (key === 'result') span = [start, end];
    at = skipWhitespace(text, end);
    if (text[at] === ',') {
      at++;
      continue;
    }
    if (text[at] !== '}') return undefined;
    return skipWhitespace(text, at + 1) === text.length ? span : undefined;
  }
}

/** Remembers the source text of a large frame's `result`, for {@link serializeMessage}. */
export function keepRawResult(text: string, value: unknown): void {
  if (text.length < RAW_MIN || typeof value !== 'object' || value === null) return;
  const result = (value as { result?: unknown }).result;
  if (typeof result !== 'object' || result === null) return;
  const span = resultSpan(text);
  if (span) rawResults.set(result, text.slice(span[0], span[1]));
}

/**
 * The JSON text of a message (or a batch of them), reusing the remembered text of a large result
 * that reaches it unchanged. Equivalent to `JSON.stringify` otherwise.
 */
export function serializeMessage(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(serializeMessage).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const message = value as { jsonrpc?: unknown; id?: unknown; result?: unknown };
    const result = message.result;
    // One WeakMap lookup for ordinary messages; the checks only for a remembered result.
    const raw = typeof result === 'object' && result !== null ? rawResults.get(result) : undefined;
    if (raw !== undefined && message.jsonrpc === '2.0' && Object.keys(value).length === 3) {
      return `{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":${raw}}`;
    }
  }
  return JSON.stringify(value);
}
