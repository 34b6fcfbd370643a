// The worker's side of the schedules: at start, missed runs by each source's catch-up policy, then
// the job schedulers (src/jobs/schedulers), then (if configured) one pull per source; and a
// watchdog that re-syncs the schedulers (applying admins' schedule changes without a restart) and
// catches up missed slots.
import { config } from '../config/env.js';
import { enqueueCatchUp, enqueueStartupPull } from '../jobs/enqueue.js';
import type { Producer } from '../jobs/producer.js';
import { demoPending, type SyncResult, syncSchedulers } from '../jobs/schedulers.js';
import { logger } from '../lib/logger.js';
import { detectMissedRuns } from '../services/ingest/catch-up.js';
import { listSources } from '../services/ingest/sources.js';

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
  const synced = await syncSchedulers(producer, await listSources());
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
  const synced = await syncSchedulers(producer, await listSources());
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
