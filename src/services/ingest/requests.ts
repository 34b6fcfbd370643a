// Ingest's workflows that cross the queue: an admin's run (record the run, queue its job, under the
// one failure policy of src/jobs/request.ts) and the hand-off every finished ingest makes to the
// KPIs (a pull, a backfill, a file import, an approved held snapshot): one recompute of what it
// changed.

import { enqueueRecompute, runJobId } from '../../jobs/enqueue.js';
import type { Producer } from '../../jobs/producer.js';
import { recordAndQueue, recordAndQueueAll } from '../../jobs/request.js';
import { syncSchedulers } from '../../jobs/schedulers.js';
import { logger } from '../../lib/logger.js';
import { failQueuedRun, type Run, requestReplay, requestRun } from './runs.js';
import { type FeedSource, listSources, type ScheduleChange, updateSchedule } from './sources.js';

/**
 * An admin's "run now" or "replay as of": the run is recorded first, so its id can be returned at
 * once, then queued. Redis down: QUEUE_UNAVAILABLE and nothing recorded; Redis refusing the job:
 * the run is marked FAILED with the reason and QUEUE_UNAVAILABLE thrown.
 */
export async function triggerRun(
  producer: Producer,
  input: { sourceKey: string; asOf?: string | null },
): Promise<Run> {
  const { row: run, jobId } = await recordAndQueue(producer, {
    record: () => requestRun(input),
    job: (r) => ({ queue: 'ingest', name: 'run', data: { runId: r.id }, jobId: runJobId(r.id) }),
    refused: (r, reason) => failQueuedRun(r.id, reason),
  });
  logger.info({ runId: run.id, source: input.sourceKey, queuedJobId: jobId }, 'ingest run queued');
  return { ...run, jobId };
}

/**
 * An admin's replay of a whole fiscal year as of a date: a run per source is recorded first (see
 * requestReplay), then each is queued, under the same policy: a run Redis refuses, and every one
 * not queued yet, is marked FAILED and QUEUE_UNAVAILABLE thrown; the others run, and the year's
 * items return to the live state.
 */
export async function triggerReplay(
  producer: Producer,
  input: { fiscalYear: number; asOf: string },
): Promise<Run[]> {
  const { rows: runs } = await recordAndQueueAll(producer, {
    record: () => requestReplay(input),
    job: (r) => ({ queue: 'ingest', name: 'run', data: { runId: r.id }, jobId: runJobId(r.id) }),
    refused: (r, reason) => failQueuedRun(r.id, reason),
  });
  logger.info(
    { year: input.fiscalYear, asOf: input.asOf, runIds: runs.map((r) => r.id) },
    'replay of a year queued',
  );
  return runs;
}

/** What the hand-off needs of a finished run. */
export type FinishedRun = Pick<Run, 'id' | 'status' | 'dataset'>;

/**
 * The hand-off of finished ingest to the KPIs: one incremental recompute of the buckets the
 * succeeded runs made dirty, queued when at least one run succeeded. Agencies (master-satker) date
 * no figures: their attributions are recomputed without the run. Throws when Redis refuses the job:
 * a job retries; a caller that has committed its write may go on (the dirty buckets wait for the
 * next recompute).
 */
export async function queueRecomputeAfter(
  producer: Producer,
  reason: string,
  runs: FinishedRun[],
): Promise<boolean> {
  const succeeded = runs.filter((r) => r.status === 'SUCCEEDED');
  if (succeeded.length === 0) return false;
  const runIds = succeeded.filter((r) => r.dataset !== 'rup/master-satker').map((r) => r.id);
  await enqueueRecompute(producer, reason, runIds);
  return true;
}

/**
 * An admin's schedule change: saved, then applied to the job schedulers at once when Redis answers;
 * otherwise the workers' watchdog applies it later.
 */
export async function changeSchedule(
  producer: Producer,
  key: string,
  change: ScheduleChange,
): Promise<FeedSource> {
  const source = await updateSchedule(key, change);
  try {
    await syncSchedulers(producer, await listSources());
  } catch (err) {
    logger.warn({ err: (err as Error).message, source: source.key }, 'schedule saved; workers will apply it');
  }
  return source;
}
