// Which service function handles each job (a line each), and the adapter that runs a handler on a
// BullMQ job: the payload checked against its schema, the handler's JobRun (src/jobs/handler.ts),
// a job put back for later, a final failure not retried. Business rules live in the handlers,
// beside their services.
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { jobKey } from '../jobs/enqueue.js';
import { FinalJobError, type Handler, type Handlers, type JobRun } from '../jobs/handler.js';
import type { Producer } from '../jobs/producer.js';
import { type JobData, jobNames, QUEUES, type QueueName } from '../jobs/queues.js';
import { backfillJob, pullJob, runJob } from '../services/ingest/jobs.js';
import { exportJob, recomputeJob } from '../services/kpi/jobs.js';

export type Processor = (job: Job, token?: string) => Promise<unknown>;

/** Handlers an entry point wires in (the demo wing's), beside the production ones. */
export interface WiredHandlers {
  demoHistory?: Handler<JobData<'ingest', 'demo-history'>>;
}

export function jobHandlers(wired: WiredHandlers = {}): Handlers {
  return {
    maintenance: { heartbeat: async () => ({ alive: true }) },
    ingest: {
      pull: pullJob,
      run: runJob,
      backfill: backfillJob,
      ...(wired.demoHistory ? { 'demo-history': wired.demoHistory } : {}),
    },
    kpi: { recompute: recomputeJob },
    export: { csv: exportJob },
  };
}

/** The jobs (`queue/name`) of queues.ts that have no handler: the worker refuses to start with any. */
export function missingHandlers(handlers: Handlers): string[] {
  return jobNames()
    .filter(({ queue, name }) => !(handlers[queue] as Record<string, unknown>)[name])
    .map(({ queue, name }) => `${queue}/${name}`);
}

export interface ProcessorContext {
  producer: Producer;
  /** Aborted when the worker shuts down: long jobs stop after their current batch. */
  shutdown: AbortSignal;
  /** Default: jobHandlers() (without the demo wing). */
  handlers?: Handlers;
}

/** One processor per queue: it finds the job's handler by name and runs it. */
export function createProcessors(ctx: ProcessorContext): Record<QueueName, Processor> {
  const handlers = ctx.handlers ?? jobHandlers();
  const processorOf =
    (queue: QueueName): Processor =>
    async (job, token) => {
      const schema = (QUEUES[queue].jobs as Record<string, z.ZodType>)[job.name];
      const handler = (handlers[queue] as Record<string, Handler<unknown>>)[job.name];
      if (!schema || !handler) throw new UnrecoverableError(`unknown job ${job.name} on queue ${queue}`);
      const parsed = schema.safeParse(job.data);
      if (!parsed.success) {
        throw new UnrecoverableError(
          `invalid payload for ${queue}/${job.name}: ${z.prettifyError(parsed.error)}`,
        );
      }
      const opts = job.opts ?? {};
      const run: JobRun<unknown> = {
        data: parsed.data,
        key: jobKey(job),
        slotMs: opts.prevMillis ?? job.timestamp,
        finalAttempt: job.attemptsMade + 1 >= (opts.attempts ?? 1),
        signal: ctx.shutdown,
        producer: ctx.producer,
        progress: (progress) => job.updateProgress(progress),
        update: (data) => job.updateData({ ...job.data, ...(data as object) }),
        async later(ms, why) {
          await job.moveToDelayed(Date.now() + ms, token);
          throw new DelayedError(why);
        },
      };
      try {
        return await handler(run);
      } catch (err) {
        throw err instanceof FinalJobError ? new UnrecoverableError(err.message) : err;
      }
    };
  return Object.fromEntries((Object.keys(QUEUES) as QueueName[]).map((q) => [q, processorOf(q)])) as Record<
    QueueName,
    Processor
  >;
}
