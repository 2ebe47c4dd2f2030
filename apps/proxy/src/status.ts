import type { BackendSummary, SupervisedBackends } from './supervised-backends.js';
import { PROXY_VERSION } from './version.js';

/** What `/health` and `proxy://health` answer: the proxy is up, with each backend's state. */
export type Health = {
  status: 'ok';
  version: string;
  /** Client sessions of the aggregate endpoint. */
  sessions: number;
  backends: BackendSummary[];
};

export function healthOf(backends: Pick<SupervisedBackends, 'summary'>, sessions: number): Health {
  return { status: 'ok', version: PROXY_VERSION, sessions, backends: backends.summary() };
}

/** What `/ready` answers: ready when every enabled backend that starts with the proxy runs. */
export interface Readiness {
  ready: boolean;
  waiting: Array<{ name: string; state: string; reason: string | undefined }>;
}

export function readinessOf(backends: Pick<SupervisedBackends, 'list' | 'supervisor'>): Readiness {
  const waiting = backends
    .list()
    .filter((b) => b.state !== 'running' && !b.onDemand && backends.supervisor.get(b.name)?.enabled)
    .map((b) => ({ name: b.name, state: b.state, reason: b.reason }));
  return { ready: waiting.length === 0, waiting };
}
