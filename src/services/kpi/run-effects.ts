// What a rejected or rolled-back version's ingest runs did to the items. Such runs are quarantined
// in the decision's transaction, then their item changes are taken back from the ingest journal;
// while one is still the run whose snapshot its source's items hold (it could not be reverted),
// no recompute of its years is published without an admin's approval (rule QUARANTINED_RUN).
import type pg from 'pg';
import { pool } from '../../lib/db.js';
import { logger } from '../../lib/logger.js';
import { revertRunItems } from '../ingest/revert.js';

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
 * Takes quarantined runs' item changes back, after the decision committed: each run's items
 * return to their state before it (newest run first, the ingest journal's order) and the run is
 * released, since the items no longer hold its snapshot. Never throws: the decision is committed.
 * A run that cannot be reverted (a later run changed the same items, or a run of its source is in
 * progress) stays quarantined: the recompute's gate keeps its effect out of every publication
 * until an admin approves.
 */
export async function removeRunEffects(runIds: number[]): Promise<{ reverted: number[] }> {
  const reverted: number[] = [];
  for (const runId of [...runIds].sort((a, b) => b - a)) {
    try {
      await revertRunItems(runId);
      reverted.push(runId);
    } catch (err) {
      logger.warn(
        { runId, err: (err as Error).message },
        "a quarantined run's item changes could not be taken back; it stays quarantined",
      );
    }
  }
  if (reverted.length > 0) {
    // The decision is committed and answered as such: a run left unreleased only holds its year
    // (QUARANTINED_RUN) until an admin approves, it never publishes a reverted effect.
    try {
      const client = await pool.connect();
      try {
        await releaseRuns(client, reverted, 'reverted');
      } finally {
        client.release();
      }
    } catch (err) {
      logger.warn({ runIds: reverted, err: (err as Error).message }, 'reverted runs could not be released');
    }
  }
  return { reverted };
}
