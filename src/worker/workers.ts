// Starts one BullMQ worker per queue; refuses to start when a queue has no processor.
import { Worker } from 'bullmq';
import { config } from '../config/env.js';
import { logger } from '../lib/logger.js';
import { createRedis } from '../lib/redis.js';
import { processors } from './processors.js';
import { QUEUES, type QueueName } from './queues.js';

export interface RunningWorkers {
  queues: QueueName[];
  close(): Promise<void>;
}

export async function startWorkers(): Promise<RunningWorkers> {
  const names = Object.keys(QUEUES) as QueueName[];
  const missing = names.filter((q) => !processors[q]);
  if (missing.length) throw new Error(`no processor for queue(s): ${missing.join(', ')}`);

  const connection = createRedis('worker');
  const workers = names.map((name) => {
    const worker = new Worker(name, processors[name], {
      connection,
      prefix: config().REDIS_PREFIX,
      concurrency: QUEUES[name].concurrency,
    });
    worker.on('failed', (job, err) =>
      logger.warn({ queue: name, jobId: job?.id, err: err.message }, 'job failed'),
    );
    worker.on('error', (err) => logger.warn({ queue: name, err: err.message }, 'worker error'));
    return worker;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));

  return {
    queues: names,
    async close() {
      // Worker.close() waits for the jobs in progress to finish.
      await Promise.all(workers.map((w) => w.close()));
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
