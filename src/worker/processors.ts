// Maps each queue to its processor. Processors are thin: parse the payload, call a service.
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { QUEUES, type QueueName } from './queues.js';

type Processor = (job: Job) => Promise<unknown>;

function parse<Q extends QueueName, N extends keyof (typeof QUEUES)[Q]['jobs']>(queue: Q, job: Job) {
  const schema = (
    QUEUES[queue].jobs as Record<
      string,
      { safeParse(v: unknown): { success: boolean; data?: unknown; error?: unknown } }
    >
  )[job.name];
  if (!schema) throw new UnrecoverableError(`unknown job ${job.name} on queue ${queue}`);
  const parsed = schema.safeParse(job.data);
  if (!parsed.success)
    throw new UnrecoverableError(`invalid payload for ${queue}/${job.name}: ${String(parsed.error)}`);
  return parsed.data as N;
}

export const processors: Record<QueueName, Processor> = {
  maintenance: async (job) => {
    parse('maintenance', job);
    return { alive: true };
  },
};
