// After a replay (or any snapshot older than one already applied), the items of a year go back to
// the latest accepted snapshot of every source: the runs applied since that snapshot are taken
// back from the ingest journal, newest first. So a replay only ever publishes its reconstruction
// of its date, and "current" reads the live state again at the next recompute.
import { pool } from '../../lib/db.js';
import { ConflictError, ValidationError } from '../../lib/errors.js';
import { logger } from '../../lib/logger.js';
import { settleSnapshot } from './after-snapshot.js';
import { revertRunItems } from './revert.js';
import { ACCEPTED_RUNS } from './runs.js';

/**
 * Per source: the runs applied after its latest snapshot (by the data's own date, as the recompute
 * sees it, see SOURCE_STATES) and not taken back yet, newest first; with the latest snapshot's run.
 * Years with a replay still queued or running are left alone: that replay is part of a
 * reconstruction in progress.
 */
const STALE_RUNS = `
WITH runs AS (${ACCEPTED_RUNS}), best AS (
  SELECT DISTINCT ON (source_id) source_id, id, finished_at FROM runs
  ORDER BY source_id, data_date DESC, finished_at DESC NULLS LAST, id DESC
)
SELECT r.id, r.fiscal_year, r.dataset, r.klpd_code, b.id AS best_run_id
FROM runs r JOIN best b USING (source_id)
WHERE r.finished_at > b.finished_at
  AND NOT EXISTS (
    SELECT 1 FROM ingest_run q JOIN feed_source qs ON qs.id = q.source_id
    WHERE qs.fiscal_year = r.fiscal_year AND q.status IN ('QUEUED', 'RUNNING') AND q.requested_as_of IS NOT NULL)
ORDER BY r.finished_at DESC, r.id DESC`;

export interface RestoreResult {
  /** Runs taken back (their items returned to the state before them). */
  reverted: number[];
  /** Years whose items hold the latest snapshot of every source again. */
  years: number[];
  /** Years whose items could not all be restored now (a run of a source in progress): retried later. */
  pending: number[];
}

/**
 * Returns the items of the years given (every year when absent) to the latest accepted snapshot
 * of each of their sources. Never throws on a run it cannot take back now: its year stays
 * waiting (nothing of it is published) and the next recompute tries again.
 */
export async function restoreLive(years?: number[]): Promise<RestoreResult> {
  const { rows } = await pool.query<{
    id: number;
    fiscal_year: number;
    dataset: string;
    klpd_code: string;
    best_run_id: number;
  }>(STALE_RUNS, [years ?? null]);
  const reverted: number[] = [];
  const restored = new Set<number>();
  const pending = new Set<number>();
  const settled = new Map<number, { dataset: string; klpd_code: string; fiscal_year: number }>();
  for (const run of rows) {
    if (pending.has(run.fiscal_year)) continue;
    try {
      if ((await revertRunItems(run.id)).reverted) reverted.push(run.id);
      settled.set(run.best_run_id, run);
      restored.add(run.fiscal_year);
    } catch (err) {
      // A later run changed its items, a run of the source is in progress, or it was applied
      // before the item journal existed (it cannot be taken back): the year waits.
      if (!(err instanceof ConflictError || err instanceof ValidationError)) throw err;
      logger.info({ runId: run.id, err: err.message }, 'live state not restored yet; retried later');
      pending.add(run.fiscal_year);
    }
  }
  // What a snapshot settles beyond its rows (addenda, e-Katalog PDN) is decided again over the
  // restored items.
  for (const [runId, scope] of settled) {
    await settleSnapshot(pool, runId, {
      dataset: scope.dataset,
      klpdCode: scope.klpd_code,
      fiscalYears: [scope.fiscal_year],
    });
  }
  for (const year of pending) restored.delete(year);
  if (reverted.length > 0) logger.info({ reverted }, 'items returned to the latest accepted snapshots');
  return { reverted, years: [...restored], pending: [...pending] };
}
