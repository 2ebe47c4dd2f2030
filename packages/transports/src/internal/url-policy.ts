import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Where an address points, from the proxy's point of view: `metadata` (cloud instance metadata,
 * never reachable through a URL that arrives at run time), `link-local`, `loopback`, `private`
 * (RFC 1918, unique-local, CGNAT, unspecified) or `public`.
 */
export type AddressClass = 'metadata' | 'link-local' | 'loopback' | 'private' | 'public';

/** Why a URL was refused, or `undefined` when it may be fetched. */
export type UrlRefusal =
  | { reason: 'invalid'; message: string }
  | { reason: 'scheme'; message: string }
  | { reason: 'cross-origin'; message: string }
  | { reason: 'address'; message: string; addressClass: AddressClass };

function blockList(entries: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']>): BlockList {
  const list = new BlockList();
  for (const [network, prefix, family] of entries) list.addSubnet(network, prefix, family);
  return list;
}

const METADATA_ADDRESSES = blockList([
  ['169.254.169.254', 32, 'ipv4'],
  ['fd00:ec2::254', 128, 'ipv6'],
]);
const LINK_LOCAL = blockList([
  ['169.254.0.0', 16, 'ipv4'],
  ['fe80::', 10, 'ipv6'],
]);
const LOOPBACK = blockList([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
const PRIVATE = blockList([
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
]);
/** Names that resolve to instance metadata on the big clouds. */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'instance-data']);

/**
 * The class of a URL's host. The host is read as `URL` normalizes it, so decimal, octal, hex and
 * shortened IPv4 spellings (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`) are already dotted
 * quads; IPv4-mapped IPv6 (`[::ffff:127.0.0.1]`) is checked against the IPv4 ranges by
 * `BlockList`. A name is classed by what it says (`localhost`, metadata names); what it resolves
 * to is not looked up here.
 */
export function classifyHost(hostname: string): AddressClass {
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  const family = isIPv4(host) ? 'ipv4' : isIPv6(host) ? 'ipv6' : undefined;
  if (family === undefined) {
    if (METADATA_NAMES.has(host)) return 'metadata';
    if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
    return 'public';
  }
  if (METADATA_ADDRESSES.check(host, family)) return 'metadata';
  if (LINK_LOCAL.check(host, family)) return 'link-local';
  if (LOOPBACK.check(host, family)) return 'loopback';
  if (PRIVATE.check(host, family)) return 'private';
  return 'public';
}

const SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:']);

/**
 * Whether a URL that arrived at run time (from a backend: an HTTP+SSE `endpoint` event, a
 * redirect's `Location`) may be fetched on behalf of the backend configured at `configured`
 * (docs/security.md, "Backend-supplied URLs"). The configured URL is trusted: the operator wrote
 * it. A run-time URL must be on its origin (scheme, host and port), and never points at
 * link-local or metadata addresses; loopback and private addresses only when the configured
 * backend is itself in that class.
 */
export function checkRuntimeUrl(
  candidate: string | URL,
  configured: string | URL,
): UrlRefusal | undefined {
  let url: URL;
  let base: URL;
  try {
    base = new URL(configured);
    url = new URL(candidate, base);
  } catch {
    return { reason: 'invalid', message: `${String(candidate)} is not a URL` };
  }
  if (!SCHEMES.has(url.protocol)) {
    return { reason: 'scheme', message: `${url.protocol} URLs are not fetched` };
  }
  const addressClass = classifyHost(url.hostname);
  const baseClass = classifyHost(base.hostname);
  if (
    addressClass === 'metadata' ||
    addressClass === 'link-local' ||
    ((addressClass === 'loopback' || addressClass === 'private') && addressClass !== baseClass)
  ) {
    return {
      reason: 'address',
      addressClass,
      message: `${url.origin} is a ${addressClass} address, not reachable from a backend's URL`,
    };
  }
  if (url.origin !== base.origin) {
    return {
      reason: 'cross-origin',
      message: `${url.origin} is not the backend's origin ${base.origin}`,
    };
  }
  return undefined;
}
