// The producer side of the queues: lazily opened queues on one connection, every payload checked
// against its schema (queues.ts) before it is queued. Processes that only queue jobs (API, CLI)
// fail fast when Redis is down instead of waiting for it.
import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { config } from '../config/env.js';
import { createRedis } from '../lib/redis.js';
import { requestOrigin } from '../lib/request-context.js';
import { QueueUnavailableError } from '../lib/unavailable.js';
import { defaultJobOptions, type JobData, type JobName, QUEUES, type QueueName } from './queues.js';

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

/** How long a request waits for Redis to take a job before it is refused. */
export const QUEUE_TIMEOUT_MS = 3_000;

/**
 * `work`, or QueueUnavailableError after `ms`: a command issued while Redis reconnects can wait
 * through several reconnect attempts, and a request must not.
 */
export async function answerWithin<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new QueueUnavailableError(`Redis did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
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
