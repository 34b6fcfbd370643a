// The one failure policy of a request that records a row and queues the job that serves it (an
// admin's ingest run, a KPI export): the row is recorded first, so its id can be answered at once,
// then the job is queued under a stable id.
//
//   Redis known to be down: refused at once with QUEUE_UNAVAILABLE, nothing recorded.
//   Redis refuses the job, or does not answer within QUEUE_TIMEOUT_MS: the row is marked FAILED
//     with the reason ("could not be queued: …") and the caller gets QUEUE_UNAVAILABLE.
//
// No row is ever left waiting for a job that was never queued.
import { AppError } from '../lib/errors.js';
import { logger } from '../lib/logger.js';
import { QueueUnavailableError } from '../lib/unavailable.js';
import { answerWithin, type Producer, QUEUE_TIMEOUT_MS } from './producer.js';
import type { JobData, JobName, QueueName } from './queues.js';

export interface QueuedRequest<Row, Q extends QueueName, N extends JobName<Q>> {
  /** Records the row (status QUEUED or the like). */
  record(): Promise<Row>;
  /** The job that serves the row. */
  job(row: Row): { queue: Q; name: N; data: JobData<Q, N>; jobId: string };
  /** Marks the row FAILED with the reason: its job could not be queued. */
  refused(row: Row, reason: string): Promise<unknown>;
}

/** Records the row, then queues its job; see the policy above. Returns the row and the job's id. */
export async function recordAndQueue<Row, Q extends QueueName, N extends JobName<Q>>(
  producer: Producer,
  request: QueuedRequest<Row, Q, N>,
): Promise<{ row: Row; jobId: string }> {
  const { rows, jobIds } = await recordAndQueueAll(producer, {
    record: async () => [await request.record()],
    job: request.job,
    refused: request.refused,
  });
  return { row: rows[0]!, jobId: jobIds[0]! };
}

/**
 * Several rows recorded together (one request), then each row's job queued in turn, under the same
 * policy: when Redis refuses a job, that row and every one not queued yet are marked FAILED with
 * the reason (those already queued run) and the caller gets QUEUE_UNAVAILABLE.
 */
export async function recordAndQueueAll<Row, Q extends QueueName, N extends JobName<Q>>(
  producer: Producer,
  request: Omit<QueuedRequest<Row, Q, N>, 'record'> & { record(): Promise<Row[]> },
): Promise<{ rows: Row[]; jobIds: string[] }> {
  if (producer.disconnected()) throw new QueueUnavailableError('Redis is unreachable');
  const rows = await request.record();
  const jobIds: string[] = [];
  for (const [i, row] of rows.entries()) {
    const job = request.job(row);
    try {
      jobIds.push(
        await answerWithin(
          QUEUE_TIMEOUT_MS,
          producer.enqueue(job.queue, job.name, job.data, { jobId: job.jobId }),
        ),
      );
    } catch (err) {
      const reason = `could not be queued: ${(err as Error).message}`;
      for (const left of rows.slice(i)) {
        await request
          .refused(left, reason)
          .catch((failed: Error) =>
            logger.error(
              { err: failed.message, jobId: job.jobId },
              'a request could not be queued nor marked failed',
            ),
          );
      }
      throw err instanceof AppError ? err : new QueueUnavailableError((err as Error).message);
    }
  }
  return { rows, jobIds };
}
