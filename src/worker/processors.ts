// Maps each queue to its processor. Processors are thin: parse the payload, call a service, hand
// off to the next queue.
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { config } from '../config/env.js';
import { FeedRetryLaterError } from '../feed/client.js';
import { AppError } from '../lib/errors.js';
import { logger } from '../lib/logger.js';
import { claimScheduledSlot } from '../services/ingest/catch-up.js';
import { replayDemoHistory } from '../services/ingest/demo-history.js';
import { isFinalError, type PullOptions, type PullOutcome, pull } from '../services/ingest/pull.js';
import { hasRunForJob } from '../services/ingest/runs.js';
import { backfillPlan } from '../services/ingest/schedule.js';
import { getSource } from '../services/ingest/sources.js';
import { failExport, runExport } from '../services/kpi/exports.js';
import { recomputeKpis } from '../services/kpi/recompute.js';
import { enqueueRecompute } from './ingest-jobs.js';
import { type JobData, type JobName, type Producer, QUEUES, type QueueName } from './queues.js';

export type Processor = (job: Job, token?: string) => Promise<unknown>;

export interface ProcessorContext {
  producer: Producer;
  /** Aborted when the worker shuts down: long jobs stop after their current batch. */
  shutdown: AbortSignal;
  /** Called once the demo history is done: the normal schedules start. */
  afterDemoHistory: () => Promise<void>;
}

/** How long a paused job (worker shutdown) waits before another worker takes it up. */
const PAUSE_DELAY_MS = 1_000;

