// Incremental KPI recompute: consumes the dirty (fiscal year, agency, month) buckets that ingest
// marks, recomputes only those buckets from the stored items and records the result as the next
// data version, in one transaction; the version is published, or held when it breaks a drift rule
// (gating.ts). See docs/kpi.md for the version semantics.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { z } from 'zod';
import { pool } from '../../lib/db.js';
import { ValidationError } from '../../lib/errors.js';
import { logger } from '../../lib/logger.js';
import { kpiRevisionChannel, publishLive } from '../live/pubsub.js';
import { checkDrift, type DriftReason, driftRules } from './gating.js';
import { announceKpiRefreshed } from './notify.js';
import * as SQL from './recompute.sql.js';

/** Serialises recomputes across every worker process (any constant shared by them all). */
export const KPI_RECOMPUTE_LOCK = 72_616_010;

/** A publication that inserts more aggregate rows than this refreshes the tables' statistics. */
const ANALYZE_AFTER_ROWS = 5_000;

export interface RecomputeInput {
  /** Why it runs, recorded on the version: e.g. "ingest run 42", "admin". */
  reason: string;
  /** Ingest runs this recompute follows; their snapshot dates become the version's as-of. */
  runIds?: number[];
  /** Recompute every bucket, not only the dirty ones. */
  full?: boolean;
  /** Overrides the as-of date (YYYY-MM-DD) recorded for the years this version touches. */
  asOf?: string | null;
}

export interface RecomputeResult {
  /** The data version that now holds the figures (the previous one when nothing changed). */
  version: number;
  /** How many (fiscal year, agency, month) buckets were recomputed. */
  touchedBuckets: number;
  /** PUBLISHED, or HELD for an admin when it breaks a drift rule (absent when nothing changed). */
  status?: 'PUBLISHED' | 'HELD';
  /** The drift rules a held version breaks. */
  heldReasons?: DriftReason[];
}

const inputSchema = z.object({
  reason: z.string().trim().min(1, 'a reason is required').max(500),
  runIds: z.array(z.number().int().positive()).max(10_000).optional(),
  full: z.boolean().optional(),
  asOf: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'asOf must be a date, YYYY-MM-DD')
    .nullish(),
});

interface RunInfo {
  id: number;
  dataset: string;
  status: string;
  as_of: string | null;
  finished_date: string | null;
  finished_at: Date | null;
  years: number[];
}

interface YearRow {
  as_of: string | null;
  run_ids: number[] | null;
  fetched_at: Date | null;
}

/**
 * Recomputes the KPI aggregates touched since the last recompute and publishes a new data
 * version atomically. A year is touched by its dirty buckets, by the runs given (their snapshot
 * date), and by an official commitment that changed since the current version. Safe to retry: a repeat finds nothing dirty and its runs already recorded,
 * and returns the current version without writing.
 */
