// Incremental KPI recompute: consumes the item deltas that every write to the items records (a
// trigger, in the writer's transaction) and the dirty buckets that ingest marks, adds the deltas
// to the current aggregate rows of the keys they change, without reading the items, and records
// the result as the next data version, in one transaction; the version is published, or held when
// it breaks a drift rule (gating.ts). A full recompute reads every item. See docs/kpi.md.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { z } from 'zod';
import { calendarDateText } from '../../lib/dates.js';
import { pool } from '../../lib/db.js';
import { ValidationError } from '../../lib/errors.js';
import { logger } from '../../lib/logger.js';
import { restoreLive } from '../ingest/restore-live.js';
import { kpiRevisionChannel, publishLive } from '../live/pubsub.js';
import { checkDrift, type DriftReason, driftRules } from './gating.js';
import { announceKpiRefreshed } from './notify.js';
import * as SQL from './recompute.sql.js';
import { quarantinedAmong } from './run-effects.js';

/** Serialises recomputes across every worker process (any constant shared by them all). */
export const KPI_RECOMPUTE_LOCK = 72_616_010;

/**
 * A publication that inserts more aggregate rows than this, and more than the statistics counted,
 * refreshes the tables' statistics.
 */
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
  /** The published version that holds the figures now, or the version held for an admin. */
  version: number;
  /** How many (fiscal year, agency, month) buckets were recomputed. */
  touchedBuckets: number;
  /**
   * PUBLISHED; HELD for an admin when it breaks a drift rule or holds a quarantined run; UNCHANGED
   * when the figures equal those already published (they are confirmed, nothing is published);
   * absent when there was nothing to recompute.
   */
  status?: 'PUBLISHED' | 'HELD' | 'UNCHANGED';
  /** The drift rules a held version breaks. */
  heldReasons?: DriftReason[];
  /** Fiscal years left waiting: some of their sources were replayed as of another date. */
  waitingYears?: number[];
  /** Replayed runs taken back after it, so the items hold every source's latest snapshot again. */
  restoredRuns?: number[];
}

const inputSchema = z.object({
  reason: z.string().trim().min(1, 'a reason is required').max(500),
  runIds: z.array(z.number().int().positive()).max(10_000).optional(),
  full: z.boolean().optional(),
  asOf: calendarDateText.nullish(),
});

/**
 * A run as the recompute weighs it (RUN_INFO), not an ingest Run: its status reads REVERTED once its
 * items were restored, and it carries the fiscal years it touched and its Asia/Jakarta finish day.
 */
interface RunInfo {
  id: number;
  dataset: string;
  status: string;
  trigger: string;
  as_of: string | null;
  finished_date: string | null;
  finished_at: Date | null;
  years: number[];
}

/**
 * A feed source's standing in a fiscal year (SOURCE_STATES), not an ingest Run: its last applied
 * run's dates, whether that run is the source's latest data and whether a recompute consumed it.
 */
interface SourceState {
  fiscal_year: number;
  source_id: number;
  run_id: number;
  as_of: string | null;
  requested_as_of: string | null;
  finished_at: Date | null;
  latest: boolean;
  consumed: boolean;
}

/**
 * What a fiscal year's items stand for now. LIVE: every source holds its latest snapshot (by the
 * data's own date), so the figures are the current ones. RECONSTRUCTION: every source was replayed
 * as of the same date, and that replay is new: the figures are that date's, published for that
 * date only. WAIT: the sources stand as of different dates (a replay of some of them), or a
 * reconstruction already recorded waits for the sources' live snapshots: nothing of the year is
 * recomputed or published, its dirty buckets stay.
 */
type YearPlan =
  | { kind: 'LIVE'; sources: SourceState[] }
  | { kind: 'RECONSTRUCTION'; asOf: string; sources: SourceState[] }
  | { kind: 'WAIT'; why: string };

