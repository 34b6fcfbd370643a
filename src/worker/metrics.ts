// The worker's own /metrics (WORKER_METRICS_PORT): its job durations, rows ingested and pool usage.
// Queue depths and other shared state are scraped from the API, once for all workers.
import type { Server } from 'node:http';
import { config } from '../config/env.js';
import { logger } from '../lib/logger.js';
import { serveMetrics } from '../lib/metrics.js';

export async function serveWorkerMetrics(): Promise<Server | null> {
  const cfg = config();
  if (cfg.WORKER_METRICS_PORT === undefined) return null;
  const server = await serveMetrics({
    host: cfg.WORKER_METRICS_HOST,
    port: cfg.WORKER_METRICS_PORT,
    ...(cfg.METRICS_TOKEN ? { token: cfg.METRICS_TOKEN } : {}),
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : cfg.WORKER_METRICS_PORT;
  logger.info({ port }, 'worker metrics listening on /metrics');
  return server;
}
