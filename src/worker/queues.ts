// Every queue and job the workers know, with a zod schema per payload: one typed module. The
// producer side (enqueue) lives here too: the API and the CLI queue jobs through it.
import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { config } from '../config/env.js';
import { createRedis } from '../lib/redis.js';
import { requestOrigin } from '../lib/request-context.js';

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
      /** First start of a fresh installation: replays the reported dates (services/ingest/demo-history). */
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

/** Producer side: lazily opened queues on one connection. */
export class Producer {
  private readonly queues = new Map<QueueName, Queue>();

  /** The connection closed and has not been ready since (Redis down, or between reconnects). */
  private lost = false;

  constructor(private readonly connection: Redis) {
    connection.on('close', () => {
      this.lost = true;
    });
    connection.on('ready', () => {
      this.lost = false;
    });
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.connection,
        prefix: config().REDIS_PREFIX,
        defaultJobOptions: defaultJobOptions(name),
      });
      // The connection logs its own errors; without a listener BullMQ prints each one with its stack.
      queue.on('error', () => {});
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Checks the payload against the job's schema, then queues it. */
  async enqueue<Q extends QueueName, N extends JobName<Q>>(
    queue: Q,
    name: N,
    data: JobData<Q, N>,
    opts: JobsOptions = {},
  ): Promise<string> {
    const schema = (QUEUES[queue].jobs as Record<string, z.ZodType>)[name]!;
    // The request (or the job) that queues it: its logs and the job's can be joined on requestId.
    const payload = { ...(schema.parse(data) as object), ...requestOrigin() };
    const job = await this.queue(queue).add(name, payload, opts);
    return job.id!;
  }

  /** Whether Redis is known to be down now: the connection was lost and is not back yet. */
  disconnected(): boolean {
    return this.lost;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}

/**
 * A producer for processes that only queue jobs (API, CLI): it fails fast when Redis is down
 * instead of waiting for it.
 */
export function createProducer(): { producer: Producer; close(): Promise<void> } {
  const connection = createRedis('producer');
  const producer = new Producer(connection);
  return {
    producer,
    async close() {
      await producer.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

let shared: ReturnType<typeof createProducer> | undefined;

/** The process's producer for resolvers (like the Prisma client, one per process, opened on first use). */
export function sharedProducer(): Producer {
  shared ??= createProducer();
  return shared.producer;
}

export async function closeSharedProducer(): Promise<void> {
  const closing = shared;
  shared = undefined;
  await closing?.close();
}
