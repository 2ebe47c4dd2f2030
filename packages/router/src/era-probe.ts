import {
  type Discovery,
  ERRORS,
  eraOfProbeAnswer,
  readDiscovery,
  SwitchyardError,
} from '@switchyard/protocol';
import type { Outcome } from './outcome.js';

/** What a backend turned out to speak: the handshake era or the modern one (MCP 2026-07-28). */
export type EraVerdict = 'legacy' | 'modern';

/** What the `server/discover` probe decided: an era (if it is evidence), the discovery, or why the connect fails. */
export interface ProbeVerdict {
  era?: EraVerdict;
  discovery?: Discovery;
  error?: SwitchyardError;
}

/** HTTP statuses that say who may ask, not what the server speaks: no era evidence. */
const AUTH_STATUSES = [401, 403];

function statusOf(data: unknown): number | undefined {
  if (typeof data !== 'object' || data === null || !('status' in data)) return undefined;
  return typeof data.status === 'number' ? data.status : undefined;
}

/**
 * Reads the answer to `server/discover` (docs/protocol-versions.md, "Modern backends"; MCP
 * 2026-07-28, Transports: backward compatibility): a `DiscoverResult` is modern; a recognised
 * modern error is modern too, but leaves nothing to work with, so the connect fails; when
 * `probing`, a timeout or any other error (an HTTP 4xx without a modern body included) is legacy,
 * except 401/403 and a connection that could not be made, which decide nothing. A backend that
 * closed during the probe (some legacy stdio servers exit on an unknown request before
 * `initialize`) is legacy, and this connect fails so the next one starts afresh.
 */
export function probeVerdict(
  name: string,
  outcome: Outcome,
  closedReason: string | undefined,
  probing: boolean,
): ProbeVerdict {
  const fail = (why: string, era?: EraVerdict): ProbeVerdict => ({
    ...(era ? { era } : {}),
    error: new SwitchyardError('initialize_failed', `backend "${name}" failed to connect: ${why}`),
  });
  if (outcome.kind === 'result') {
    const discovery = readDiscovery(outcome.result);
    if (discovery) return { era: 'modern', discovery };
    return probing ? { era: 'legacy' } : fail('server/discover answered no DiscoverResult');
  }
  if (outcome.kind === 'cancelled') return fail('server/discover was cancelled');
  if (closedReason !== undefined) {
    return probing
      ? fail(
          `it closed during the era probe (${closedReason}); the next connect uses initialize`,
          'legacy',
        )
      : fail(closedReason);
  }
  const { error } = outcome;
  const status = statusOf(error.data);
  if (error.code === ERRORS.backend_unavailable.jsonRpc) {
    if (status === undefined || AUTH_STATUSES.includes(status) || !probing)
      return fail(error.message);
    return { era: 'legacy' };
  }
  if (error.code === ERRORS.request_timeout.jsonRpc) {
    return probing ? { era: 'legacy' } : fail(error.message);
  }
  const era = eraOfProbeAnswer({ error });
  if (era === 'modern') return fail(`server/discover: ${error.message}`, 'modern');
  return probing ? { era: 'legacy' } : fail(`server/discover: ${error.message}`);
}
