// The demo history's job handler (`ingest/demo-history`, queued by the worker on a fresh
// installation with DEMO_SEED): replays the reported dates, then lets the normal schedules start.
// The worker's entry point wires it in; nothing in the production layers knows it.
import { config } from '../config/env.js';
import type { Handler } from '../jobs/handler.js';
import type { JobData } from '../jobs/queues.js';
import { logger } from '../lib/logger.js';
import { ingestJob, PAUSE_DELAY_MS, pullOptions } from '../services/ingest/jobs.js';
import { replayDemoHistory } from './history.js';

/** The handler; `afterwards` starts the schedules once the history is replayed. */
export function demoHistoryJob(afterwards: () => Promise<void>): Handler<JobData<'ingest', 'demo-history'>> {
  return ingestJob(async (job) => {
    const outcome = await replayDemoHistory(pullOptions(job));
    if (outcome.outcome === 'paused') return job.later(PAUSE_DELAY_MS, 'paused by shutdown');
    if (outcome.outcome === 'busy') return job.later(config().INGEST_BUSY_RETRY_MS, 'a source is busy');
    if (outcome.outcome === 'delayed') return job.later(outcome.delayMs, 'the feed asks to wait');
    logger.info({ versions: outcome.versions.length }, 'demo history replayed; schedules start');
    await afterwards();
    return outcome;
  });
}
