// The worker process: runs the queue workers and job schedulers until SIGTERM/SIGINT. A missing
// Redis is waited for (one line, then one per interval); a missing PostgreSQL stops the start.
import { boot, portInUse } from '../lib/boot.js';

await boot('worker', async () => {
  const { config } = await import('../config/env.js');
  const { closeDb } = await import('../lib/db.js');
  const { checkDatabase } = await import('../lib/health.js');
  const { logger } = await import('../lib/logger.js');
  const { onShutdown } = await import('../lib/shutdown.js');
  const { waitForRedis } = await import('../lib/waiting.js');
  const { startWorkers } = await import('./workers.js');
  const { serveWorkerMetrics } = await import('./metrics.js');
  // The entry point wires the demo wing in: its history replays on a fresh installation (DEMO_SEED).
  const { demoHistoryJob } = await import('../demo/jobs.js');

  let running: Awaited<ReturnType<typeof startWorkers>> | undefined;
  let metrics: Awaited<ReturnType<typeof serveWorkerMetrics>> = null;
  // Registered first: a SIGTERM while waiting for Redis still stops cleanly.
  onShutdown('worker', async () => {
    metrics?.close();
    await running?.close();
    await closeDb();
  });

  await checkDatabase();
  await waitForRedis('worker');
  // Before the workers: a port in use then stops the start before any job is taken.
  metrics = await serveWorkerMetrics().catch((err: NodeJS.ErrnoException) => {
    throw portInUse(err, 'WORKER_METRICS_PORT', config().WORKER_METRICS_HOST, config().WORKER_METRICS_PORT);
  });
  running = await startWorkers({ demoHistory: demoHistoryJob });
  logger.info({ queues: running.queues }, 'worker started');
});
