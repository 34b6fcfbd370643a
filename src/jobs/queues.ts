// Every queue and job the workers know, with a zod schema per payload: the contract between the
// producers (services, API, CLI: producer.ts) and the workers (src/worker), one typed module.
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { config } from '../config/env.js';

const sourceKey = z.string().min(1).max(200);

export const QUEUES = {
  maintenance: {
    concurrency: () => 1,
    jobs: {
      /** Records that a worker is alive; used by the scheduler watchdog. */
      heartbeat: z.object({ at: z.string() }),
    },
  },
  ingest: {
    concurrency: () => config().INGEST_CONCURRENCY,
    jobs: {
      /**
       * A pull of a source's current data. SCHEDULE jobs come from the source's job scheduler
       * (`pull.<sourceKey>`); the slot they stand for is the job's repeat time.
       */
      pull: z.object({
        sourceKey,
        trigger: z.enum(['SCHEDULE', 'STARTUP', 'CATCH_UP']),
        /** Set by the worker on a SCHEDULE job that claimed its slot, then waited for a busy source. */
        slotClaimed: z.boolean().optional(),
      }),
      /** A run recorded beforehand by an admin (run now, or replay as of a date). */
      run: z.object({ runId: z.number().int().positive() }),
      /** Missed slots of a BACKFILL source, replayed one after the other, oldest first. */
      backfill: z.object({ sourceKey, slots: z.array(z.iso.datetime()).min(1).max(10_000) }),
      /** First start of a fresh installation: replays the reported dates (demo/history). */
      'demo-history': z.object({}),
    },
  },
  kpi: {
    concurrency: () => 1,
    jobs: {
      /** Recomputes the KPI buckets ingest marked dirty (services/kpi/recompute). */
      recompute: z.object({
        reason: z.string().min(1).max(500),
        runIds: z.array(z.number().int().positive()).max(10_000).optional(),
        full: z.boolean().optional(),
      }),
    },
  },
  export: {
    concurrency: () => 1,
    jobs: {
      /** Writes the CSV of a KPI export recorded by startKpiExport (services/kpi/exports). */
      csv: z.object({ exportId: z.string().min(1).max(64) }),
    },
  },
} as const;

export type QueueName = keyof typeof QUEUES;
export type JobName<Q extends QueueName> = keyof (typeof QUEUES)[Q]['jobs'] & string;
export type JobData<Q extends QueueName, N extends JobName<Q>> = z.infer<(typeof QUEUES)[Q]['jobs'][N]>;

/** Retries of ingest jobs resume from the run's cursor; backoff leaves a flaky feed time. */
export function defaultJobOptions(queue: QueueName): JobsOptions {
  const keep = {
    removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
  if (queue === 'ingest') {
    return { ...keep, attempts: config().INGEST_ATTEMPTS, backoff: { type: 'exponential', delay: 5_000 } };
  }
  if (queue === 'kpi') return { ...keep, attempts: 5, backoff: { type: 'exponential', delay: 2_000 } };
  if (queue === 'export') return { ...keep, attempts: 3, backoff: { type: 'exponential', delay: 1_000 } };
  return keep;
}

/** Every (queue, job name) pair the workers must handle. */
export function jobNames(): Array<{ queue: QueueName; name: string }> {
  return (Object.keys(QUEUES) as QueueName[]).flatMap((queue) =>
    Object.keys(QUEUES[queue].jobs).map((name) => ({ queue, name })),
  );
}