export async function recomputeKpis(input: RecomputeInput): Promise<RecomputeResult> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(issue.path.join('.') || 'input', issue.message);
  }
  const req = parsed.data;
  const full = req.full ?? false;
  const startedAt = new Date();
  const steps: Record<string, number> = {};
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await run();
    } finally {
      steps[name] = Math.round(performance.now() - t0);
    }
  };
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // A full recompute over millions of items may outlast the API's statement timeout.
    await client.query('SET LOCAL statement_timeout = 0');
    // Grouping and hashing a million items spills to disk at the default 4 MB.
    await client.query(`SET LOCAL work_mem = '64MB'`);
    await client.query('SELECT pg_advisory_xact_lock($1)', [KPI_RECOMPUTE_LOCK]);
    await client.query(SQL.CREATE_TEMP_TABLES);
    const consumed = (await client.query(SQL.CONSUME_DIRTY)).rowCount ?? 0;

    const { rows: consumedRuns } = await client.query<{ run_id: number }>(
      'SELECT DISTINCT run_id FROM _kpi_consumed WHERE run_id IS NOT NULL',
    );
    const runIds = [...new Set([...(req.runIds ?? []), ...consumedRuns.map((r) => r.run_id)])];
    const runs = (await client.query<RunInfo>(SQL.RUN_INFO, [runIds])).rows;
    const succeeded = runs.filter((r) => r.status === 'SUCCEEDED');
    const unrecorded = await unrecordedRuns(client, succeeded);
    const targetYears = (await client.query<{ fiscal_year: number }>(SQL.CHANGED_TARGET_YEARS)).rows.map(
      (r) => r.fiscal_year,
    );

    if (!full && consumed === 0 && unrecorded.length === 0 && targetYears.length === 0) {
      await client.query('ROLLBACK');
      return { version: await latestVersionId(client), touchedBuckets: 0 };
    }

    // Staged as HELD until the drift rules have been checked below; nobody reads it meanwhile.
    const version = (
      await client.query<{ id: number }>(
        `INSERT INTO kpi_version (reason, "full", started_at, run_ids, status) VALUES ($1, $2, $3, $4, 'HELD')
         RETURNING id`,
        [req.reason, full, startedAt, runs.map((r) => r.id)],
      )
    ).rows[0]!.id;
    // A version still held for an admin is superseded by this one, which carries its years so
    // its changes are checked (and published or held) again, together with the new ones.
    const pending = (
      await client.query<{ fiscal_years: number[] | null }>(
        `UPDATE kpi_version SET status = 'SUPERSEDED', decided_at = now(), decision_note = $2
         WHERE status = 'HELD' AND id < $1 RETURNING fiscal_years`,
        [version, `superseded by version ${version}`],
      )
    ).rows.flatMap((r) => r.fiscal_years ?? []);

    await step('scope', () => client.query(full ? SQL.SCOPE_FULL : SQL.SCOPE_FROM_DIRTY));
    await client.query(SQL.PAIRS_FROM_SCOPE);
    // Temporary tables have no statistics until analysed; the joins below need them.
    await client.query('ANALYZE _kpi_scope; ANALYZE _kpi_pairs');
    const touchedBuckets = Number(
      (await client.query<{ n: string }>('SELECT count(*) AS n FROM _kpi_scope')).rows[0]!.n,
    );
    const years = await touchedYears(client, full, succeeded, [...targetYears, ...pending]);

    const access = full ? 'full' : await itemAccess(client, touchedBuckets);
    await step('aggregate', () => client.query(SQL.freshAggregates(access)));
    await client.query('ANALYZE _kpi_fresh_agg');
    await step('close', () => client.query(SQL.closeChangedAggregates(access === 'full'), [version, years]));
    const inserted = await step('insert', () => client.query(SQL.INSERT_NEW_AGGREGATES, [version]));
    await step('commitment', () => client.query(SQL.freshCommitments(full), [years]));
    await client.query('ANALYZE _kpi_fresh_com');
    await step('closeCommitment', () => client.query(SQL.CLOSE_CHANGED_COMMITMENTS, [version, years]));
    await step('insertCommitment', () => client.query(SQL.INSERT_NEW_COMMITMENTS, [version]));
    // Right after a first or large publication the tables' statistics still describe the old
    // contents, and the next diff's plan would be chosen as if they were nearly empty.
    if (full || (inserted.rowCount ?? 0) > ANALYZE_AFTER_ROWS) {
      await step('analyze', () => client.query('ANALYZE kpi_aggregate; ANALYZE kpi_commitment'));
    }

    const dataYears = new Set(
      (await client.query<{ fiscal_year: number }>('SELECT DISTINCT fiscal_year FROM _kpi_scope')).rows.map(
        (r) => r.fiscal_year,
      ),
    );
    const versionAsOf = await writeVersionYears(
      client,
      version,
      years,
      succeeded,
      req.asOf ?? null,
      dataYears,
    );
    const heldReasons = await step('drift', async () =>
      checkDrift(
        client,
        version,
        succeeded.map((r) => r.id),
        await driftRules(client),
      ),
    );
    const status = heldReasons.length > 0 ? 'HELD' : 'PUBLISHED';
    await client.query(
      `UPDATE kpi_version SET touched_buckets = $2, fiscal_years = $3, as_of = $4, inputs_hash = $5,
         status = $6::"KpiVersionStatus", held_reasons = $7,
         published_at = CASE WHEN $6::text = 'PUBLISHED' THEN now() END
       WHERE id = $1`,
      [
        version,
        touchedBuckets,
        years,
        versionAsOf,
        await inputsHash(client, full, runs, req.asOf ?? null),
        status,
        JSON.stringify(heldReasons),
      ],
    );
    await client.query('COMMIT');
    if (status === 'PUBLISHED') await announceKpiRefreshed({ version, years, asOf: versionAsOf });
    else await publishLive(kpiRevisionChannel(), { version });
    logger.info(
      {
        version,
        status,
        touchedBuckets,
        years,
        full,
        reason: req.reason,
        ms: Date.now() - startedAt.getTime(),
        steps,
        ...(heldReasons.length ? { heldReasons: heldReasons.map((r) => r.message) } : {}),
      },
      status === 'PUBLISHED' ? 'kpi recompute published a data version' : 'kpi recompute held a data version',
    );
    return { version, touchedBuckets, status, heldReasons };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * A delta touching most buckets costs as much as a full recompute, so it is one (every bucket is
 * recomputed and compared, the dirty ones included); a quarter or more reads the items in one
 * sequential scan; a narrower one goes through the index, agency by agency.
 */
