import type { BackendState } from '@switchyard/protocol';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { isUp, type MetricFamily, type MetricsState } from './family.js';

/** The Rust `prometheus` crate's default buckets, which the seed's histogram used. */
const SEED_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The metric names of the seed (mcp-rust-proxy), for dashboards built against it. Like the seed's,
 * they carry no labels; unlike the seed's, the server gauges are derived from current state at
 * scrape time, so they never drift. Names the seed declared but never moved (connection errors,
 * plugin metrics) are left out; `mcp_proxy_server_restarts_total` is the name the seed's README
 * documented but never implemented.
 */
export function createSeedFamily(registry: Registry, state: MetricsState): MetricFamily {
  const registers = [registry];
  const countServers = (matches: (current: BackendState | null) => boolean) => {
    let count = 0;
    for (const server of state.servers.values()) if (matches(server.state)) count++;
    return count;
  };
  new Gauge({
    name: 'mcp_proxy_total_servers',
    help: 'Configured backend servers.',
    registers,
    collect() {
      this.set(state.servers.size);
    },
  });
  new Gauge({
    name: 'mcp_proxy_running_servers',
    help: 'Backend servers running (or degraded, still serving).',
    registers,
    collect() {
      this.set(countServers(isUp));
    },
  });
  new Gauge({
    name: 'mcp_proxy_failed_servers',
    help: 'Backend servers in the failed state.',
    registers,
    collect() {
      this.set(countServers((current) => current === 'failed'));
    },
  });
  new Gauge({
    name: 'mcp_proxy_active_connections',
    help: 'Open client sessions over all transports.',
    registers,
    collect() {
      let open = 0;
      for (const count of state.sessions.values()) open += count;
      this.set(open);
    },
  });
  const requests = new Counter({
    name: 'mcp_proxy_requests_total',
    help: 'Requests proxied to a backend.',
    registers,
  });
  const requestsFailed = new Counter({
    name: 'mcp_proxy_requests_failed',
    help: 'Requests that ended in an error or a timeout.',
    registers,
  });
  const duration = new Histogram({
    name: 'mcp_proxy_request_duration_seconds',
    help: 'Time from receiving a request to sending its reply.',
    buckets: SEED_DURATION_BUCKETS,
    registers,
  });
  const healthChecks = new Counter({
    name: 'mcp_proxy_health_checks_total',
    help: 'Health checks run, passed or failed.',
    registers,
  });
  const healthChecksFailed = new Counter({
    name: 'mcp_proxy_health_checks_failed',
    help: 'Health checks failed.',
    registers,
  });
  const restarts = new Counter({
    name: 'mcp_proxy_server_restarts_total',
    help: 'Restarts of backend servers by the supervisor.',
    registers,
  });

  return {
    request({ durationSeconds }, failed) {
      requests.inc();
      if (failed) requestsFailed.inc();
      duration.observe(durationSeconds);
    },
    restarted() {
      restarts.inc();
    },
    healthChecked(_server, healthy) {
      healthChecks.inc();
      if (!healthy) healthChecksFailed.inc();
    },
  };
}
