// The worker process: runs the queue workers and job schedulers until SIGTERM/SIGINT.
import { boot } from '../lib/boot.js';

await boot('worker', async () => {
  const { closeDb } = await import('../lib/db.js');
  const { checkDatabase } = await import('../lib/health.js');
  const { logger } = await import('../lib/logger.js');
  const { onShutdown } = await import('../lib/shutdown.js');
  const { startWorkers } = await import('./workers.js');
  const { serveWorkerMetrics } = await import('./metrics.js');

  await checkDatabase();
  const running = await startWorkers();
  logger.info({ queues: running.queues }, 'worker started');

  const metrics = await serveWorkerMetrics();

  onShutdown('worker', async () => {
    metrics?.close();
    await running.close();
    await closeDb();
  });
});
