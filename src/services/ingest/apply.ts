// The end of a run: its staged snapshot, complete, is checked and then applied to the items in ONE
// transaction (merge, withdrawals, journal, dirty KPI buckets, the run's outcome), or held for an
// operator when it looks wrong. Nothing of a run reaches procurement_item before this, so a failed
// or cancelled run changes no item and no recompute can see its rows.
import type pg from 'pg';
import { config } from '../../config/env.js';
import { jakartaToday } from '../../lib/dates.js';
import { ingestRows } from '../../lib/metrics.js';
import { RUN_COLUMNS, type Run } from './runs.js';
import { SQL } from './writer.js';

export interface ApplyScope {
  /** A complete snapshot of a source withdraws what it no longer lists; a file does not. */
  withdraw: boolean;
  /** Check the snapshot before applying it (false: an operator approved it). */
  check: boolean;
  /** The metrics label of what was read: the source key, or "file" for imports. */
  source?: string;
}

const APPLY_TABLE = `CREATE TEMP TABLE _apply (
    source_key TEXT COLLATE "C" PRIMARY KEY, row_number INTEGER NOT NULL, content_hash TEXT NOT NULL, agency_id INTEGER
) ON COMMIT DROP`;

/** Drops a run's staged rows (applied, failed, cancelled or discarded: never applied later). */
export async function dropStaging(db: pg.ClientBase | pg.Pool, runId: number): Promise<void> {
  await db.query('DELETE FROM ingest_stage_row WHERE run_id = $1', [runId]);
}

/**
 * Drops the staged rows of the run being applied, in its apply transaction. When the table holds
 * no other run's rows (the usual case: one snapshot applies at a time, no held or paused run
 * waits), it is emptied with TRUNCATE, which discards its files at commit where a DELETE writes
 * every row's death (8–9 s per 10^6 rows) and leaves them for vacuum. TRUNCATE needs the table
 * alone: it waits at most LOCK_WAIT for that (another run's staging batch is a short
 * transaction, and an autovacuum gives way), else, or when another run's rows are there, the
 * rows are deleted as before. Either way the rows go with the apply's commit, or stay if it fails.
 */
async function dropAppliedStaging(client: pg.PoolClient, runId: number): Promise<void> {
  const { rows } = await client.query<{ wait: string }>(`SELECT current_setting('lock_timeout') AS wait`);
  await client.query('SAVEPOINT drop_staging');
  try {
    await client.query(`SET LOCAL lock_timeout = '${LOCK_WAIT}'`);
    await client.query('LOCK TABLE ingest_stage_row IN ACCESS EXCLUSIVE MODE');
    // Two probes of the primary key (run_id first): no scan of this run's own rows. The ORDER BY
    // keeps them on the index: without it the planner, whose statistics may predate the run's
    // rows, chose a sequential scan that read all 10^6 of them (0.7 s) before finding none.
    const { rowCount } = await client.query(
      `(SELECT 1 FROM ingest_stage_row WHERE run_id < $1 ORDER BY run_id DESC LIMIT 1)
       UNION ALL (SELECT 1 FROM ingest_stage_row WHERE run_id > $1 ORDER BY run_id LIMIT 1)`,
      [runId],
    );
    if (rowCount === 0) {
      await client.query('TRUNCATE ingest_stage_row');
      await client.query(`SELECT set_config('lock_timeout', $1, true)`, [rows[0]!.wait]);
      await client.query('RELEASE SAVEPOINT drop_staging');
      return;
    }
  } catch (err) {
    // Two applies that both read the staging table and then ask for it alone deadlock: PostgreSQL
    // aborts one's request, which then deletes its rows like a run that found the table busy.
    const code = (err as { code?: string }).code;
    if (code !== LOCK_NOT_AVAILABLE && code !== DEADLOCK_DETECTED) throw err;
  }
  // Rolling back to the savepoint also gives the table's lock back to the other runs' writers.
  await client.query('ROLLBACK TO SAVEPOINT drop_staging');
  await client.query('RELEASE SAVEPOINT drop_staging');
  await dropStaging(client, runId);
}

const LOCK_WAIT = '2s';
const LOCK_NOT_AVAILABLE = '55P03';
const DEADLOCK_DETECTED = '40P01';

interface SourceScope {
  id: number;
  fiscal_year: number;
  last_snapshot_as_of: string | null;
}

/** Why a complete snapshot should not be applied without an operator, or null. */
export function holdReason(
  run: Pick<Run, 'fetched' | 'expectedRows' | 'keylessRows' | 'requestedAsOf'>,
  counts: { keys: number; live: number; withdraws: number },
  maxShare: number,
  lastAsOf: string | null,
): string | null {
  if (counts.keys === 0 && counts.live > 0) {
    return `the snapshot is empty, but the source holds ${counts.live} items`;
  }
  if (run.expectedRows !== null && run.fetched < run.expectedRows) {
    return `the snapshot ended after ${run.fetched} of the ${run.expectedRows} rows the feed announced`;
  }
  const withdraws = run.keylessRows > 0 ? 0 : counts.withdraws;
  // A replay of an earlier date than the items stand for withdraws what came later, by design.
  const backInTime = run.requestedAsOf !== null && lastAsOf !== null && run.requestedAsOf < lastAsOf;
  if (!backInTime && counts.live > 0 && withdraws > maxShare * counts.live) {
    const share = ((100 * withdraws) / counts.live).toFixed(1);
    return (
      `the snapshot would withdraw ${withdraws} of the source's ${counts.live} items (${share} %), ` +
      `more than the ${(maxShare * 100).toFixed(1)} % allowed (INGEST_MAX_WITHDRAW_SHARE)`
    );
  }
  return null;
}

