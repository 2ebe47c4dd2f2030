/** One step into a configuration document: an object key or an array index. */
export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;

/**
 * Formats a path the way a user would write it, e.g. `servers.everything.args[1]`; keys that
 * would be ambiguous after a dot (such as a server named `my.server`) are quoted in brackets.
 */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
