import { BACKEND_STATES } from '@switchyard/protocol';
import { Counter, register as globalRegistry, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  type MetricFamily,
  parsePrometheusText,
  sampleValue,
} from './__fixtures__/prometheus-text.js';
import { createMetrics, type Metrics, type MetricsOptions } from './metrics.js';

const quiet: MetricsOptions = { collectProcessMetrics: false };

async function scrape(metrics: Metrics): Promise<Map<string, MetricFamily>> {
  return parsePrometheusText(await metrics.render());
}

function names(families: Map<string, MetricFamily>, prefix: string): string[] {
  return [...families.keys()].filter((name) => name.startsWith(prefix)).sort();
}

/** Two backends, two transports, a bit of everything. */
function runWorkload(metrics: Metrics): void {
  metrics.backendState('git', 'starting');
  metrics.backendState('git', 'running');
  metrics.backendState('memory', 'starting');
  metrics.backendState('memory', 'failed');
  metrics.sessionOpened('streamable-http');
  metrics.sessionOpened('streamable-http');
  metrics.sessionOpened('stdio');
  metrics.sessionClosed('streamable-http');
  metrics.recordRequest({
    server: 'git',
    method: 'tools/call',
    status: 'ok',
    durationSeconds: 0.02,
  });
  metrics.recordRequest({
    server: 'git',
    method: 'tools/call',
    status: 'ok',
    durationSeconds: 0.03,
  });
  metrics.recordRequest({
    server: 'git',
    method: 'tools/call',
    status: 'error',
    durationSeconds: 2,
  });
  metrics.recordRequest({
    server: 'git',
    method: 'tools/list',
    status: 'ok',
    durationSeconds: 0.0002,
  });
  metrics.recordRequest({
    server: 'memory',
    method: 'tools/call',
    status: 'timeout',
    durationSeconds: 45,
  });
  metrics.recordRequest({
    server: 'memory',
    method: 'resources/read',
    status: 'cancelled',
    durationSeconds: 1,
  });
  metrics.backendRestarted('memory');
  metrics.backendRestarted('memory');
  metrics.healthCheckPassed('git');
  metrics.healthCheckPassed('git');
  metrics.healthCheckFailed('memory');
  metrics.translationDropped({
    from: '2025-06-18',
    to: '2024-11-05',
    feature: 'structuredContent',
  });
  metrics.translationDropped({
    from: '2025-06-18',
    to: '2024-11-05',
    feature: 'structuredContent',
  });
  metrics.translationDropped({ from: '2025-11-25', to: '2025-03-26', feature: 'elicitation' });
  metrics.nonProtocolLine('memory');
  metrics.nonProtocolLine('memory');
  metrics.nonProtocolLine('memory');
  metrics.clientSessions('memory', 2);
  metrics.clientSessions('memory', 1);
}

