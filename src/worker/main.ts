// The worker process: runs the queue workers and job schedulers until SIGTERM/SIGINT.
import { boot } from '../lib/boot.js';

await boot('worker', async () => {
  const { closeDb } = await import('../lib/db.js');
  const { checkDatabase } = await import('../lib/health.js');
  const { logger } = await import('../lib/logger.js');
  const { onShutdown } = await import('../lib/shutdown.js');
  const { startWorkers } = await import('./workers.js');

  await checkDatabase();
  const running = await startWorkers();
  logger.info({ queues: running.queues }, 'worker started');

  onShutdown('worker', async () => {
    await running.close();
    await closeDb();
  });
});
