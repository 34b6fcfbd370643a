// Job schedulers, one per enabled source (`pull.<sourceKey>`, its cron pattern in its time zone),
// with stable ids: made to match the sources they are given (the caller reads them), and repaired
// when their next job is gone (BullMQ has reports of schedulers silently stopping). The worker
// syncs them at start and in its watchdog; an admin's schedule change syncs them at once.
import type { Queue } from 'bullmq';
import { DEMO_JOB_ID, schedulerId } from './enqueue.js';
import type { Producer } from './producer.js';
import { defaultJobOptions } from './queues.js';

const LIVE_STATES = new Set(['delayed', 'waiting', 'active', 'prioritized', 'waiting-children']);

export interface SyncResult {
  upserted: string[];
  removed: string[];
}

/** A source's schedule, as the schedulers need it. */
export interface ScheduledSource {
  key: string;
  cron: string;
  timezone: string;
  enabled: boolean;
}

/**
 * Makes Redis's job schedulers match the schedules of `sources` (every source: a scheduler of a
 * source not among them is removed); repairs any whose next job is gone.
 */
export async function syncSchedulers(producer: Producer, sources: ScheduledSource[]): Promise<SyncResult> {
  const queue: Queue = producer.queue('ingest');
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