function parse<Q extends QueueName, N extends JobName<Q>>(queue: Q, name: N, job: Job): JobData<Q, N> {
  const schema = (QUEUES[queue].jobs as Record<string, z.ZodType>)[name];
  if (!schema) throw new UnrecoverableError(`unknown job ${job.name} on queue ${queue}`);
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) {
    throw new UnrecoverableError(
      `invalid payload for ${queue}/${job.name}: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data as JobData<Q, N>;
}

/** Puts the job back to run again later (not a failure: no attempt is used up). */
async function later(job: Job, token: string | undefined, ms: number, why: string): Promise<never> {
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError(why);
}

/**
 * The key a job's run is found by. A job id that is only a number is BullMQ's counter, which
 * starts again at 1 when Redis loses its data: it is qualified by the job's creation time so a new
 * job never finds an old run by it.
 */
export function jobKey(job: Job): string {
  const id = job.id!;
  return /^\d+$/.test(id) ? `${id}@${job.timestamp}` : id;
}

/**
 * Bad input, refusals by the feed, paging that never ends and a Retry-After beyond the maximum
 * are not retried; anything else is (the run resumes).
 */
function classify(err: unknown): unknown {
  if (isFinalError(err) || err instanceof FeedRetryLaterError)
    return new UnrecoverableError((err as Error).message);
  if (err instanceof AppError && ['BAD_USER_INPUT', 'NOT_FOUND'].includes(err.code)) {
    return new UnrecoverableError(err.message);
  }
  return err;
}

export function createProcessors(ctx: ProcessorContext): Record<QueueName, Processor> {
  const pullOptions = (job: Job): PullOptions => ({
    signal: ctx.shutdown,
    finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
    onProgress: (progress) => job.updateProgress({ ...progress }),
  });

  /** A finished run hands off to the KPI recompute; a pause or a busy source comes back later. */
  async function settle(job: Job, token: string | undefined, outcome: PullOutcome, waitIfBusy: boolean) {
    if (outcome.outcome === 'paused') return later(job, token, PAUSE_DELAY_MS, 'paused by shutdown');
    // The feed's Retry-After, honoured whatever its size: the job waits, no attempt is used up.
    if (outcome.outcome === 'delayed') return later(job, token, outcome.delayMs, 'the feed asks to wait');
    if (outcome.outcome === 'busy') {
      if (waitIfBusy)
        return later(job, token, config().INGEST_BUSY_RETRY_MS, `source ${outcome.sourceKey} is busy`);
      // The run in progress serves this request.
      return { skipped: 'busy' };
    }
    const run = outcome.run;
    // Agencies (master-satker) date no figures: their attributions are recomputed without the run.
    if (run.status === 'SUCCEEDED') {
      const runIds = run.dataset === 'rup/master-satker' ? [] : [run.id];
      await enqueueRecompute(ctx.producer, `ingest run ${run.id}`, runIds);
    }
    return {
      runId: run.id,
      status: run.status,
      fetched: run.fetched,
      inserted: run.inserted,
      updated: run.updated,
    };
  }

  return {
    maintenance: async (job) => {
      parse('maintenance', 'heartbeat', job);
      return { alive: true };
    },

    ingest: async (job, token) => {
      try {
        switch (job.name) {
          case 'pull': {
            const data = parse('ingest', 'pull', job);
            let scheduledFor: Date | null = null;
            if (data.trigger === 'SCHEDULE') {
              scheduledFor = new Date(job.opts.prevMillis ?? job.timestamp);
              // A job that claimed its slot, then waited for a busy source, still owns the slot.
              const decision = data.slotClaimed
                ? 'run'
                : await claimScheduledSlot(data.sourceKey, scheduledFor);
              // A job that already started its run (then paused or crashed) carries on with it.
              if (decision !== 'run' && !(await hasRunForJob(jobKey(job)))) return { skipped: decision };
            }
            const outcome = await pull(
              { sourceKey: data.sourceKey, trigger: data.trigger, jobKey: jobKey(job), scheduledFor },
              pullOptions(job),
            );
            // Each scheduled slot gets its own run: while another run of the source (a catch-up,
            // a backfill) is in progress, the slot waits for it instead of being dropped.
            const scheduled = data.trigger === 'SCHEDULE';
            if (scheduled && outcome.outcome === 'busy' && !data.slotClaimed)
              await job.updateData({ ...job.data, slotClaimed: true });
            return await settle(job, token, outcome, scheduled);
          }
          case 'run': {
            const data = parse('ingest', 'run', job);
            return await settle(job, token, await pull({ runId: data.runId }, pullOptions(job)), true);
          }
          case 'backfill': {
            const data = parse('ingest', 'backfill', job);
            const source = await getSource(data.sourceKey);
            const runIds: number[] = [];
            // The latest missed slot pulls the current data; the earlier ones are replays.
            for (const [i, step] of backfillPlan(data.slots, source.timezone).entries()) {
              const outcome = await pull(
                {
                  sourceKey: data.sourceKey,
                  trigger: 'CATCH_UP',
                  jobKey: `${jobKey(job)}#${i}`,
                  requestedAsOf: step.requestedAsOf,
                  scheduledFor: step.at,
                },
                pullOptions(job),
              );
              if (outcome.outcome !== 'finished') return await settle(job, token, outcome, true);
              // A held slot of the backfill waits for an operator; the later slots go on.
              runIds.push(outcome.run.id);
            }
            await enqueueRecompute(ctx.producer, `backfill of ${data.sourceKey}`, runIds);
            return { runIds };
          }
          case 'demo-history': {
            parse('ingest', 'demo-history', job);
            const outcome = await replayDemoHistory(pullOptions(job));
            if (outcome.outcome === 'paused')
              return await later(job, token, PAUSE_DELAY_MS, 'paused by shutdown');
            if (outcome.outcome === 'busy')
              return await later(job, token, config().INGEST_BUSY_RETRY_MS, 'a source is busy');
            if (outcome.outcome === 'delayed')
              return await later(job, token, outcome.delayMs, 'the feed asks to wait');
            logger.info({ versions: outcome.versions.length }, 'demo history replayed; schedules start');
            await ctx.afterDemoHistory();
            return outcome;
          }
          default:
            throw new UnrecoverableError(`unknown job ${job.name} on queue ingest`);
        }
      } catch (err) {
        throw classify(err);
      }
    },

    export: async (job) => {
      const data = parse('export', 'csv', job);
      try {
        return await runExport(data.exportId);
      } catch (err) {
        const classified = classify(err);
        // No export is left RUNNING: the last attempt (or an unrecoverable error) records why.
        if (classified instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
          await failExport(data.exportId, (err as Error).message).catch(() => undefined);
        }
        throw classified;
      }
    },

    kpi: async (job) => {
      const data = parse('kpi', 'recompute', job);
      return recomputeKpis({
        reason: data.reason,
        ...(data.runIds ? { runIds: data.runIds } : {}),
        ...(data.full !== undefined ? { full: data.full } : {}),
      });
    },
  };
}