export function planYear(sources: SourceState[]): YearPlan {
  if (sources.every((s) => s.latest)) return { kind: 'LIVE', sources };
  const dates = new Set(sources.map((s) => s.requested_as_of));
  const [date] = dates;
  if (dates.size === 1 && date) {
    if (sources.some((s) => !s.consumed)) return { kind: 'RECONSTRUCTION', asOf: date, sources };
    return { kind: 'WAIT', why: `its reconstruction as of ${date} is recorded; the live snapshots are due` };
  }
  return { kind: 'WAIT', why: 'its sources stand as of different dates (some were replayed)' };
}

async function yearPlans(client: pg.PoolClient): Promise<Map<number, YearPlan>> {
  const { rows } = await client.query<SourceState>(SQL.SOURCE_STATES, [null]);
  const byYear = new Map<number, SourceState[]>();
  for (const r of rows) byYear.set(r.fiscal_year, [...(byYear.get(r.fiscal_year) ?? []), r]);
  return new Map([...byYear].map(([year, sources]) => [year, planYear(sources)]));
}

const yearEnd = (year: number) => `${year}-12-31`;
const capToYear = (year: number, date: string | null) =>
  date !== null && date > yearEnd(year) ? yearEnd(year) : date;
const maxDate = (dates: Array<string | null | undefined>) =>
  dates.reduce<string | null>((m, d) => (d && (!m || d > m) ? d : m), null);

/**
 * Recomputes the KPI aggregates touched since the last recompute. A year is touched by its dirty
 * buckets, by the runs behind it (those given, those whose buckets it consumes and every
 * succeeded run no recompute accounted for yet), and by an official commitment that changed.
 * Each touched year is compared with what readers get now for the same question: when it differs
 * it is published (or held by the gate), when it does not the published figures are confirmed
 * and nothing is published. Safe to retry: a repeat finds nothing to do.
 */
export async function recomputeKpis(input: RecomputeInput): Promise<RecomputeResult> {
  const first = await recomputeOnce(input);
  // A replay (or backfill) has published its reconstruction, or was left waiting because it
  // replayed some sources only: either way its snapshot never becomes current. The items return
  // to the latest accepted snapshot of every source, and the live state is recomputed at once.
  const restored = await restoreLive();
  if (restored.reverted.length === 0) return first;
  // The restored years are compared whole with the current figures: the recompute that took
  // their last live snapshots may have published only a reconstruction of an earlier date.
  const again = await recomputeOnce({ reason: `${input.reason}; live state restored` }, restored.years);
  const restoredRuns = { restoredRuns: restored.reverted };
  // The second recompute holds what readers see now (it supersedes a version the first one held).
  if (again.status === 'PUBLISHED' || again.status === 'HELD' || first.status === 'HELD')
    return { ...again, ...restoredRuns };
  const { waitingYears: _waited, ...rest } = first;
  return { ...rest, ...(again.waitingYears ? { waitingYears: again.waitingYears } : {}), ...restoredRuns };
}

