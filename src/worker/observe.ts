// Runs each job inside its work context (its log lines carry the job id, and the id of the request
// that queued it) and times it for bisma_job_duration_seconds.
import { DelayedError } from 'bullmq';
import { QUEUES, type QueueName } from '../jobs/queues.js';
import { logger } from '../lib/logger.js';
import { jobDuration } from '../lib/metrics.js';
import { originOf, runWithWork } from '../lib/request-context.js';
import type { Processor } from './processors.js';

export function observed(queue: QueueName, processor: Processor): Processor {
  const names = new Set(Object.keys(QUEUES[queue].jobs));
  return (job, token) => {
    const requestId = originOf(job.data);
    const context = { jobId: job.id ?? 'unknown', queue, ...(requestId ? { requestId } : {}) };
    return runWithWork(context, async () => {
      const started = performance.now();
      let outcome = 'failed';
      try {
        const result = await processor(job, token);
        outcome = 'completed';
        return result;
      } catch (err) {
        // A job put back for later (paused, source busy) has not failed.
        if (err instanceof DelayedError) outcome = 'delayed';
        throw err;
      } finally {
        const seconds = (performance.now() - started) / 1000;
        jobDuration.observe({ queue, name: names.has(job.name) ? job.name : 'unknown', outcome }, seconds);
        logger.info({ job: job.name, outcome, durationMs: Math.round(seconds * 1000) }, 'job finished');
      }
    });
  };
}
