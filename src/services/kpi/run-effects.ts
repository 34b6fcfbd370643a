// What a rejected or rolled-back version's ingest runs did to the items. Until the ingest write
// path can take a run's item changes back, such runs are quarantined: while one is still the run
// whose snapshot its source's items hold, no recompute of its years is published without an
// admin's approval (the recompute holds it, rule QUARANTINED_RUN).
import type pg from 'pg';
import { logger } from '../../lib/logger.js';

/** Quarantines the succeeded runs of `version` (in the decision's transaction). */
export async function quarantineRuns(
  client: pg.ClientBase,
  version: number,
  reason: 'REJECTED' | 'ROLLED_BACK',
): Promise<number[]> {
  const { rows } = await client.query<{ run_id: number }>(
    `INSERT INTO kpi_run_quarantine (run_id, version_id, fiscal_years, reason)
     SELECT r.id, v.id, v.fiscal_years, $2 FROM kpi_version v
     JOIN ingest_run r ON r.id = ANY(v.run_ids) AND r.status = 'SUCCEEDED'
     WHERE v.id = $1
     ON CONFLICT (run_id) DO UPDATE SET version_id = EXCLUDED.version_id, reason = EXCLUDED.reason,
       created_at = now(), released_at = NULL, released_by = NULL
     RETURNING run_id`,
    [version, reason],
  );
  return rows.map((r) => r.run_id);
}

/** The quarantined runs among `runIds` (the runs whose snapshots the items hold now). */
export async function quarantinedAmong(client: pg.ClientBase, runIds: number[]): Promise<number[]> {
  if (runIds.length === 0) return [];
  const { rows } = await client.query<{ run_id: number }>(
    `SELECT run_id FROM kpi_run_quarantine WHERE released_at IS NULL AND run_id = ANY($1::int[]) ORDER BY run_id`,
    [runIds],
  );
  return rows.map((r) => r.run_id);
}

/** An approval of the figures that hold a quarantined run's effect ends its quarantine. */
export async function releaseRuns(client: pg.ClientBase, runIds: number[], by: string | null): Promise<void> {
  if (runIds.length === 0) return;
  await client.query(
    `UPDATE kpi_run_quarantine SET released_at = now(), released_by = $2
     WHERE released_at IS NULL AND run_id = ANY($1::int[])`,
    [runIds, by],
  );
}

/**
 * Takes quarantined runs' item changes back, after the decision committed. The one place to call
 * the ingest write path's revert from (issue 24: `revertRunItems(runId)` in
 * src/services/ingest/revert.ts, which restores each item to its state before the run and marks
 * the buckets dirty); a run reverted that way is then released here. Until that exists the runs
 * stay quarantined and their effect is kept out of every publication by the recompute's gate.
 */
export async function removeRunEffects(runIds: number[]): Promise<{ reverted: number[] }> {
  if (runIds.length > 0) {
    logger.info({ runIds }, 'ingest runs quarantined: their item changes wait for an approval');
  }
  return { reverted: [] };
}