async function recomputeOnce(input: RecomputeInput, restoredYears: number[] = []): Promise<RecomputeResult> {
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
    const plans = await yearPlans(client);
    const waiting = [...plans].filter(([, p]) => p.kind === 'WAIT').map(([y]) => y);
    const consumed = (await client.query(SQL.CONSUME_DIRTY_EXCEPT, [waiting])).rowCount ?? 0;
    // A full recompute discards the deltas in the statements that read the items (one snapshot).
    const deltas = full
      ? 0
      : ((await client.query(SQL.CONSUME_ITEM_DELTAS, [waiting])).rowCount ?? 0) +
        ((await client.query(SQL.CONSUME_COMMITMENT_DELTAS, [waiting])).rowCount ?? 0);

    const { rows: consumedRuns } = await client.query<{ run_id: number }>(
      'SELECT DISTINCT run_id FROM _kpi_consumed WHERE run_id IS NOT NULL',
    );
    const { rows: open } = await client.query<{ id: number }>(SQL.UNCONSUMED_RUNS);
    const runIds = [
      ...new Set([...(req.runIds ?? []), ...consumedRuns.map((r) => r.run_id), ...open.map((r) => r.id)]),
    ];
    // A run of a waiting year is accounted for once its year can be recomputed.
    const runs = (await client.query<RunInfo>(SQL.RUN_INFO, [runIds])).rows.filter(
      (r) => !r.years.some((y) => waiting.includes(y)),
    );
    const succeeded = runs.filter((r) => r.status === 'SUCCEEDED');
    const unrecorded = await unrecordedRuns(client, succeeded);
    const targetYears = [
      ...(await client.query<{ fiscal_year: number }>(SQL.CHANGED_TARGET_YEARS)).rows.map(
        (r) => r.fiscal_year,
      ),
      ...restoredYears,
    ].filter((y) => !waiting.includes(y));

    if (!full && consumed === 0 && deltas === 0 && unrecorded.length === 0 && targetYears.length === 0) {
      await client.query('ROLLBACK');
      return {
        version: await publishedVersionId(client),
        touchedBuckets: 0,
        ...(waiting.length ? { waitingYears: waiting } : {}),
      };
    }

    await client.query('SAVEPOINT staged');
    // Staged as HELD until it has been compared and checked below; nobody reads it meanwhile.
    const version = (
      await client.query<{ id: number }>(
        `INSERT INTO kpi_version (reason, "full", started_at, run_ids, status) VALUES ($1, $2, $3, $4, 'HELD')
         RETURNING id`,
        [req.reason, full, startedAt, succeeded.map((r) => r.id)],
      )
    ).rows[0]!.id;
    // A version still held for an admin is superseded by this one, which carries its years and
    // its runs, so its changes are checked (and published or held) again with the new ones.
    const superseded = (
      await client.query<{ fiscal_years: number[] | null; run_ids: number[] | null }>(
        `UPDATE kpi_version SET status = 'SUPERSEDED', decided_at = now(), decision_note = $2
         WHERE status = 'HELD' AND id < $1 RETURNING fiscal_years, run_ids`,
        [version, `superseded by version ${version}`],
      )
    ).rows;
    const pending = superseded.flatMap((r) => r.fiscal_years ?? []).filter((y) => !waiting.includes(y));
    const carriedRuns = superseded.flatMap((r) => r.run_ids ?? []);

    await step('scope', async () => {
      await client.query(full ? SQL.SCOPE_FULL : SQL.SCOPE_FROM_DELTAS);
      if (full && waiting.length) {
        await client.query('DELETE FROM _kpi_scope WHERE fiscal_year = ANY($1::int[])', [waiting]);
      }
    });
    // Temporary tables have no statistics until analysed; the joins below need them.
    await client.query('ANALYZE _kpi_scope');
    const touchedBuckets = Number(
      (await client.query<{ n: string }>('SELECT count(*) AS n FROM _kpi_scope')).rows[0]!.n,
    );
    const years = (await touchedYears(client, full, succeeded, [...targetYears, ...pending])).filter(
      (y) => !waiting.includes(y),
    );

    await step('aggregate', () =>
      full
        ? client.query(SQL.FULL_AGGREGATES, [waiting])
        : client.query('ANALYZE _kpi_delta').then(() => client.query(SQL.AGGREGATES_FROM_DELTAS)),
    );
    await step('commitment', () => client.query(SQL.freshCommitments(full), [years]));
    if (!full) await outOfStep(client);
    await client.query('ANALYZE _kpi_fresh_agg; ANALYZE _kpi_fresh_com');
    const closed = await step('close', () =>
      client.query(SQL.closeChangedAggregates(full), [version, years]),
    );
    const inserted = await step('insert', () => client.query(SQL.INSERT_NEW_AGGREGATES, [version]));
    const closedCom = await step('closeCommitment', () =>
      client.query(SQL.CLOSE_CHANGED_COMMITMENTS, [version, years]),
    );
    const insertedCom = await step('insertCommitment', () =>
      client.query(SQL.INSERT_NEW_COMMITMENTS, [version]),
    );
    const moved =
      (closed.rowCount ?? 0) +
      (inserted.rowCount ?? 0) +
      (closedCom.rowCount ?? 0) +
      (insertedCom.rowCount ?? 0);
    // Right after a first or large publication the tables' statistics still describe the old
    // contents, and the next diff's plan would be chosen as if they were nearly empty. A smaller
    // one leaves them true enough: the planner scales their row counts to the table's size.
    if (full || (await outgrowsStatistics(client, inserted.rowCount ?? 0))) {
      await step('analyze', () => client.query('ANALYZE kpi_aggregate; ANALYZE kpi_commitment'));
    }

    const dataYears = new Set(
      (await client.query<{ fiscal_year: number }>('SELECT DISTINCT fiscal_year FROM _kpi_scope')).rows.map(
        (r) => r.fiscal_year,
      ),
    );
    const outcome = await step('compare', () =>
      compareYears(client, version, years, plans, succeeded, req.asOf ?? null, dataYears),
    );
    const changedYears = outcome.changed.map((c) => c.year);
    const heldReasons =
      changedYears.length === 0
        ? []
        : await step('drift', async () => [
            ...(await checkDrift(
              client,
              version,
              // A superseded held version's runs are checked again with this one's: their changes
              // are carried into it, and must not be published unchecked.
              [...new Set([...succeeded.map((r) => r.id), ...carriedRuns])],
              await driftRules(client),
              new Map(outcome.changed.map((c) => [c.year, c.driftBaseline])),
            )),
            ...(await quarantineReasons(client, outcome.changed)),
          ]);
    const status: 'PUBLISHED' | 'HELD' | 'UNCHANGED' =
      changedYears.length === 0 ? 'UNCHANGED' : heldReasons.length > 0 ? 'HELD' : 'PUBLISHED';
    // Nothing moved and nothing to publish: no version at all, only the confirmation below.
    const kept = status !== 'UNCHANGED' || moved > 0;
    if (!kept) await client.query('ROLLBACK TO SAVEPOINT staged');
    else {
      await client.query(
        `UPDATE kpi_version SET touched_buckets = $2, fiscal_years = $3, as_of = $4, inputs_hash = $5,
           status = $6::"KpiVersionStatus", held_reasons = $7, run_ids = $8,
           published_at = CASE WHEN $6::text = 'PUBLISHED' THEN now() END
         WHERE id = $1`,
        [
          version,
          touchedBuckets,
          status === 'UNCHANGED' ? years : changedYears,
          maxDate(outcome.changed.map((c) => c.asOf)),
          await inputsHash(client, full, runs, req.asOf ?? null),
          status,
          JSON.stringify(heldReasons),
          [...new Set([...succeeded.map((r) => r.id), ...carriedRuns])].sort((a, b) => a - b),
        ],
      );
    }
    await confirm(client, outcome.confirmed);
    await client.query(
      `INSERT INTO kpi_run_consumed (run_id, version_id) SELECT unnest($1::int[]), $2 ON CONFLICT DO NOTHING`,
      [succeeded.map((r) => r.id), kept ? version : null],
    );
    await client.query('COMMIT');
    if (status === 'PUBLISHED') {
      await announceKpiRefreshed({
        version,
        years: changedYears,
        asOf: maxDate(outcome.changed.map((c) => c.asOf)),
      });
    } else if (status === 'HELD') await publishLive(kpiRevisionChannel(), { version });
    logger.info(
      {
        version: kept ? version : null,
        status,
        touchedBuckets,
        years,
        changedYears,
        waitingYears: waiting,
        full,
        reason: req.reason,
        ms: Date.now() - startedAt.getTime(),
        steps,
        ...(heldReasons.length ? { heldReasons: heldReasons.map((r) => r.message) } : {}),
      },
      status === 'PUBLISHED'
        ? 'kpi recompute published a data version'
        : status === 'HELD'
          ? 'kpi recompute held a data version'
          : 'kpi recompute found the published figures unchanged',
    );
    return {
      version: status === 'UNCHANGED' ? await publishedVersionId() : version,
      touchedBuckets,
      status,
      heldReasons,
      ...(waiting.length ? { waitingYears: waiting } : {}),
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

interface YearOutcome {
  year: number;
  asOf: string | null;
  /** The published version a reader of the same question gets now (the drift rules' baseline). */
  driftBaseline: number | null;
  /** The runs whose snapshots the year's items hold. */
  runIds: number[];
}

/**
 * Compares each touched year of `version` with what readers get now for the same question: the
 * current figures for a live year, the answer for the date for a reconstruction. A year that
 * differs gets its provenance row (and is published with the version, or held); one that does not
 * is a confirmation of the published figures.
 */
async function compareYears(
  client: pg.PoolClient,
  version: number,
  years: number[],
  plans: Map<number, YearPlan>,
  runs: RunInfo[],
  override: string | null,
  dataYears: Set<number>,
): Promise<{
  changed: YearOutcome[];
  confirmed: Array<{ version: number; year: number; asOf: string | null }>;
}> {
  const changed: YearOutcome[] = [];
  const confirmed: Array<{ version: number; year: number; asOf: string | null }> = [];
  const one = async (sql: string, params: unknown[]) =>
    (await client.query<{ version_id: number }>(sql, params)).rows[0]?.version_id ?? null;
  for (const year of years) {
    const plan = plans.get(year) ?? { kind: 'LIVE' as const, sources: [] };
    if (plan.kind === 'WAIT') continue;
    const yearRuns = runs.filter((r) => r.years.includes(year));
    // A file dates the figures while its items stand for its source; one a later snapshot of the
    // source replaced (in the same recompute) no longer does.
    const held = (runId: number) => plan.sources.some((s) => s.run_id === runId);
    const files = yearRuns.filter((r) => r.trigger === 'FILE' && (plan.sources.length === 0 || held(r.id)));
    const previous = (
      await client.query<{ as_of: string | null; run_ids: number[] | null; fetched_at: Date | null }>(
        `SELECT to_char(as_of, 'YYYY-MM-DD') AS as_of, run_ids, fetched_at FROM kpi_version_year
         WHERE fiscal_year = $1 ORDER BY version_id DESC LIMIT 1`,
        [year],
      )
    ).rows[0];
    let asOf: string | null;
    let runIds: number[];
    let fetchedAt: Date | null;
    if (plan.kind === 'RECONSTRUCTION') {
      asOf = plan.asOf;
      runIds = plan.sources.map((s) => s.run_id);
      fetchedAt = maxTime(plan.sources.map((s) => s.finished_at));
    } else {
      // A file is dated by its rows (its run's as-of: the rows' date, or the operator's --as-of),
      // never by the day it was imported; one without a date, or without a source, by its latest
      // item date.
      const fileDates: Array<string | null> = [];
      for (const f of files.filter((r) => r.as_of === null || !held(r.id))) {
        fileDates.push(
          (await client.query<{ d: string | null }>(SQL.FILE_DATA_DATE, [f.id, year])).rows[0]?.d ?? null,
        );
      }
      const own = override && (yearRuns.length > 0 || dataYears.has(year)) ? override : null;
      asOf = own ?? maxDate([...plan.sources.map((s) => s.as_of), ...fileDates]) ?? previous?.as_of ?? null;
      runIds =
        plan.sources.length > 0
          ? [...plan.sources.map((s) => s.run_id), ...files.map((f) => f.id)]
          : [...(previous?.run_ids ?? []), ...yearRuns.map((r) => r.id)];
      fetchedAt =
        maxTime([...plan.sources.map((s) => s.finished_at), ...yearRuns.map((r) => r.finished_at)]) ??
        previous?.fetched_at ??
        null;
    }
    asOf = capToYear(year, asOf);
    const live = plan.kind === 'LIVE';
    const compareWith = live
      ? await one(SQL.CURRENT_LIVE, [year])
      : await one(SQL.ANSWER_FOR_DATE, [year, asOf]);
    const differences = (
      await client.query<{ n: number }>(SQL.YEAR_DIFFERENCES, [year, compareWith ?? 0, version])
    ).rows[0]!.n;
    if (compareWith !== null && differences === 0) {
      confirmed.push({ version: compareWith, year, asOf: live ? asOf : null });
      continue;
    }
    await client.query(
      `INSERT INTO kpi_version_year (version_id, fiscal_year, as_of, run_ids, fetched_at, live)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [version, year, asOf, [...new Set(runIds)].sort((a, b) => a - b), fetchedAt, live],
    );
    changed.push({
      year,
      asOf,
      driftBaseline: live ? compareWith : asOf === null ? null : await one(SQL.ANSWER_AS_OF, [year, asOf]),
      runIds,
    });
  }
  return { changed, confirmed };
}

const maxTime = (times: Array<Date | null>) =>
  times.reduce<Date | null>((m, t) => (t && (!m || t > m) ? t : m), null);

/** A pull that changed nothing confirms the published figures: their freshness moves. */
async function confirm(
  client: pg.PoolClient,
  confirmed: Array<{ version: number; year: number; asOf: string | null }>,
): Promise<void> {
  for (const c of confirmed) {
    await client.query(
      `UPDATE kpi_version_year SET confirmed_at = now(),
         confirmed_as_of = CASE WHEN $3::date IS NULL THEN confirmed_as_of
           ELSE greatest(coalesce(confirmed_as_of, as_of), $3::date) END
       WHERE version_id = $1 AND fiscal_year = $2`,
      [c.version, c.year, c.asOf],
    );
  }
}

/** A year whose items still hold a quarantined run's snapshot is published only on approval. */
async function quarantineReasons(client: pg.PoolClient, years: YearOutcome[]): Promise<DriftReason[]> {
  const reasons: DriftReason[] = [];
  for (const y of years) {
    for (const runId of await quarantinedAmong(client, y.runIds)) {
      reasons.push({
        rule: 'QUARANTINED_RUN',
        year: y.year,
        agencyId: null,
        agencyCode: null,
        before: String(runId),
        after: String(runId),
        limit: null,
        runId,
        message: `${y.year}: the items still hold ingest run ${runId}, whose version was rejected or rolled back`,
      });
    }
  }
  return reasons;
}

/** Whether `inserted` new aggregate rows outnumber both the threshold and the rows last analysed. */
async function outgrowsStatistics(client: pg.PoolClient, inserted: number): Promise<boolean> {
  if (inserted <= ANALYZE_AFTER_ROWS) return false;
  const { rows } = await client.query<{ n: number }>(
    `SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'kpi_aggregate'::regclass`,
  );
  return inserted > (rows[0]?.n ?? 0);
}

/**
 * Refuses figures that no set of items can produce: the current aggregates plus the deltas no
 * longer equal the items (something wrote the aggregates or emptied the deltas behind the
 * recompute's back). Nothing is written; a full recompute reads the items and mends it.
 */
async function outOfStep(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ n: number }>(SQL.IMPOSSIBLE_FRESH_ROWS);
  if (rows[0]!.n > 0) {
    throw new Error(
      `${rows[0]!.n} KPI rows computed from the item deltas are impossible (no item or a negative count): the deltas are out of step with the aggregates; run a full recompute`,
    );
  }
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

/** The newest published data version (what readers see), 0 before any. */
export async function publishedVersionId(db: pg.ClientBase | pg.Pool = pool): Promise<number> {
  const { rows } = await db.query<{ id: number | null }>(
    `SELECT max(id) AS id FROM kpi_version WHERE status = 'PUBLISHED'`,
  );
  return rows[0]?.id ?? 0;
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
     WHERE NOT EXISTS (SELECT 1 FROM kpi_run_consumed c WHERE c.run_id = r)`,
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
      : 'SELECT fiscal_year FROM _kpi_scope UNION SELECT fiscal_year FROM _kpi_com_delta',
  );
  const years = new Set([...rows.map((r) => r.fiscal_year), ...targetYears]);
  for (const run of runs) for (const y of run.years) years.add(y);
  return [...years].sort((a, b) => a - b);
}
