// Undoes one applied run on the items: every item its apply inserted, updated, restored or
// withdrew goes back to its state before that run (from the run's journal, merge.sql and
// withdraw.sql), and the KPI buckets of both states are marked dirty, in one transaction. The KPI
// side (rejecting or rolling back a version) calls this; the recompute that follows publishes it.
import { readFileSync } from 'node:fs';
import { pool } from '../../lib/db.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { INGEST_LOCK_NAMESPACE, type Run } from './runs.js';

const REVERT = readFileSync(new URL('./sql/revert.sql', import.meta.url), 'utf8');

/**
 * The items run $1 changed, each row locked, and whether a later run changed it since: those it
 * inserted (first_run_id, see merge.sql: one range scan) and those it journalled.
 */
const INSERTED = `
SELECT i.last_run_id IS DISTINCT FROM $1 AS later FROM procurement_item i WHERE i.first_run_id = $1 FOR UPDATE`;
const JOURNALLED = `
SELECT i.last_run_id IS DISTINCT FROM $1 AS later
FROM procurement_item i JOIN ingest_item_journal j ON j.item_id = i.id WHERE j.run_id = $1 AND j.previous IS NOT NULL FOR UPDATE OF i`;

export interface RevertResult {
  runId: number;
  /** Items the run had inserted, now deleted. */
  removed: number;
  /** Items the run had updated, restored or withdrawn, now as they were. */
  restored: number;
  /** False when the run had been reverted already (nothing done). */
  reverted: boolean;
}

/**
 * Restores the items `runId` changed to their state before it. Refused (ConflictError) when a
 * later run changed any of them since: revert the later runs first, newest first.
 */
export async function revertRunItems(runId: number): Promise<RevertResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL statement_timeout = 0');
    const { rows } = await client.query<Pick<Run, 'appliedAt' | 'revertedAt' | 'sourceId'>>(
      `SELECT applied_at AS "appliedAt", reverted_at AS "revertedAt", source_id AS "sourceId"
       FROM ingest_run WHERE id = $1 FOR UPDATE`,
      [runId],
    );
    const run = rows[0];
    if (!run) throw new NotFoundError('IngestRun', runId);
    if (run.sourceId !== null) {
      // No run of the source applies meanwhile: its journal would record states this revert changes.
      const { rows: lock } = await client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1, $2) AS ok',
        [INGEST_LOCK_NAMESPACE, run.sourceId],
      );
      if (!lock[0]!.ok) {
        throw new ConflictError(
          `a run of the source is in progress; revert run ${runId} when it ends`,
          'runId',
        );
      }
    }
    if (run.revertedAt !== null) {
      await client.query('ROLLBACK');
      return { runId, removed: 0, restored: 0, reverted: false };
    }
    if (run.appliedAt === null) throw new ValidationError('runId', `run ${runId} never changed any item`);
    // The items' rows are locked so no apply changes them between the check and the restore.
    let later = 0;
    for (const touched of [INSERTED, JOURNALLED]) {
      const { rows: counted } = await client.query<{ n: number }>(
        `SELECT count(*) FILTER (WHERE later)::int AS n FROM (${touched}) locked`,
        [runId],
      );
      later += counted[0]!.n;
    }
    if (later > 0) {
      throw new ConflictError(
        `${later} items run ${runId} changed were changed again by a later run: revert that run first`,
      );
    }
    const result = (await client.query<{ removed: number; restored: number }>(REVERT, [runId])).rows[0]!;
    await client.query('UPDATE ingest_run SET reverted_at = now() WHERE id = $1', [runId]);
    if (run.sourceId !== null) {
      // The source's items hold the snapshot of its previous applied run again (or none).
      await client.query(
        `UPDATE feed_source fs SET last_snapshot_run_id = prev.id, last_snapshot_as_of = prev.as_of
         FROM (SELECT $1::int AS source_id) s
         LEFT JOIN LATERAL (
           SELECT r.id, r.as_of FROM ingest_run r
           WHERE r.source_id = s.source_id AND r.status = 'SUCCEEDED' AND r.applied_at IS NOT NULL
             AND r.reverted_at IS NULL
           ORDER BY r.finished_at DESC NULLS LAST, r.id DESC LIMIT 1
         ) prev ON true
         WHERE fs.id = s.source_id AND fs.last_snapshot_run_id = $2`,
        [run.sourceId, runId],
      );
    }
    await client.query('COMMIT');
    return { runId, removed: result.removed, restored: result.restored, reverted: true };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
