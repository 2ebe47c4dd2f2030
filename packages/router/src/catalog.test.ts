import { describe, expect, it } from 'vitest';
import { Catalog, type Target, templateMatcher } from './catalog.js';

function target(backend: string, order: number, priority = 0, name = 'tool'): Target {
  return { backend, name, priority, order };
}

describe('templateMatcher', () => {
  it('matches a simple expansion within one path segment', () => {
    const matcher = templateMatcher('file:///{name}');
    expect(matcher.test('file:///notes.txt')).toBe(true);
    expect(matcher.test('file:///')).toBe(true);
    expect(matcher.test('file:///dir/notes.txt')).toBe(false);
    expect(matcher.test('file:///notes.txt?x=1')).toBe(false);
  });

  it('matches a reserved `{+path}` expansion across segments', () => {
    const matcher = templateMatcher('file:///{+path}');
    expect(matcher.test('file:///a/b/c.txt')).toBe(true);
    expect(matcher.test('file:///')).toBe(true);
    expect(matcher.test('http:///a')).toBe(false);
  });

  it('matches a fragment `{#frag}` expansion', () => {
    expect(templateMatcher('doc://x{#section}').test('doc://x#intro/part')).toBe(true);
  });

  it('treats a query `{?q}` expansion as optional', () => {
    const matcher = templateMatcher('search://items{?q}');
    expect(matcher.test('search://items')).toBe(true);
    expect(matcher.test('search://items?q=mcp')).toBe(true);
    expect(matcher.test('search://itemsx')).toBe(false);
    expect(matcher.test('search://other?q=mcp')).toBe(false);
  });

  it('matches a continuation `{&page}` expansion', () => {
    const matcher = templateMatcher('search://items?q=x{&page}');
    expect(matcher.test('search://items?q=x&page=2')).toBe(true);
    expect(matcher.test('search://items?q=x')).toBe(true);
  });

  it('combines several expressions', () => {
    const matcher = templateMatcher('db://{schema}/tables/{table}{?limit}');
    expect(matcher.test('db://public/tables/users')).toBe(true);
    expect(matcher.test('db://public/tables/users?limit=5')).toBe(true);
    expect(matcher.test('db://public/views/users')).toBe(false);
  });

  it('treats regular expression characters in the literal parts literally', () => {
    const matcher = templateMatcher('db://x.y/(a)+{id}');
    expect(matcher.test('db://x.y/(a)+1')).toBe(true);
    expect(matcher.test('db://xzy/(a)+1')).toBe(false);
    expect(matcher.test('db://x.y/aa1')).toBe(false);
  });

  it('anchors at both ends', () => {
    const matcher = templateMatcher('mem://{key}');
    expect(matcher.test('prefix-mem://k')).toBe(false);
    expect(matcher.test('mem://k/')).toBe(false);
  });
});

describe('Catalog.offer', () => {
  it('records a new name', () => {
    const catalog = new Catalog();
    expect(catalog.offer(catalog.tools, 'search', target('a', 0))).toBe(true);
    expect(catalog.tools.get('search')?.backend).toBe('a');
  });

  it('gives a collision to the higher priority, whatever the order of offers', () => {
    const low = target('a', 0, 0);
    const high = target('b', 1, 5);
    const first = new Catalog();
    expect(first.offer(first.tools, 'search', low)).toBe(true);
    expect(first.offer(first.tools, 'search', high)).toBe(true);
    expect(first.tools.get('search')?.backend).toBe('b');

    const second = new Catalog();
    expect(second.offer(second.tools, 'search', high)).toBe(true);
    expect(second.offer(second.tools, 'search', low)).toBe(false);
    expect(second.tools.get('search')?.backend).toBe('b');
  });

  it('breaks a priority tie by config order, whatever the order of offers', () => {
    const earlier = target('a', 0, 3);
    const later = target('b', 1, 3);
    const first = new Catalog();
    first.offer(first.tools, 'search', later);
    expect(first.offer(first.tools, 'search', earlier)).toBe(true);
    expect(first.tools.get('search')?.backend).toBe('a');

    const second = new Catalog();
    second.offer(second.tools, 'search', earlier);
    expect(second.offer(second.tools, 'search', later)).toBe(false);
    expect(second.tools.get('search')?.backend).toBe('a');
  });

  it('lets the owning backend update its own entry', () => {
    const catalog = new Catalog();
    catalog.offer(catalog.tools, 'search', target('a', 0, 9, 'old'));
    expect(catalog.offer(catalog.tools, 'search', target('a', 0, 9, 'new'))).toBe(true);
    expect(catalog.tools.get('search')?.name).toBe('new');
  });

  it('keeps tools and prompts apart', () => {
    const catalog = new Catalog();
    catalog.offer(catalog.tools, 'x', target('a', 0, 9));
    expect(catalog.offer(catalog.prompts, 'x', target('b', 1, 0))).toBe(true);
    expect(catalog.prompts.get('x')?.backend).toBe('b');
  });
});

