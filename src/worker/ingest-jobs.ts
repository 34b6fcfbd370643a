// How ingest work is queued: stable job ids and deduplication keys derived from the source key,
// so a second worker (or a second click) does not queue the same work twice.
import type { IngestRun } from '../generated/prisma/client.js';
import { AppError } from '../lib/errors.js';
import { logger } from '../lib/logger.js';
import { QueueUnavailableError } from '../lib/unavailable.js';
import type { MissedRuns } from '../services/ingest/catch-up.js';
import { failQueuedRun, requestReplay, requestRun } from '../services/ingest/runs.js';
import type { Producer } from './queues.js';

export const DEMO_JOB_ID = 'demo-history';

/** The id of a source's job scheduler. */
export const schedulerId = (sourceKey: string) => `pull.${sourceKey}`;

/** While a pull of the source's current data is queued or running, another one is not queued. */
const currentPull = (sourceKey: string) => ({ id: `current.${sourceKey}` });

/**
 * Marks the ids of jobs queued by this process: a Redis that lost its data cannot hand a new job
 * the id of an old run (BullMQ's counter starts again at 1; this epoch and the clock do not).
 */
const DEPLOYMENT_EPOCH = `${Date.now().toString(36)}.${process.pid.toString(36)}`;

export async function enqueueStartupPull(producer: Producer, sourceKey: string): Promise<void> {
  await producer.enqueue(
    'ingest',
    'pull',
    { sourceKey, trigger: 'STARTUP' },
    {
      jobId: `startup.${sourceKey}.${DEPLOYMENT_EPOCH}.${Date.now().toString(36)}`,
      deduplication: currentPull(sourceKey),
    },
  );
}

/** Queues what a source's catch-up policy asks for its missed slots. */
export async function enqueueCatchUp(producer: Producer, missed: MissedRuns): Promise<void> {
  if (missed.slots.length === 0) return;
  const first = missed.slots[0]!.getTime();
  const last = missed.slots.at(-1)!.getTime();
  if (missed.policy === 'BACKFILL') {
    await producer.enqueue(
      'ingest',
      'backfill',
      { sourceKey: missed.sourceKey, slots: missed.slots.map((s) => s.toISOString()) },
      { jobId: `backfill.${missed.sourceKey}.${first}.${last}` },
    );
  } else {
    await producer.enqueue(
      'ingest',
      'pull',
      { sourceKey: missed.sourceKey, trigger: 'CATCH_UP' },
      { jobId: `catchup.${missed.sourceKey}.${last}`, deduplication: currentPull(missed.sourceKey) },
    );
  }
}

/** How long an admin's request waits for Redis to take a job before it is refused. */
const QUEUE_TIMEOUT_MS = 3_000;

/**
 * `work`, or QueueUnavailableError after `ms`: a command issued while Redis reconnects can wait
 * through several reconnect attempts, and a request must not.
 */
async function answerWithin<T>(ms: number, work: Promise<T>): Promise<T> {
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
 * An admin's "run now" or "replay as of": the run is recorded first, so its id can be returned at
 * once, then queued. If Redis refuses the job the run is marked failed and QUEUE_UNAVAILABLE thrown.
 */
export async function triggerRun(
  producer: Producer,
  input: { sourceKey: string; asOf?: string | null },
): Promise<IngestRun> {
  // Redis down: refused at once, with a clear code, and nothing recorded.
  if (producer.disconnected()) throw new QueueUnavailableError('Redis is unreachable');
  const run = await requestRun(input);
  try {
    const jobId = await answerWithin(
      QUEUE_TIMEOUT_MS,
      producer.enqueue('ingest', 'run', { runId: run.id }, { jobId: `run.${run.id}` }),
    );
    logger.info({ runId: run.id, source: input.sourceKey, queuedJobId: jobId }, 'ingest run queued');
    return { ...run, jobId };
  } catch (err) {
    await failQueuedRun(run.id, `could not be queued: ${(err as Error).message}`);
    throw err instanceof AppError ? err : new QueueUnavailableError((err as Error).message);
  }
}

/**
 * An admin's replay of a whole fiscal year as of a date: a run per source is recorded first (see
 * requestReplay), then each is queued. A run Redis refuses is marked failed, and
 * QUEUE_UNAVAILABLE thrown; the others run, and the year's items return to the live state.
 */
export async function triggerReplay(
  producer: Producer,
  input: { fiscalYear: number; asOf: string },
): Promise<IngestRun[]> {
  if (producer.disconnected()) throw new QueueUnavailableError('Redis is unreachable');
  const runs = await requestReplay(input);
  for (const [i, run] of runs.entries()) {
    try {
      await answerWithin(
        QUEUE_TIMEOUT_MS,
        producer.enqueue('ingest', 'run', { runId: run.id }, { jobId: `run.${run.id}` }),
      );
    } catch (err) {
      for (const left of runs.slice(i))
        await failQueuedRun(left.id, `could not be queued: ${(err as Error).message}`);
      throw err instanceof AppError ? err : new QueueUnavailableError((err as Error).message);
    }
  }
  logger.info(
    { year: input.fiscalYear, asOf: input.asOf, runIds: runs.map((r) => r.id) },
    'replay of a year queued',
  );
  return runs;
}

export async function enqueueRecompute(producer: Producer, reason: string, runIds: number[]): Promise<void> {
  await producer.enqueue('kpi', 'recompute', { reason, runIds });
}