describe('createMetrics', () => {
  it('renders every Switchyard metric with the counts of a workload', async () => {
    const metrics = createMetrics(quiet);
    runWorkload(metrics);
    const families = await scrape(metrics);
    const value = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(families, name, labels);

    const call = { server: 'git', method: 'tools/call' };
    expect(value('switchyard_requests_total', { ...call, status: 'ok' })).toBe(2);
    expect(value('switchyard_requests_total', { ...call, status: 'error' })).toBe(1);
    expect(
      value('switchyard_requests_total', {
        server: 'memory',
        method: 'tools/call',
        status: 'timeout',
      }),
    ).toBe(1);
    expect(
      value('switchyard_requests_total', {
        server: 'memory',
        method: 'resources/read',
        status: 'cancelled',
      }),
    ).toBe(1);

    expect(families.get('switchyard_request_duration_seconds')?.type).toBe('histogram');
    expect(value('switchyard_request_duration_seconds_count', call)).toBe(3);
    expect(value('switchyard_request_duration_seconds_sum', call)).toBeCloseTo(2.05, 9);
    expect(value('switchyard_request_duration_seconds_bucket', { ...call, le: '0.025' })).toBe(1);
    expect(value('switchyard_request_duration_seconds_bucket', { ...call, le: '0.05' })).toBe(2);
    expect(value('switchyard_request_duration_seconds_bucket', { ...call, le: '+Inf' })).toBe(3);
    const list = { server: 'git', method: 'tools/list' };
    expect(value('switchyard_request_duration_seconds_bucket', { ...list, le: '0.0001' })).toBe(0);
    expect(value('switchyard_request_duration_seconds_bucket', { ...list, le: '0.00025' })).toBe(1);
    const slow = { server: 'memory', method: 'tools/call' };
    expect(value('switchyard_request_duration_seconds_bucket', { ...slow, le: '30' })).toBe(0);
    expect(value('switchyard_request_duration_seconds_bucket', { ...slow, le: '60' })).toBe(1);

    expect(value('switchyard_active_sessions', { transport: 'streamable-http' })).toBe(1);
    expect(value('switchyard_active_sessions', { transport: 'stdio' })).toBe(1);
    expect(value('switchyard_backend_up', { server: 'git' })).toBe(1);
    expect(value('switchyard_backend_up', { server: 'memory' })).toBe(0);
    expect(value('switchyard_backend_state', { server: 'memory', state: 'failed' })).toBe(1);
    expect(value('switchyard_backend_restarts_total', { server: 'memory' })).toBe(2);
    expect(value('switchyard_backend_restarts_total', { server: 'git' })).toBe(0);
    expect(value('switchyard_health_checks_total', { server: 'git' })).toBe(2);
    expect(value('switchyard_health_checks_total', { server: 'memory' })).toBe(1);
    expect(value('switchyard_health_check_failures_total', { server: 'memory' })).toBe(1);
    expect(value('switchyard_health_check_failures_total', { server: 'git' })).toBe(0);
    expect(
      value('switchyard_translation_drops_total', {
        from: '2025-06-18',
        to: '2024-11-05',
        feature: 'structuredContent',
      }),
    ).toBe(2);
    expect(
      value('switchyard_translation_drops_total', {
        from: '2025-11-25',
        to: '2025-03-26',
        feature: 'elicitation',
      }),
    ).toBe(1);
    expect(value('switchyard_non_protocol_lines_total', { server: 'memory' })).toBe(3);
    expect(value('switchyard_backend_client_sessions', { server: 'memory' })).toBe(1);
  });

  it('declares HELP and TYPE for every family, with the Prometheus content type', async () => {
    const metrics = createMetrics({ prefix: 'both' });
    runWorkload(metrics);
    const families = await scrape(metrics);
    expect(families.get('switchyard_requests_total')).toMatchObject({ type: 'counter' });
    expect(families.get('switchyard_active_sessions')).toMatchObject({ type: 'gauge' });
    for (const family of families.values()) expect(family.help).not.toBe('');
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('sets exactly one state gauge to 1 and follows it with backend_up', async () => {
    const metrics = createMetrics(quiet);
    const steps = [
      ['starting', 0],
      ['running', 1],
      ['degraded', 0],
      ['backoff', 0],
      ['stopping', 0],
      ['stopped', 0],
    ] as const;
    for (const [state, up] of steps) {
      metrics.backendState('git', state);
      const families = await scrape(metrics);
      for (const each of BACKEND_STATES) {
        expect(
          sampleValue(families, 'switchyard_backend_state', { server: 'git', state: each }),
        ).toBe(each === state ? 1 : 0);
      }
      expect(sampleValue(families, 'switchyard_backend_up', { server: 'git' })).toBe(up);
    }
  });

  it('keeps each instance in its own registry, away from the global one', async () => {
    const first = createMetrics(quiet);
    const second = createMetrics(quiet);
    first.recordRequest({ server: 'git', method: 'ping', status: 'ok', durationSeconds: 0.001 });
    first.sessionOpened('stdio');
    second.recordRequest({ server: 'git', method: 'ping', status: 'ok', durationSeconds: 0.001 });
    second.recordRequest({ server: 'git', method: 'ping', status: 'ok', durationSeconds: 0.001 });
    const labels = { server: 'git', method: 'ping', status: 'ok' };
    expect(sampleValue(await scrape(first), 'switchyard_requests_total', labels)).toBe(1);
    expect(sampleValue(await scrape(second), 'switchyard_requests_total', labels)).toBe(2);
    expect(
      sampleValue(await scrape(second), 'switchyard_active_sessions', { transport: 'stdio' }),
    ).toBeUndefined();
    expect(globalRegistry.getSingleMetric('switchyard_requests_total')).toBeUndefined();
  });

  it("defines its metrics in the caller's registry when given one", async () => {
    const registry = new Registry();
    const own = new Counter({ name: 'app_jobs_total', help: 'Jobs.', registers: [registry] });
    own.inc();
    const metrics = createMetrics({ ...quiet, registry });
    metrics.backendRestarted('git');
    const families = parsePrometheusText(await registry.metrics());
    expect(sampleValue(families, 'app_jobs_total')).toBe(1);
    expect(sampleValue(families, 'switchyard_backend_restarts_total', { server: 'git' })).toBe(1);
  });

  it("exposes the seed's names only when asked", async () => {
    const plain = await scrape(createMetrics(quiet));
    expect(names(plain, 'mcp_proxy_')).toEqual([]);
    expect(names(plain, 'switchyard_').length).toBeGreaterThan(0);

    const seedOnly = await scrape(createMetrics({ ...quiet, prefix: 'seed' }));
    expect(names(seedOnly, 'switchyard_')).toEqual([]);

    const both = await scrape(createMetrics({ ...quiet, prefix: 'both' }));
    expect(names(both, 'switchyard_')).toEqual(names(plain, 'switchyard_'));
    expect(names(both, 'mcp_proxy_')).toEqual(names(seedOnly, 'mcp_proxy_'));
    expect(names(seedOnly, 'mcp_proxy_')).toEqual([
      'mcp_proxy_active_connections',
      'mcp_proxy_failed_servers',
      'mcp_proxy_health_checks_failed',
      'mcp_proxy_health_checks_total',
      'mcp_proxy_request_duration_seconds',
      'mcp_proxy_requests_failed',
      'mcp_proxy_requests_total',
      'mcp_proxy_running_servers',
      'mcp_proxy_server_restarts_total',
      'mcp_proxy_total_servers',
    ]);
  });

  it("counts the workload under the seed's unlabelled names", async () => {
    const metrics = createMetrics({ ...quiet, prefix: 'seed' });
    runWorkload(metrics);
    metrics.backendState('search', 'degraded');
    const families = await scrape(metrics);
    const value = (name: string) => sampleValue(families, name);
    expect(value('mcp_proxy_total_servers')).toBe(3);
    // A degraded backend is not counted as running: calls to it fail fast.
    expect(value('mcp_proxy_running_servers')).toBe(1);
    expect(value('mcp_proxy_failed_servers')).toBe(1);
    expect(value('mcp_proxy_requests_total')).toBe(6);
    expect(value('mcp_proxy_requests_failed')).toBe(2);
    expect(value('mcp_proxy_request_duration_seconds_count')).toBe(6);
    expect(sampleValue(families, 'mcp_proxy_request_duration_seconds_bucket', { le: '10' })).toBe(
      5,
    );
    expect(value('mcp_proxy_active_connections')).toBe(2);
    expect(value('mcp_proxy_health_checks_total')).toBe(3);
    expect(value('mcp_proxy_health_checks_failed')).toBe(1);
    expect(value('mcp_proxy_server_restarts_total')).toBe(2);
    for (const family of families.values()) {
      for (const sample of family.samples) {
        const { le: _bucketBound, ...labels } = sample.labels;
        expect(labels).toEqual({});
      }
    }
  });

  it('includes Node process metrics unless turned off', async () => {
    const withProcess = await scrape(createMetrics());
    expect(sampleValue(withProcess, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(withProcess, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);

    const without = await scrape(createMetrics(quiet));
    expect(names(without, 'process_')).toEqual([]);
    expect(names(without, 'nodejs_')).toEqual([]);
  });

  it('escapes quotes, backslashes and newlines in label values', async () => {
    const metrics = createMetrics(quiet);
    const server = 'odd "name"\\with\nnewline';
    metrics.nonProtocolLine(server);
    const text = await metrics.render();
    expect(text).toContain('server="odd \\"name\\"\\\\with\\nnewline"');
    expect(
      sampleValue(parsePrometheusText(text), 'switchyard_non_protocol_lines_total', { server }),
    ).toBe(1);
  });

  it('drops a removed backend from the exposition and the snapshot, but not from totals', async () => {
    const metrics = createMetrics(quiet);
    runWorkload(metrics);
    metrics.removeBackend('memory');
    metrics.removeBackend('never-seen');
    const families = await scrape(metrics);
    for (const family of families.values()) {
      for (const sample of family.samples) expect(sample.labels.server).not.toBe('memory');
    }
    expect(sampleValue(families, 'switchyard_backend_up', { server: 'git' })).toBe(1);
    const snapshot = metrics.snapshot();
    expect(Object.keys(snapshot.servers)).toEqual(['git']);
    expect(snapshot.totals).toMatchObject({ servers: 1, requests: 6, errors: 2, restarts: 2 });
  });

  it('summarises servers, sessions and totals as plain JSON', () => {
    const metrics = createMetrics(quiet);
    runWorkload(metrics);
    const snapshot = metrics.snapshot();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(snapshot.servers.git).toEqual({
      state: 'running',
      up: true,
      requests: 4,
      errors: 1,
      durationSecondsSum: expect.closeTo(2.0502, 9),
      restarts: 0,
      healthCheckFailures: 0,
      nonProtocolLines: 0,
      rejected: 0,
    });
    expect(snapshot.servers.memory).toMatchObject({
      state: 'failed',
      up: false,
      requests: 2,
      errors: 1,
      restarts: 2,
      healthCheckFailures: 1,
      nonProtocolLines: 3,
    });
    expect(snapshot.sessions).toEqual({ 'streamable-http': 1, stdio: 1 });
    expect(snapshot.totals).toEqual({
      servers: 2,
      serversUp: 1,
      requests: 6,
      errors: 2,
      rejected: 0,
      restarts: 2,
      healthCheckFailures: 1,
      activeSessions: 2,
      translationDrops: 3,
    });
  });

  it('reports a server seen only through requests with no state yet', () => {
    const metrics = createMetrics(quiet);
    metrics.recordRequest({ server: 'git', method: 'ping', status: 'ok', durationSeconds: 0.001 });
    expect(metrics.snapshot().servers.git).toMatchObject({ state: null, up: false, requests: 1 });
  });

  it('counts the proxy\'s own answers under server="" and in the totals, not as a server', async () => {
    const metrics = createMetrics(quiet);
    metrics.recordRequest({
      server: '',
      method: 'tools/list',
      status: 'ok',
      durationSeconds: 0.01,
    });
    metrics.recordRequest({
      server: '',
      method: 'initialize',
      status: 'error',
      durationSeconds: 0,
    });
    const families = await scrape(metrics);
    const list = { server: '', method: 'tools/list' };
    expect(sampleValue(families, 'switchyard_requests_total', { ...list, status: 'ok' })).toBe(1);
    expect(sampleValue(families, 'switchyard_request_duration_seconds_count', list)).toBe(1);
    const snapshot = metrics.snapshot();
    expect(snapshot.servers).toEqual({});
    expect(snapshot.totals).toMatchObject({ servers: 0, requests: 2, errors: 1 });
  });

  it('counts refusals by server and reason, and gauges each backend queue', async () => {
    const metrics = createMetrics(quiet);
    metrics.backendState('git', 'running');
    metrics.requestRejected('git', 'queue_full');
    metrics.requestRejected('git', 'queue_full');
    metrics.requestRejected('', 'queue_timeout');
    metrics.queueDepth('git', 7);
    const families = await scrape(metrics);
    const rejected = (labels: Record<string, string>) =>
      sampleValue(families, 'switchyard_requests_rejected_total', labels);
    expect(rejected({ server: 'git', reason: 'queue_full' })).toBe(2);
    expect(rejected({ server: 'git', reason: 'queue_timeout' })).toBe(0);
    expect(rejected({ server: '', reason: 'queue_timeout' })).toBe(1);
    expect(sampleValue(families, 'switchyard_backend_queue_depth', { server: 'git' })).toBe(7);
    expect(metrics.snapshot().servers.git?.rejected).toBe(2);
    expect(metrics.snapshot().totals.rejected).toBe(3);
    metrics.removeBackend('git');
    const after = await scrape(metrics);
    for (const name of ['switchyard_requests_rejected_total', 'switchyard_backend_queue_depth'])
      for (const sample of after.get(name)?.samples ?? [])
        expect(sample.labels.server).not.toBe('git');
  });

  it('never counts sessions below zero', async () => {
    const metrics = createMetrics(quiet);
    metrics.sessionClosed('websocket');
    metrics.sessionOpened('websocket');
    const families = await scrape(metrics);
    expect(sampleValue(families, 'switchyard_active_sessions', { transport: 'websocket' })).toBe(1);
  });

  it('records an unusable duration as zero instead of throwing', async () => {
    const metrics = createMetrics({ ...quiet, prefix: 'both' });
    for (const durationSeconds of [Number.NaN, Number.POSITIVE_INFINITY, -1]) {
      metrics.recordRequest({ server: 'git', method: 'ping', status: 'ok', durationSeconds });
    }
    const families = await scrape(metrics);
    const labels = { server: 'git', method: 'ping' };
    expect(sampleValue(families, 'switchyard_request_duration_seconds_count', labels)).toBe(3);
    expect(sampleValue(families, 'switchyard_request_duration_seconds_sum', labels)).toBe(0);
    expect(sampleValue(families, 'mcp_proxy_request_duration_seconds_sum')).toBe(0);
  });
});
