import { SwitchyardError } from '@switchyard/protocol';
import type { FetchLike } from '../http-pool.js';
import { checkRuntimeUrl } from './url-policy.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Redirects followed in a row before giving up, as browsers do (they allow 20). */
const MAX_REDIRECTS = 5;

function refuse(url: URL, configured: string): void {
  const refusal = checkRuntimeUrl(url, configured);
  if (refusal) {
    throw new SwitchyardError(
      'backend_unavailable',
      `refused to fetch ${url.href}: ${refusal.message}`,
      {
        reason: refusal.reason,
      },
    );
  }
}

/**
 * A `fetch` held to one backend's origin (docs/security.md, "Backend-supplied URLs"): every URL it
 * is asked for, and every redirect it meets, must pass {@link checkRuntimeUrl} against the
 * configured URL. Redirects are followed by hand (`redirect: 'manual'`) so that each hop is
 * checked before a byte is sent to it: 307 and 308 keep the method and body, the others are
 * followed for GET only.
 */
export function originBoundFetch(fetch: FetchLike, configured: string): FetchLike {
  return async (input, init) => {
    let url = new URL(input);
    for (let hop = 0; ; hop++) {
      refuse(url, configured);
      const response = await fetch(url, { ...init, redirect: 'manual' });
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null) return response;
      const method = (init?.method ?? 'GET').toUpperCase();
      if (hop >= MAX_REDIRECTS || (method !== 'GET' && response.status < 307)) return response;
      await response.body?.cancel().catch(() => {});
      url = new URL(location, url);
    }
  };
}
