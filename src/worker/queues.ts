// Every queue and job the workers know, with a zod schema per payload: one typed module.
import { z } from 'zod';

export const QUEUES = {
  maintenance: {
    concurrency: 1,
    jobs: {
      /** Records that a worker is alive; used by the scheduler watchdog. */
      heartbeat: z.object({ at: z.string() }),
    },
  },
} as const;

export type QueueName = keyof typeof QUEUES;
