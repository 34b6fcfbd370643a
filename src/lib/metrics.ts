// The process's Prometheus metrics: one registry, every metric declared here with its labels.
// Counters and histograms are per process (sum them over processes in queries); gauges of shared
// state (queue depths, data version, snapshot age) are read at scrape time by the API only
// (api/metrics.ts), so several API or worker processes never report them twice.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { pool } from './db.js';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'bisma_' });

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const JOB_BUCKETS = [0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600];

export const httpDuration = new Histogram({
  name: 'bisma_http_request_duration_seconds',
  help: 'HTTP requests by method, route pattern and status code.',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: DURATION_BUCKETS,
  registers: [registry],
});

export const graphqlDuration = new Histogram({
  name: 'bisma_graphql_operation_duration_seconds',
  help: 'GraphQL operations by operation name and type, from request to response.',
  labelNames: ['operation_name', 'operation_type'] as const,
  buckets: DURATION_BUCKETS,
  registers: [registry],
});

export const graphqlErrors = new Counter({
  name: 'bisma_graphql_errors_total',
  help: 'Errors returned to GraphQL clients, by operation name and error code.',
  labelNames: ['operation_name', 'code'] as const,
  registers: [registry],
});

export const jobDuration = new Histogram({
  name: 'bisma_job_duration_seconds',
  help: 'Queue jobs run by this process, by queue, job name and outcome (completed, failed, delayed).',
  labelNames: ['queue', 'name', 'outcome'] as const,
  buckets: JOB_BUCKETS,
  registers: [registry],
});

export const ingestRows = new Counter({
  name: 'bisma_ingest_rows_total',
  help:
    'Rows written by ingest runs of this process, by source (key, or "file" for imports) and outcome: ' +
    'inserted, updated, unchanged, rejected (failed validation), duplicate.',
  labelNames: ['source', 'dataset', 'outcome'] as const,
  registers: [registry],
});

new Gauge({
  name: 'bisma_db_pool_connections',
  help: "This process's PostgreSQL pool: total and idle connections, and clients waiting for one.",
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    this.set({ state: 'total' }, pool.totalCount);
    this.set({ state: 'idle' }, pool.idleCount);
    this.set({ state: 'waiting' }, pool.waitingCount);
  },
});

new Gauge({
  name: 'bisma_db_pool_max',
  help: "This process's PostgreSQL pool size limit (DB_POOL_MAX).",
  registers: [registry],
  collect() {
    this.set(pool.options.max ?? 10);
  },
});

const MAX_OPERATION_NAMES = 500;
const seenOperations = new Set<string>();

/**
 * An operation name as a label value. Clients choose names, so the number of distinct ones is
 * capped: past the cap, new names are reported as "other" (a client cannot blow up the series).
 */
export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  const label = name.slice(0, 100);
  if (seenOperations.has(label)) return label;
  if (seenOperations.size >= MAX_OPERATION_NAMES) return 'other';
  seenOperations.add(label);
  return label;
}

/** Whether an Authorization header carries the metrics token (compared in constant time). */
export function hasMetricsToken(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header) return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * A bare /metrics server for processes without an HTTP API (the worker). With a token, scrapes
 * must send it as a bearer; without one, the port is open (bind it to a private network).
 */
export async function serveMetrics(options: { host: string; port: number; token?: string }): Promise<Server> {
  const server = createServer((req, res) => {
    // Liveness for a container health check, which need not hold the metrics token.
    if (req.method === 'GET' && req.url?.split('?')[0] === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    if (options.token && !hasMetricsToken(req.headers.authorization, options.token)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"' }).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}
