// The ingest queue's job handlers (the worker maps `pull`, `run` and `backfill` to them): a pull of
// a source's current data (scheduled, at start-up, a catch-up), a run an admin recorded, and the
// replay of a BACKFILL source's missed slots. Each finished pull hands off to the KPIs
// (requests.ts); a pause, a busy source or the feed's Retry-After puts the job back for later.
import { config } from '../../config/env.js';
import { FeedRetryLaterError } from '../../feed/client.js';
import { FinalJobError, type Handler, type JobRun } from '../../jobs/handler.js';
import type { JobData } from '../../jobs/queues.js';
import { AppError } from '../../lib/errors.js';
import { claimScheduledSlot } from './catch-up.js';
import { isFinalError, type PullOptions, type PullOutcome, pull } from './pull.js';
import { queueRecomputeAfter } from './requests.js';
import { hasRunForJob } from './runs.js';
import { backfillPlan } from './schedule.js';
import { getSource } from './sources.js';

/** How long a paused job (worker shutdown) waits before another worker takes it up. */
export const PAUSE_DELAY_MS = 1_000;

export function pullOptions(job: JobRun<unknown>): PullOptions {
  return {
    signal: job.signal,
    finalAttempt: job.finalAttempt,
    onProgress: (progress) => job.progress({ ...progress }),
  };
}

/**
 * Bad input, refusals by the feed, paging that never ends and a Retry-After beyond the maximum
 * are not retried; anything else is (the run resumes).
 */
export function finalIfHopeless(err: unknown): unknown {
  if (isFinalError(err) || err instanceof FeedRetryLaterError)
    return new FinalJobError((err as Error).message);
  if (err instanceof AppError && ['BAD_USER_INPUT', 'NOT_FOUND'].includes(err.code)) {
    return new FinalJobError(err.message);
  }
  return err;
}

/** Runs a handler's body, turning failures retrying cannot mend into final ones. */
export function ingestJob<D>(body: Handler<D>): Handler<D> {
  return async (job) => {
    try {
      return await body(job);
    } catch (err) {
      throw finalIfHopeless(err);
    }
  };
}

/** A finished run hands off to the KPI recompute; a pause or a busy source comes back later. */
async function settle(job: JobRun<unknown>, outcome: PullOutcome, waitIfBusy: boolean) {
  if (outcome.outcome === 'paused') return job.later(PAUSE_DELAY_MS, 'paused by shutdown');
  // The feed's Retry-After, honoured whatever its size: the job waits, no attempt is used up.
  if (outcome.outcome === 'delayed') return job.later(outcome.delayMs, 'the feed asks to wait');
  if (outcome.outcome === 'busy') {
    if (waitIfBusy) return job.later(config().INGEST_BUSY_RETRY_MS, `source ${outcome.sourceKey} is busy`);
    // The run in progress serves this request.
    return { skipped: 'busy' };
  }
  const run = outcome.run;
  await queueRecomputeAfter(job.producer, `ingest run ${run.id}`, [run]);
  return {
    runId: run.id,
    status: run.status,
    fetched: run.fetched,
    inserted: run.inserted,
    updated: run.updated,
  };
}

export const pullJob: Handler<JobData<'ingest', 'pull'>> = ingestJob(async (job) => {
  const { data } = job;
  let scheduledFor: Date | null = null;
  if (data.trigger === 'SCHEDULE') {
    // The slot this job stands for: its scheduler's repeat time.
    scheduledFor = new Date(job.slotMs);
    // A job that claimed its slot, then waited for a busy source, still owns the slot.
    const decision = data.slotClaimed ? 'run' : await claimScheduledSlot(data.sourceKey, scheduledFor);
    // A job that already started its run (then paused or crashed) carries on with it.
    if (decision !== 'run' && !(await hasRunForJob(job.key))) return { skipped: decision };
  }
  const outcome = await pull(
    { sourceKey: data.sourceKey, trigger: data.trigger, jobKey: job.key, scheduledFor },
    pullOptions(job),
  );
  // Each scheduled slot gets its own run: while another run of the source (a catch-up,
  // a backfill) is in progress, the slot waits for it instead of being dropped.
  const scheduled = data.trigger === 'SCHEDULE';
  if (scheduled && outcome.outcome === 'busy' && !data.slotClaimed)
    await job.update({ ...data, slotClaimed: true });
  return settle(job, outcome, scheduled);
});

export const runJob: Handler<JobData<'ingest', 'run'>> = ingestJob(async (job) =>
  settle(job, await pull({ runId: job.data.runId }, pullOptions(job)), true),
);

export const backfillJob: Handler<JobData<'ingest', 'backfill'>> = ingestJob(async (job) => {
  const { data } = job;
  const source = await getSource(data.sourceKey);
  const runs = [];
  // The latest missed slot pulls the current data; the earlier ones are replays.
  for (const [i, step] of backfillPlan(data.slots, source.timezone).entries()) {
    const outcome = await pull(
      {
        sourceKey: data.sourceKey,
        trigger: 'CATCH_UP',
        jobKey: `${job.key}#${i}`,
        requestedAsOf: step.requestedAsOf,
        scheduledFor: step.at,
      },
      pullOptions(job),
    );
    if (outcome.outcome !== 'finished') return settle(job, outcome, true);
    // A held slot of the backfill waits for an operator; the later slots go on.
    runs.push(outcome.run);
  }
  await queueRecomputeAfter(job.producer, `backfill of ${data.sourceKey}`, runs);
  return { runIds: runs.map((r) => r.id) };
});
