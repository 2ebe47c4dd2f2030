import type { JsonObject } from '@switchyard/protocol';

/** Where an exposed tool or prompt name leads. */
export interface Target {
  backend: string;
  name: string;
  priority: number;
  order: number;
  /** A tool the backend runs only as a task (`execution.taskSupport: "required"`, 2025-11-25). */
  taskRequired?: boolean;
  /** A tool that declares an `outputSchema`: its results must carry `structuredContent`. */
  outputSchema?: boolean;
}

function beats(a: Target, b: Target): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.order < b.order);
}

/** Compiles an RFC 6570 URI template into a matcher (simple and reserved expansions). */
export function templateMatcher(template: string): RegExp {
  let pattern = '^';
  let last = 0;
  for (const match of template.matchAll(/\{([^}]*)\}/g)) {
    pattern += template.slice(last, match.index).replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    const operator = match[1]?.[0];
    pattern +=
      operator === '+' || operator === '#'
        ? '.*'
        : operator === '?' || operator === '&'
          ? '(?:[?&].*)?'
          : '[^/?#]*';
    last = match.index + match[0].length;
  }
  pattern += `${template.slice(last).replace(/[.*+?^$()|[\]\\]/g, '\\$&')}$`;
  return new RegExp(pattern);
}

/**
 * What the router learned from backend lists: exposed names to their owners, resource URIs and
 * templates to theirs. Filled as lists pass through; a miss makes the router refresh it.
 */
export class Catalog {
  readonly tools = new Map<string, Target>();
  readonly prompts = new Map<string, Target>();
  private readonly resources = new Map<string, Target>();
  private readonly templates = new Map<string, Array<{ matcher: RegExp; target: Target }>>();

  /** Records an exposed name; under collisions the higher priority (then config order) keeps it. */
  offer(map: Map<string, Target>, exposed: string, target: Target): boolean {
    const current = map.get(exposed);
    if (current && current.backend !== target.backend && !beats(target, current)) return false;
    map.set(exposed, target);
    return true;
  }

  offerResource(uri: string, target: Target): boolean {
    return this.offer(this.resources, uri, target);
  }

  offerTemplate(template: JsonObject, target: Target): void {
    if (typeof template.uriTemplate !== 'string') return;
    const list = this.templates.get(target.backend) ?? [];
    if (
      !list.some(
        (entry) => entry.matcher.source === templateMatcher(template.uriTemplate as string).source,
      )
    ) {
      list.push({ matcher: templateMatcher(template.uriTemplate), target });
    }
    this.templates.set(target.backend, list);
  }

  /** The backend owning `uri`: a listed resource first, then the best matching template. */
  ownerOfUri(uri: string): string | undefined {
    const listed = this.resources.get(uri);
    if (listed) return listed.backend;
    let best: Target | undefined;
    for (const list of this.templates.values()) {
      for (const { matcher, target } of list) {
        if (matcher.test(uri) && (!best || beats(target, best))) best = target;
      }
    }
    return best?.backend;
  }

  /** Forgets everything a backend contributed (its lists changed or it went away). */
  forget(backend: string): void {
    for (const map of [this.tools, this.prompts, this.resources]) {
      for (const [key, target] of map) if (target.backend === backend) map.delete(key);
    }
    this.templates.delete(backend);
  }
}
