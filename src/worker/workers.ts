// Starts one BullMQ worker per queue (refusing to start when a job name has no handler), the
// source schedules (or, on a fresh installation, the demo history first) and the watchdog.
import { Worker } from 'bullmq';
import { config } from '../config/env.js';
import { DEMO_JOB_ID } from '../jobs/enqueue.js';
import type { Handler } from '../jobs/handler.js';
import { Producer } from '../jobs/producer.js';
import { type JobData, QUEUES, type QueueName } from '../jobs/queues.js';
import { demoPending } from '../jobs/schedulers.js';
import { logger } from '../lib/logger.js';
import { createRedis } from '../lib/redis.js';
import { oncePer } from '../lib/waiting.js';
import { itemTableEmpty } from '../services/ingest/queries.js';
import { ensureSources } from '../services/ingest/sources.js';
import { observed } from './observe.js';
import { createProcessors, jobHandlers, missingHandlers } from './processors.js';
import { startSchedules, startWatchdog } from './schedules.js';

export interface RunningWorkers {
  queues: QueueName[];
  close(): Promise<void>;
}

export interface WorkerWiring {
  /** The demo wing's handler of the demo history, given what to do once it is replayed. */
  demoHistory?: (afterwards: () => Promise<void>) => Handler<JobData<'ingest', 'demo-history'>>;
}

export async function startWorkers(wiring: WorkerWiring = {}): Promise<RunningWorkers> {
  const cfg = config();
  const shutdown = new AbortController();
  const connection = createRedis('worker');
  const producer = new Producer(connection);
  const scheduleOptions = { pullOnStart: cfg.INGEST_PULL_ON_START };

  const afterDemoHistory = () => startSchedules(producer, scheduleOptions);
  const handlers = jobHandlers(
    wiring.demoHistory ? { demoHistory: wiring.demoHistory(afterDemoHistory) } : {},
  );
  const missing = missingHandlers(handlers);
  if (missing.length) {
    await connection.quit().catch(() => connection.disconnect());
    throw new Error(`no handler for job(s): ${missing.join(', ')}`);
  }
  const processors = createProcessors({ producer, shutdown: shutdown.signal, handlers });
  const names = Object.keys(QUEUES) as QueueName[];

  const sources = await ensureSources();
  logger.info(sources, 'feed sources ready');
  if (cfg.DEMO_SEED && (await itemTableEmpty())) {
    const existing = await producer.queue('ingest').getJobState(DEMO_JOB_ID);
    if (existing === 'unknown') {
      await producer.enqueue(
        'ingest',
        'demo-history',
        {},
        { jobId: DEMO_JOB_ID, attempts: 20, removeOnComplete: false },
      );
      logger.info('fresh installation: the demo history is queued before the schedules start');
    }
  }
  if (!(await demoPending(producer))) await startSchedules(producer, scheduleOptions);

  // A Redis outage makes every worker report each reconnect attempt: one line per kind per minute.
  const mayLog = oncePer(60_000);
  const workers = names.map((name) => {
    const worker = new Worker(name, observed(name, processors[name]), {
      connection,
      prefix: cfg.REDIS_PREFIX,
      concurrency: QUEUES[name].concurrency(),
      lockDuration: cfg.WORKER_LOCK_MS,
      stalledInterval: cfg.WORKER_STALLED_MS,
      maxStalledCount: 2,
    });
    worker.on('failed', (job, err) => {
      // The last attempt is an operator's problem; earlier ones are retried by themselves.
      const final = !job || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      const line = { queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message };
      if (final) logger.error(line, 'job failed after its last attempt');
      else logger.warn(line, 'job failed; it will be retried');
    });
    worker.on('error', (err) => {
      if (mayLog(err.message))
        logger.warn({ queue: name, err: err.message }, 'worker error (repeats logged once a minute)');
    });
    return worker;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  const stopWatchdog = startWatchdog(producer);

  return {
    queues: names,
    async close() {
      stopWatchdog();
      // Running pulls stop after their current batch; Worker.close() then waits for them.
      shutdown.abort(new Error('worker shutting down'));
      await Promise.all(workers.map((w) => w.close()));
      await producer.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
