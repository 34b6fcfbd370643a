// Job schedulers, one per enabled source (`pull.<sourceKey>`, its cron pattern in its time zone),
// upserted at every start with stable ids; catch-up of missed runs at start; and a watchdog that
// re-upserts a scheduler that stopped (BullMQ has reports of schedulers silently stopping) and
// applies schedule changes made by admins, without a restart.
import type { Queue } from 'bullmq';
import { config } from '../config/env.js';
import { logger } from '../lib/logger.js';
import { detectMissedRuns } from '../services/ingest/catch-up.js';
import { listSources } from '../services/ingest/sources.js';
import { DEMO_JOB_ID, enqueueCatchUp, enqueueStartupPull, schedulerId } from './ingest-jobs.js';
import { defaultJobOptions, type Producer } from './queues.js';

const LIVE_STATES = new Set(['delayed', 'waiting', 'active', 'prioritized', 'waiting-children']);

export interface SyncResult {
  upserted: string[];
  removed: string[];
}

/** Makes Redis's job schedulers match the sources' schedules; repairs any whose next job is gone. */
export async function syncSchedulers(producer: Producer): Promise<SyncResult> {
  const queue: Queue = producer.queue('ingest');
  const sources = await listSources();
  const existing = new Map((await queue.getJobSchedulers(0, -1)).map((s) => [s.key, s]));
  const result: SyncResult = { upserted: [], removed: [] };
  for (const source of sources) {
    const id = schedulerId(source.key);
    const current = existing.get(id);
    existing.delete(id);
    if (!source.enabled) {
      if (current) {
        await queue.removeJobScheduler(id);
        result.removed.push(id);
      }
      continue;
    }
    let healthy =
      current?.pattern === source.cron && current.tz === source.timezone && current.next !== undefined;
    if (healthy) {
      const state = await queue.getJobState(`repeat:${id}:${current!.next}`);
      healthy = LIVE_STATES.has(state);
    }
    if (healthy) continue;
    const { attempts, backoff, removeOnComplete, removeOnFail } = defaultJobOptions('ingest');
    await queue.upsertJobScheduler(
      id,
      { pattern: source.cron, tz: source.timezone },
      {
        name: 'pull',
        data: { sourceKey: source.key, trigger: 'SCHEDULE' },
        opts: { attempts, backoff, removeOnComplete, removeOnFail },
      },
    );
    result.upserted.push(id);
  }
  // Schedulers of sources that no longer exist.
  for (const id of existing.keys()) {
    if (!id.startsWith('pull.')) continue;
    await queue.removeJobScheduler(id);
    result.removed.push(id);
  }
  return result;
}

/** Whether the first-start demo history is queued or running: schedules wait for it. */
export async function demoPending(producer: Producer): Promise<boolean> {
  return LIVE_STATES.has(await producer.queue('ingest').getJobState(DEMO_JOB_ID));
}

/** Missed runs by policy, then the schedulers, then (if configured) one pull per source. */
export async function startSchedules(producer: Producer, options: { pullOnStart: boolean }): Promise<void> {
  const missed = await detectMissedRuns();
  for (const m of missed) {
    logger.info(
      { source: m.sourceKey, missed: m.missed, policy: m.policy, runs: m.slots.length },
      'missed runs found',
    );
    await enqueueCatchUp(producer, m);
  }
  const synced = await syncSchedulers(producer);
  logger.info(
    { schedulers: synced.upserted.length, removed: synced.removed.length },
    'job schedulers upserted',
  );
  if (options.pullOnStart) {
    for (const source of await listSources({ enabled: true })) await enqueueStartupPull(producer, source.key);
  }
}

/** One watchdog pass: schedules match the database and are alive; missed slots are caught up. */
export async function watchdogTick(producer: Producer): Promise<SyncResult> {
  if (await demoPending(producer)) return { upserted: [], removed: [] };
  const synced = await syncSchedulers(producer);
  if (synced.upserted.length || synced.removed.length)
    logger.warn({ ...synced }, 'watchdog repaired job schedulers');
  for (const m of await detectMissedRuns()) {
    logger.warn({ source: m.sourceKey, missed: m.missed, policy: m.policy }, 'watchdog found missed runs');
    await enqueueCatchUp(producer, m);
  }
  return synced;
}

export function startWatchdog(producer: Producer): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    watchdogTick(producer)
      .catch((err: Error) => logger.warn({ err: err.message }, 'scheduler watchdog failed'))
      .finally(() => {
        running = false;
      });
  }, config().SCHEDULER_WATCHDOG_MS);
  timer.unref();
  return () => clearInterval(timer);
}