describe('Catalog.ownerOfUri', () => {
  it('finds the backend that listed a resource', () => {
    const catalog = new Catalog();
    catalog.offerResource('file:///a.txt', target('a', 0));
    expect(catalog.ownerOfUri('file:///a.txt')).toBe('a');
    expect(catalog.ownerOfUri('file:///b.txt')).toBeUndefined();
  });

  it('keeps a listed URI with its first owner unless another outranks it', () => {
    const catalog = new Catalog();
    expect(catalog.offerResource('mem://k', target('a', 0))).toBe(true);
    expect(catalog.offerResource('mem://k', target('b', 1))).toBe(false);
    expect(catalog.ownerOfUri('mem://k')).toBe('a');
    expect(catalog.offerResource('mem://k', target('c', 2, 1))).toBe(true);
    expect(catalog.ownerOfUri('mem://k')).toBe('c');
  });

  it('falls back to a matching template', () => {
    const catalog = new Catalog();
    catalog.offerTemplate({ uriTemplate: 'file:///{+path}' }, target('fs', 0));
    catalog.offerTemplate({ uriTemplate: 'search://items{?q}' }, target('search', 1));
    expect(catalog.ownerOfUri('file:///docs/readme.md')).toBe('fs');
    expect(catalog.ownerOfUri('search://items?q=x')).toBe('search');
    expect(catalog.ownerOfUri('git://repo')).toBeUndefined();
  });

  it('prefers a listed resource over a template of a higher-priority backend', () => {
    const catalog = new Catalog();
    catalog.offerTemplate({ uriTemplate: 'file:///{+path}' }, target('wide', 0, 10));
    catalog.offerResource('file:///exact.txt', target('exact', 1, 0));
    expect(catalog.ownerOfUri('file:///exact.txt')).toBe('exact');
    expect(catalog.ownerOfUri('file:///other.txt')).toBe('wide');
  });

  it('gives a URI matched by several templates to priority, then config order', () => {
    const catalog = new Catalog();
    catalog.offerTemplate({ uriTemplate: 'file:///{+path}' }, target('late', 2, 0));
    catalog.offerTemplate({ uriTemplate: 'file:///{name}' }, target('early', 1, 0));
    expect(catalog.ownerOfUri('file:///a.txt')).toBe('early');
    catalog.offerTemplate({ uriTemplate: 'file:///{+rest}' }, target('chosen', 3, 7));
    expect(catalog.ownerOfUri('file:///a.txt')).toBe('chosen');
  });

  it('ignores a template without a string uriTemplate', () => {
    const catalog = new Catalog();
    catalog.offerTemplate({ name: 'broken' }, target('a', 0));
    catalog.offerTemplate({ uriTemplate: 42 }, target('a', 0));
    expect(catalog.ownerOfUri('42')).toBeUndefined();
  });
});

describe('Catalog.forget', () => {
  it('drops every tool, prompt, resource and template of one backend, and only those', () => {
    const catalog = new Catalog();
    catalog.offer(catalog.tools, 'a__t', target('a', 0));
    catalog.offer(catalog.tools, 'b__t', target('b', 1));
    catalog.offer(catalog.prompts, 'a__p', target('a', 0));
    catalog.offerResource('mem://a', target('a', 0));
    catalog.offerTemplate({ uriTemplate: 'a://{x}' }, target('a', 0));
    catalog.offerTemplate({ uriTemplate: 'b://{x}' }, target('b', 1));
    catalog.forget('a');
    expect([...catalog.tools.keys()]).toEqual(['b__t']);
    expect(catalog.prompts.size).toBe(0);
    expect(catalog.ownerOfUri('mem://a')).toBeUndefined();
    expect(catalog.ownerOfUri('a://1')).toBeUndefined();
    expect(catalog.ownerOfUri('b://1')).toBe('b');
  });

  it('lets a name hidden by a collision be claimed once its winner is forgotten', () => {
    const catalog = new Catalog();
    catalog.offer(catalog.tools, 'search', target('winner', 0, 5));
    expect(catalog.offer(catalog.tools, 'search', target('loser', 1, 0))).toBe(false);
    catalog.forget('winner');
    expect(catalog.offer(catalog.tools, 'search', target('loser', 1, 0))).toBe(true);
  });
});