async function itemAccess(client: pg.PoolClient, touchedBuckets: number): Promise<SQL.ItemAccess> {
  const { rows } = await client.query<{ n: number }>(SQL.CURRENT_BUCKETS);
  const current = rows[0]!.n;
  if (touchedBuckets * 4 >= current * 3) return 'full';
  return touchedBuckets * 4 >= current ? 'scan' : 'index';
}

/**
 * What the version was computed from: the buckets recomputed, the runs behind it, the as-of
 * override and whether it was full. Two versions with the same hash read the same inputs.
 */
async function inputsHash(
  client: pg.PoolClient,
  full: boolean,
  runs: RunInfo[],
  asOf: string | null,
): Promise<string> {
  const { rows } = await client.query<{ buckets: string | null }>(
    `SELECT string_agg(fiscal_year || ':' || agency_key || ':' || month, ',' ORDER BY fiscal_year, agency_key, month)
       AS buckets FROM _kpi_scope`,
  );
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ full, asOf, runs: runs.map((r) => r.id).sort((a, b) => a - b) }));
  hash.update(rows[0]?.buckets ?? '');
  return hash.digest('hex');
}

/** The newest data version recorded (published or not), 0 before the first recompute. */
export async function latestVersionId(db: pg.ClientBase | pg.Pool = pool): Promise<number> {
  const { rows } = await db.query<{ id: number | null }>('SELECT max(id) AS id FROM kpi_version');
  return rows[0]?.id ?? 0;
}

async function unrecordedRuns(client: pg.PoolClient, runs: RunInfo[]): Promise<RunInfo[]> {
  if (runs.length === 0) return [];
  const { rows } = await client.query<{ id: number }>(
    `SELECT r AS id FROM unnest($1::int[]) r
     WHERE NOT EXISTS (SELECT 1 FROM kpi_version v WHERE r = ANY(v.run_ids))`,
    [runs.map((r) => r.id)],
  );
  const ids = new Set(rows.map((r) => r.id));
  return runs.filter((r) => ids.has(r.id));
}

async function touchedYears(
  client: pg.PoolClient,
  full: boolean,
  runs: RunInfo[],
  targetYears: number[],
): Promise<number[]> {
  const { rows } = await client.query<{ fiscal_year: number }>(
    full
      ? `SELECT fiscal_year FROM _kpi_scope UNION SELECT fiscal_year FROM fiscal_target
         UNION SELECT fiscal_year FROM kpi_commitment WHERE version_to IS NULL`
      : 'SELECT DISTINCT fiscal_year FROM _kpi_scope',
  );
  const years = new Set([...rows.map((r) => r.fiscal_year), ...targetYears]);
  for (const run of runs) for (const y of run.years) years.add(y);
  return [...years].sort((a, b) => a - b);
}

/**
 * Writes each touched year's provenance: the snapshots its figures stand on (the newest run of
 * each dataset, carried over from the year's previous row), their as-of date and fetch time.
 * `dataYears` are the years whose buckets this recompute read.
 * Returns the version's own as-of: that of its newest run (or the override).
 */
async function writeVersionYears(
  client: pg.PoolClient,
  version: number,
  years: number[],
  runs: RunInfo[],
  override: string | null,
  dataYears: Set<number>,
): Promise<string | null> {
  let versionAsOf: string | null = override;
  for (const year of years) {
    const previous = (
      await client.query<YearRow>(
        `SELECT as_of, run_ids, fetched_at FROM kpi_version_year
         WHERE fiscal_year = $1 ORDER BY version_id DESC LIMIT 1`,
        [year],
      )
    ).rows[0];
    const yearRuns = runs.filter((r) => r.years.includes(year));
    const newest = yearRuns.at(-1);
    const byDataset = new Map<string, number>();
    if (previous?.run_ids?.length) {
      const { rows } = await client.query<{ id: number; dataset: string }>(
        'SELECT id, dataset FROM ingest_run WHERE id = ANY($1::int[]) ORDER BY id',
        [previous.run_ids],
      );
      for (const r of rows) byDataset.set(r.dataset, r.id);
    }
    for (const r of yearRuns) byDataset.set(r.dataset, r.id);
    // The override stands for the data recomputed here; a year touched only by a changed
    // official commitment keeps its snapshot date.
    const own = yearRuns.length > 0 || dataYears.has(year) ? override : null;
    const asOf = own ?? newest?.as_of ?? newest?.finished_date ?? previous?.as_of ?? null;
    await client.query(
      `INSERT INTO kpi_version_year (version_id, fiscal_year, as_of, run_ids, fetched_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [
        version,
        year,
        asOf,
        [...byDataset.values()].sort((a, b) => a - b),
        newest?.finished_at ?? previous?.fetched_at ?? null,
      ],
    );
    if (!override && newest) {
      const candidate = newest.as_of ?? newest.finished_date;
      if (candidate && (!versionAsOf || candidate > versionAsOf)) versionAsOf = candidate;
    }
  }
  return versionAsOf;
}
