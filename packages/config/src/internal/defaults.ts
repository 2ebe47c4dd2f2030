import type { RateLimitsConfig } from '../model.js';

/**
 * Defaults of every dialect (secure and sensible: loopback, port 3000, health checks and tracing
 * on), in one place so that the docs, the JSON Schema descriptions and normalisation cannot drift
 * apart.
 */
export const DEFAULTS = {
  proxy: {
    host: '127.0.0.1',
    port: 3000,
    maxMessageBytes: 4 * 1024 * 1024,
    requestTimeoutMs: 60_000,
    maxRequestTimeoutMs: 600_000,
    maxConcurrentRequests: 100,
    maxQueuedRequests: 1000,
    queueTimeoutMs: 30_000,
    headersTimeoutMs: 10_000,
    requestBodyTimeoutMs: 30_000,
    maxConnections: 10_000,
    connectionPoolSize: 100,
    apiKeys: [] as string[],
    allowedOrigins: [] as string[],
    allowUnauthenticated: false,
    streamResponses: false,
    /** Off: no rate limit unless configured (docs/operations.md, "Rate limits"). */
    rateLimit: {} as RateLimitsConfig,
  },
  naming: { strategy: 'prefix', separator: '__', globalPrefix: '', maxLength: 128 },
  logging: { level: 'info', format: 'json', maxSizeBytes: 10 * 1024 * 1024, maxAgeDays: 2 },
  metrics: { names: 'switchyard' },
  dashboard: { enabled: true },
  management: { enabled: true },
  healthCheck: {
    enabled: true,
    intervalMs: 30_000,
    timeoutMs: 5_000,
    failureThreshold: 3,
    method: 'ping',
  },
  contextTracing: {
    enabled: true,
    retentionDays: 90,
    maxSizeMb: 1024,
    cacheSize: 10_000,
    idleGapMs: 120_000,
    weights: { retrieval: 0.4, recency: 0.3, type: 0.2, length: 0.1 },
  },
  openTelemetry: {
    enabled: false,
    endpoint: 'http://127.0.0.1:4318/v1/traces',
    serviceName: 'switchyard',
  },
  pinning: 'warn',
  audit: { enabled: true, arguments: 'shape', maxSizeBytes: 10 * 1024 * 1024, maxFiles: 5 },
  server: {
    enabled: true,
    restartOnFailure: true,
    maxRestarts: 3,
    restartDelayMs: 5_000,
    priority: 0,
    lazy: false,
    sessions: 'shared',
    era: 'auto',
    eraRecheckMs: 3_600_000,
  },
} as const;