/**
 * Applies (or holds) a run whose pages are all staged. The caller holds the source's lock (or,
 * for a file import, owns the run alone).
 */
export async function completeRun(client: pg.PoolClient, run: Run, scope: ApplyScope): Promise<Run> {
  await client.query('BEGIN');
  try {
    // The merge and the withdrawal scan the whole snapshot and scope: no statement timeout.
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query(`SET LOCAL work_mem = '64MB'`);
    // The merge's estimates (CTE row counts) pass JIT's thresholds, and compiling its expressions
    // cost 1.2 s per 10^6 rows for nothing: each runs once per row, not enough to repay it.
    await client.query('SET LOCAL jit = off');
    await client.query(APPLY_TABLE);
    const collected = (await client.query(SQL.collect, [run.id])).rowCount ?? 0;
    await client.query('ANALYZE _apply');
    const staged = (
      await client.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_stage_row WHERE run_id = $1', [
        run.id,
      ])
    ).rows[0]!.n;
    let source: SourceScope | null = null;
    if (run.sourceId !== null) {
      source = (
        await client.query<SourceScope>(
          'SELECT id, fiscal_year, last_snapshot_as_of FROM feed_source WHERE id = $1 FOR UPDATE',
          [run.sourceId],
        )
      ).rows[0]!;
    }
    const withdrawScope = scope.withdraw && source !== null && run.klpdCode !== null;
    if (withdrawScope && scope.check) {
      const counts = (
        await client.query<{ keys: number; live: number; withdraws: number }>(SQL.check, [
          run.id,
          run.dataset,
          run.klpdCode,
          source!.fiscal_year,
        ])
      ).rows[0]!;
      const reason = holdReason(run, counts, config().INGEST_MAX_WITHDRAW_SHARE, source!.last_snapshot_as_of);
      if (reason !== null) {
        // A run whose feed states no as-of date stands as of the pull date in Asia/Jakarta.
        const { rows } = await client.query<Run>(
          `UPDATE ingest_run SET status = 'HELD', held_reason = $2, error = NULL, finished_at = now(),
             as_of = COALESCE(as_of, $3::date)
           WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
          [run.id, reason, jakartaToday()],
        );
        // One held snapshot per source: the newest stands for the source's state.
        await supersedeHeld(client, source!.id, run.id, `superseded by held run ${run.id}`);
        await client.query('COMMIT');
        return rows[0]!;
      }
    }
    const merged = (
      await client.query<{ inserted: number; updated: number; unknown_agencies: number }>(SQL.merge, [
        run.id,
        run.dataset,
      ])
    ).rows[0]!;
    let withdrawn = 0;
    // A row without a key may stand for any stored item: the snapshot then withdraws nothing.
    if (withdrawScope && run.keylessRows === 0) {
      withdrawn = (
        await client.query<{ withdrawn: number }>(SQL.withdraw, [
          run.id,
          run.dataset,
          run.klpdCode,
          source!.fiscal_year,
        ])
      ).rows[0]!.withdrawn;
    }
    // What the snapshot holds, independent of page boundaries: the same data gives the same hash.
    const hash = (
      await client.query<{ hash: string }>(
        `SELECT encode(sha256(convert_to(COALESCE(string_agg(source_key || '=' || content_hash, ','
           ORDER BY source_key), ''), 'UTF8')), 'hex') AS hash FROM _apply`,
      )
    ).rows[0]!.hash;
    await dropAppliedStaging(client, run.id);
    const unchanged = collected - merged.inserted - merged.updated;
    const { rows } = await client.query<Run>(
      `UPDATE ingest_run SET status = 'SUCCEEDED', inserted = $2, updated = $3, unchanged = $4, withdrawn = $5,
         unknown_agencies = $6, duplicates = duplicates + $7, content_hash = $8, finished_at = now(),
         applied_at = now(), error = NULL, as_of = COALESCE(as_of, $9::date)
       WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
      [
        run.id,
        merged.inserted,
        merged.updated,
        unchanged,
        withdrawn,
        merged.unknown_agencies,
        staged - collected,
        hash,
        // A pull without a stated date stands as of the day it ran; a file never as of the day it
        // was imported (without a date in its rows, the recompute dates it by its latest item).
        run.trigger === 'FILE' ? null : jakartaToday(),
      ],
    );
    const finished = rows[0]!;
    if (source !== null) {
      await client.query(
        `UPDATE feed_source SET last_success_at = now(), last_snapshot_as_of = $2::date, last_snapshot_run_id = $3
         WHERE id = $1`,
        [source.id, finished.asOf, run.id],
      );
      await supersedeHeld(client, source.id, run.id, `superseded by applied run ${run.id}`);
    }
    await client.query('COMMIT');
    const count = (outcome: string, n: number) => {
      if (n > 0) ingestRows.inc({ source: scope.source ?? 'file', dataset: run.dataset, outcome }, n);
    };
    count('inserted', merged.inserted);
    count('updated', merged.updated);
    count('unchanged', unchanged);
    // Repeats across batches show only now (those within a batch were counted when staged).
    count('duplicate', staged - collected);
    return finished;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Cancels the source's other held snapshots: a newer one stands for the source now. */
async function supersedeHeld(client: pg.PoolClient, sourceId: number, runId: number, note: string) {
  const { rows } = await client.query<{ id: number }>(
    // A held run finished reading when it was held: finished_at keeps that time, so its history
    // never seems to overlap the run that superseded it (decided_at says when it was dropped).
    `UPDATE ingest_run SET status = 'CANCELLED', decided_at = now(), decision_note = $3,
       finished_at = coalesce(finished_at, now())
     WHERE source_id = $1 AND status = 'HELD' AND id <> $2 RETURNING id`,
    [sourceId, runId, note],
  );
  for (const { id } of rows) await dropStaging(client, id);
}
