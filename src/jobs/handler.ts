// What a job handler sees of its job, whatever runs it: the checked payload, its run key, whether
// this is its last attempt, the shutdown signal, and how to report progress, keep a changed
// payload, or come back later. Handlers live beside their services (services/*/jobs.ts); the
// worker (src/worker/processors.ts) maps each job name to one and adapts BullMQ's job to this.
import type { Producer } from './producer.js';
import type { JobData, JobName, QueueName } from './queues.js';

export interface JobRun<D> {
  data: D;
  /** The key the job's runs are found by (enqueue.ts jobKey). */
  key: string;
  /** When the job was created, or for a scheduler's job the slot it stands for (ms). */
  slotMs: number;
  /** This attempt is the job's last: a failure now is final. */
  finalAttempt: boolean;
  /** Aborted when the worker shuts down: long jobs stop after their current batch. */
  signal: AbortSignal;
  /** The worker's producer, for the hand-offs to the next queue. */
  producer: Producer;
  progress(progress: object): Promise<void>;
  /** Replaces the payload the job's next attempts see. */
  update(data: D): Promise<void>;
  /** Puts the job back to run again in `ms` (not a failure: no attempt is used up). */
  later(ms: number, why: string): Promise<never>;
}

export type Handler<D> = (job: JobRun<D>) => Promise<unknown>;

/** A handler per job name of each queue (the worker refuses to start with one missing). */
export type Handlers = { [Q in QueueName]: { [N in JobName<Q>]?: Handler<JobData<Q, N>> } };

/** A failure that retrying cannot mend (bad input, a refusal): the job fails at once. */
export class FinalJobError extends Error {
  override name = 'FinalJobError';
}
