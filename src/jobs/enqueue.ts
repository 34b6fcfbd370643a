// What each job is queued as: stable job ids and deduplication keys derived from the source key
// (or the row a job serves), so a second worker (or a second click) does not queue the same work
// twice, and the payloads' shapes (checked by the producer against queues.ts).
import type { Producer } from './producer.js';

export const DEMO_JOB_ID = 'demo-history';

/** The id of a source's job scheduler. */
export const schedulerId = (sourceKey: string) => `pull.${sourceKey}`;

/** The job id of a run recorded beforehand (an admin's run now or replay). */
export const runJobId = (runId: number) => `run.${runId}`;

/** The job id of a KPI export's CSV. */
export const exportJobId = (exportId: string) => `export.${exportId}`;

/** While a pull of the source's current data is queued or running, another one is not queued. */
const currentPull = (sourceKey: string) => ({ id: `current.${sourceKey}` });

/**
 * Marks the ids of jobs queued by this process: a Redis that lost its data cannot hand a new job
 * the id of an old run (BullMQ's counter starts again at 1; this epoch and the clock do not).
 */
const DEPLOYMENT_EPOCH = `${Date.now().toString(36)}.${process.pid.toString(36)}`;

/**
 * The key a job's run is found by. A job id that is only a number is BullMQ's counter, which
 * starts again at 1 when Redis loses its data: it is qualified by the job's creation time so a new
 * job never finds an old run by it.
 */
export function jobKey(job: { id?: string | undefined; timestamp: number }): string {
  const id = job.id!;
  return /^\d+$/.test(id) ? `${id}@${job.timestamp}` : id;
}

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

/** A source's missed schedule slots and its catch-up policy (services/ingest/catch-up finds them). */
export interface MissedSlots {
  sourceKey: string;
  policy: 'SKIP' | 'RUN_ONCE' | 'BACKFILL';
  slots: Date[];
}

/** Queues what a source's catch-up policy asks for its missed slots. */
export async function enqueueCatchUp(producer: Producer, missed: MissedSlots): Promise<void> {
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

export async function enqueueRecompute(producer: Producer, reason: string, runIds: number[]): Promise<void> {
  await producer.enqueue('kpi', 'recompute', { reason, runIds });
}
