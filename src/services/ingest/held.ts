// An operator's decision on a held snapshot (apply.ts holds one that is empty, shorter than the
// feed announced, or withdraws too much): approve applies it as it was staged, discard drops it.
// Either way the items change only through completeRun, under the source's lock.
import { pool } from '../../lib/db.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { logger } from '../../lib/logger.js';
import { completeRun, dropStaging } from './apply.js';
import { loadRun, type Run, withSourceLock } from './runs.js';

export type HeldDecision = 'APPROVE' | 'DISCARD';

export async function decideHeldRun(
  runId: number,
  decision: HeldDecision,
  note: string | null,
): Promise<Run> {
  const found = await pool.query<Pick<Run, 'sourceId'>>(
    'SELECT source_id AS "sourceId" FROM ingest_run WHERE id = $1',
    [runId],
  );
  if (!found.rows[0]) throw new NotFoundError('IngestRun', runId);
  const sourceId = found.rows[0].sourceId;
  if (sourceId === null) throw new ValidationError('runId', `run ${runId} is a file import, never held`);
  const text = note?.trim() ? note.trim().slice(0, 1000) : null;
  const locked = await withSourceLock(sourceId, async (client) => {
    const run = await loadRun(client, runId);
    if (run.status !== 'HELD') {
      throw new ConflictError(`run ${runId} is ${run.status}, not held: there is nothing to decide`, 'runId');
    }
    if (decision === 'DISCARD') {
      await client.query('BEGIN');
      try {
        await client.query(
          `UPDATE ingest_run SET status = 'CANCELLED', decided_at = now(), decision_note = $2, finished_at = now()
           WHERE id = $1`,
          [runId, text ?? 'discarded by an operator'],
        );
        await dropStaging(client, runId);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      logger.info({ runId }, 'held snapshot discarded');
      return loadRun(client, runId);
    }
    await client.query('UPDATE ingest_run SET decided_at = now(), decision_note = $2 WHERE id = $1', [
      runId,
      text ?? 'approved by an operator',
    ]);
    const source = await client.query<{ key: string }>('SELECT key FROM feed_source WHERE id = $1', [
      sourceId,
    ]);
    const applied = await completeRun(client, await loadRun(client, runId), {
      withdraw: true,
      check: false,
      ...(source.rows[0] ? { source: source.rows[0].key } : {}),
    });
    logger.info(
      { runId, inserted: applied.inserted, withdrawn: applied.withdrawn },
      'held snapshot approved',
    );
    return applied;
  });
  if (!locked.locked) {
    throw new ConflictError(`a run of the source is in progress; decide run ${runId} when it ends`, 'runId');
  }
  return locked.value;
}
