// Revision history of the KPI data versions: what each recompute was built from, what it changed
// per agency and month, the diff between any two, and the admin decisions of publish gating
// (approve or reject a held version, roll the published one back).
import type pg from 'pg';
import { checkCalendarDate } from '../../lib/dates.js';
import { pool } from '../../lib/db.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { logger } from '../../lib/logger.js';
import { kpiRevisionChannel, publishLive } from '../live/pubsub.js';
import type { DriftReason } from './gating.js';
import { announceKpiRefreshed } from './notify.js';
import { type Cents, toCents } from './numbers.js';
import { checkYear } from './read.js';
import { KPI_RECOMPUTE_LOCK, recomputeKpis } from './recompute.js';
import { quarantineRuns, releaseRuns, removeRunEffects } from './run-effects.js';

export type RevisionStatus = 'PUBLISHED' | 'HELD' | 'REJECTED' | 'ROLLED_BACK' | 'SUPERSEDED' | 'UNCHANGED';

export interface Revision {
  version: number;
  status: RevisionStatus;
  reason: string;
  full: boolean;
  /** Ingest runs (snapshots) whose changes it consumed. */
  runIds: number[];
  inputsHash: string | null;
  fiscalYears: number[];
  asOf: string | null;
  touchedBuckets: number;
  startedAt: Date | null;
  createdAt: Date;
  publishedAt: Date | null;
  decidedAt: Date | null;
  decidedBy: string | null;
  decisionNote: string | null;
  heldReasons: DriftReason[];
}

interface RevisionRow {
  id: number;
  status: RevisionStatus;
  reason: string;
  full: boolean;
  run_ids: number[] | null;
  inputs_hash: string | null;
  fiscal_years: number[] | null;
  as_of: string | null;
  touched_buckets: number;
  started_at: Date | null;
  created_at: Date;
  published_at: Date | null;
  decided_at: Date | null;
  decided_by: string | null;
  decision_note: string | null;
  held_reasons: DriftReason[];
}

const COLUMNS = `id, status::text AS status, reason, "full", run_ids, inputs_hash, fiscal_years,
  to_char(as_of, 'YYYY-MM-DD') AS as_of, touched_buckets, started_at, created_at, published_at, decided_at,
  decided_by, decision_note, held_reasons`;

function toRevision(r: RevisionRow): Revision {
  return {
    version: r.id,
    status: r.status,
    reason: r.reason,
    full: r.full,
    runIds: r.run_ids ?? [],
    inputsHash: r.inputs_hash,
    fiscalYears: r.fiscal_years ?? [],
    asOf: r.as_of,
    touchedBuckets: r.touched_buckets,
    startedAt: r.started_at,
    createdAt: r.created_at,
    publishedAt: r.published_at,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
    decisionNote: r.decision_note,
    heldReasons: r.held_reasons,
  };
}

export interface RevisionFilter {
  year?: number | null;
  status?: RevisionStatus | null;
  /** Only versions that answer (or restate) `year` as of exactly this date. */
  asOf?: string | null;
  /** Only versions below this one (paging backwards). */
  before?: number | null;
  limit?: number | null;
}

/**
 * Revisions newest first. Versions recorded only because the stored figures moved back to
 * published ones (UNCHANGED) are left out unless asked for by status.
 */
export async function listRevisions(filter: RevisionFilter = {}): Promise<Revision[]> {
  if (filter.year != null) checkYear(filter.year);
  if (filter.asOf != null) {
    if (filter.year == null) throw new ValidationError('asOf', 'needs a year');
    checkCalendarDate(filter.asOf);
  }
  const limit = filter.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new ValidationError('limit', 'must be between 1 and 100');
  }
  const { rows } = await pool.query<RevisionRow>(
    `SELECT ${COLUMNS} FROM kpi_version
     WHERE ($1::int IS NULL OR $1::int = ANY(fiscal_years))
       AND (CASE WHEN $2::text IS NULL THEN status <> 'UNCHANGED' ELSE status::text = $2::text END)
       AND ($3::int IS NULL OR id < $3::int)
       AND ($5::date IS NULL OR EXISTS (SELECT 1 FROM kpi_version_year y
         WHERE y.version_id = kpi_version.id AND y.fiscal_year = $1::int AND y.as_of = $5::date))
     ORDER BY id DESC LIMIT $4`,
    [filter.year ?? null, filter.status ?? null, filter.before ?? null, limit, filter.asOf ?? null],
  );
  return rows.map(toRevision);
}

export async function getRevision(
  version: number,
  db: pg.ClientBase | pg.Pool = pool,
): Promise<Revision | null> {
  const { rows } = await db.query<RevisionRow>(`SELECT ${COLUMNS} FROM kpi_version WHERE id = $1`, [version]);
  return rows[0] ? toRevision(rows[0]) : null;
}

/** The version readers see now (the newest published one), null before any. */
export async function publishedRevision(): Promise<Revision | null> {
  const { rows } = await pool.query<RevisionRow>(
    `SELECT ${COLUMNS} FROM kpi_version WHERE status = 'PUBLISHED' ORDER BY id DESC LIMIT 1`,
  );
  return rows[0] ? toRevision(rows[0]) : null;
}

// ---------------------------------------------------------------------------------- deltas

export interface Delta {
  year: number;
  agencyId: number | null;
  /** 1–12; 0 for undated items. */
  month: number;
  realisationBefore: Cents;
  realisationAfter: Cents;
  totalValueBefore: Cents;
  totalValueAfter: Cents;
  itemsBefore: number;
  itemsAfter: number;
}

export interface RevisionDiff {
  from: number;
  to: number;
  year: number;
  rows: Delta[];
  realisationBefore: Cents;
  realisationAfter: Cents;
}

/**
 * Per (agency, month) of one year: the aggregate rows valid at version $2 against those valid at
 * $3, only where something differs. Any two versions can be compared, published or not: each
 * version's rows stay readable.
 */
const DIFF = `
WITH rows AS (
  SELECT agency_id, month,
    (version_from <= $2 AND (version_to IS NULL OR version_to > $2)) AS at_from,
    (version_from <= $3 AND (version_to IS NULL OR version_to > $3)) AS at_to,
    pdn_value, total_value, item_count
  FROM kpi_aggregate
  WHERE fiscal_year = $1 AND ($4::int[] IS NULL OR agency_id = ANY($4::int[]))
    AND version_from <= greatest($2, $3) AND (version_to IS NULL OR version_to > least($2, $3))
)
SELECT agency_id, month,
  coalesce(sum(pdn_value) FILTER (WHERE at_from), 0)::text AS pdn_before,
  coalesce(sum(pdn_value) FILTER (WHERE at_to), 0)::text AS pdn_after,
  coalesce(sum(total_value) FILTER (WHERE at_from), 0)::text AS value_before,
  coalesce(sum(total_value) FILTER (WHERE at_to), 0)::text AS value_after,
  coalesce(sum(item_count) FILTER (WHERE at_from), 0)::int AS items_before,
  coalesce(sum(item_count) FILTER (WHERE at_to), 0)::int AS items_after
FROM rows WHERE at_from <> at_to
GROUP BY agency_id, month
ORDER BY agency_id NULLS LAST, month`;

async function versionExists(version: number): Promise<void> {
  if (!Number.isInteger(version) || version < 0)
    throw new ValidationError('version', 'must be a version number');
  if (version === 0) return;
  const { rows } = await pool.query('SELECT 1 FROM kpi_version WHERE id = $1', [version]);
  if (rows.length === 0) throw new NotFoundError('KPI revision', version);
}

/**
 * What moved between two versions in one fiscal year, per agency and month (optionally only of
 * some agencies): "why did this number move?". Version 0 stands for "before any data".
 */
export async function diffRevisions(q: {
  from: number;
  to: number;
  year: number;
  agencyIds?: number[] | null;
}): Promise<RevisionDiff> {
  checkYear(q.year);
  await versionExists(q.from);
  await versionExists(q.to);
  const { rows } = await pool.query<{
    agency_id: number | null;
    month: number;
    pdn_before: string;
    pdn_after: string;
    value_before: string;
    value_after: string;
    items_before: number;
    items_after: number;
  }>(DIFF, [q.year, q.from, q.to, q.agencyIds ?? null]);
  const deltas = rows
    .map((r) => ({
      year: q.year,
      agencyId: r.agency_id,
      month: r.month,
      realisationBefore: toCents(r.pdn_before),
      realisationAfter: toCents(r.pdn_after),
      totalValueBefore: toCents(r.value_before),
      totalValueAfter: toCents(r.value_after),
      itemsBefore: r.items_before,
      itemsAfter: r.items_after,
    }))
    // A row replaced by an identical sum (e.g. split differently by channel) is no change here.
    .filter(
      (d) =>
        d.realisationBefore !== d.realisationAfter ||
        d.totalValueBefore !== d.totalValueAfter ||
        d.itemsBefore !== d.itemsAfter,
    );
  let before = 0n;
  let after = 0n;
  for (const d of deltas) {
    before += d.realisationBefore;
    after += d.realisationAfter;
  }
  return {
    from: q.from,
    to: q.to,
    year: q.year,
    rows: deltas,
    realisationBefore: before,
    realisationAfter: after,
  };
}

/** What one revision changed against the tables just before it, in each year it touched. */
export async function revisionDeltas(version: number, year?: number | null): Promise<Delta[]> {
  const revision = await getRevision(version);
  if (!revision) throw new NotFoundError('KPI revision', version);
  const years = year == null ? revision.fiscalYears : revision.fiscalYears.filter((y) => y === year);
  const out: Delta[] = [];
  for (const y of years) out.push(...(await diffRevisions({ from: version - 1, to: version, year: y })).rows);
  return out;
}

/** One (year, agency, month, channel) bucket whose figures a version changed. */
export interface TouchedBucket {
  year: number;
  agencyId: number | null;
  month: number;
  channel: string;
}

/**
 * The buckets a version changed (aggregate rows it closed or opened), in a stable order, paged by
 * offset. Reads the versioned rows through their (fiscal_year, version_from / version_to) indexes.
 */
export async function revisionBuckets(
  version: number,
  page: { limit?: number | null; offset?: number | null } = {},
): Promise<{ total: number; buckets: TouchedBucket[] }> {
  const limit = page.limit ?? 50;
  const offset = page.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new ValidationError('limit', 'must be 1–500');
  if (!Number.isInteger(offset) || offset < 0) throw new ValidationError('offset', 'must be 0 or more');
  const { rows } = await pool.query<{
    fiscal_year: number;
    agency_id: number | null;
    month: number;
    channel: string;
    total: number;
  }>(
    `WITH b AS (
       SELECT DISTINCT a.fiscal_year, a.agency_id, a.month, a.channel::text AS channel
       FROM kpi_version v JOIN kpi_aggregate a ON a.fiscal_year = ANY(v.fiscal_years)
         AND (a.version_from = v.id OR a.version_to = v.id)
       WHERE v.id = $1
     )
     SELECT *, count(*) OVER ()::int AS total FROM b
     ORDER BY fiscal_year, agency_id NULLS LAST, month, channel LIMIT $2 OFFSET $3`,
    [version, limit, offset],
  );
  const total =
    rows[0]?.total ??
    (
      await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT DISTINCT a.fiscal_year, a.agency_id, a.month, a.channel
         FROM kpi_version v JOIN kpi_aggregate a ON a.fiscal_year = ANY(v.fiscal_years)
           AND (a.version_from = v.id OR a.version_to = v.id) WHERE v.id = $1) b`,
        [version],
      )
    ).rows[0]!.n;
  return {
    total,
    buckets: rows.map((r) => ({
      year: r.fiscal_year,
      agencyId: r.agency_id,
      month: r.month,
      channel: r.channel,
    })),
  };
}

// ------------------------------------------------------------------------------- decisions

export interface Decision {
  /** Who decided (e.g. "api key 3"). */
  by: string | null;
  note?: string | null;
}

/**
 * Runs a decision under the recompute lock, so it never interleaves with a recompute, then
 * announces the published version when it changed.
 */
async function decide(
  run: (client: pg.PoolClient) => Promise<{ revision: number; announce: boolean; quarantined?: number[] }>,
): Promise<Revision> {
  const client = await pool.connect();
  let outcome: { revision: number; announce: boolean; quarantined?: number[] };
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [KPI_RECOMPUTE_LOCK]);
    outcome = await run(client);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  if (outcome.quarantined?.length) await takeRunsBack(outcome.quarantined);
  const revision = (await getRevision(outcome.revision))!;
  const current = outcome.announce ? await publishedRevision() : null;
  if (outcome.announce) {
    await announceKpiRefreshed({
      version: current?.version ?? 0,
      years: revision.fiscalYears,
      asOf: current?.asOf ?? null,
    });
  }
  // An approval is announced above; a rejection or a rollback changes a revision that is not the
  // one now published, and goes to revision subscribers on its own.
  if (current?.version !== outcome.revision)
    await publishLive(kpiRevisionChannel(), { version: outcome.revision });
  return revision;
}

/**
 * Reverts the quarantined runs' item changes, then recomputes at once: a version still held was
 * computed over the items as they were, and approving it would publish the reverted effect; the
 * recompute supersedes it with figures over the items now (or just confirms the published ones).
 * It waits for the recompute lock as the decision did. The decision is committed: a failure here
 * is logged, and the dirty buckets wait for the next recompute.
 */
async function takeRunsBack(runIds: number[]): Promise<void> {
  const { reverted } = await removeRunEffects(runIds);
  if (reverted.length === 0) return;
  await recomputeKpis({ reason: `ingest runs ${reverted.join(', ')} reverted` }).catch((err: Error) =>
    logger.warn(
      { runIds: reverted, err: err.message },
      'runs reverted; the recompute waits for the next one',
    ),
  );
}

async function heldRevision(client: pg.PoolClient, version: number): Promise<Revision> {
  const revision = await getRevision(version, client);
  if (!revision) throw new NotFoundError('KPI revision', version);
  if (revision.status !== 'HELD') {
    throw new ConflictError(`revision ${version} is ${revision.status}, not HELD`, 'version');
  }
  return revision;
}

/**
 * Publishes a held revision as it is (admins): readers see it from now on. Approving figures that
 * hold a quarantined run's effect ends that run's quarantine.
 */
export async function approveRevision(version: number, decision: Decision): Promise<Revision> {
  return decide(async (client) => {
    const held = await heldRevision(client, version);
    await releaseRuns(
      client,
      held.heldReasons.flatMap((r) => (r.rule === 'QUARANTINED_RUN' && r.runId != null ? [r.runId] : [])),
      decision.by,
    );
    await client.query(
      `UPDATE kpi_version SET status = 'PUBLISHED', published_at = now(), decided_at = now(),
         decided_by = $2, decision_note = $3 WHERE id = $1`,
      [version, decision.by, decision.note ?? null],
    );
    logger.info({ version, by: decision.by }, 'kpi revision approved');
    return { revision: version, announce: true };
  });
}

/**
 * Rejects a held revision (admins): it is never published, and its runs are quarantined: while the
 * items hold their snapshots, no recompute of those years is published without an approval.
 */
export async function rejectRevision(version: number, decision: Decision): Promise<Revision> {
  return decide(async (client) => {
    await heldRevision(client, version);
    await client.query(
      `UPDATE kpi_version SET status = 'REJECTED', decided_at = now(), decided_by = $2, decision_note = $3
       WHERE id = $1`,
      [version, decision.by, decision.note ?? null],
    );
    const quarantined = await quarantineRuns(client, version, 'REJECTED');
    logger.info({ version, by: decision.by, quarantined }, 'kpi revision rejected');
    return { revision: version, announce: false, quarantined };
  });
}

/**
 * Takes the published revision back (admins): readers see the previously published one again,
 * exactly, since its rows never changed, and its runs are quarantined like a rejected revision's.
 * Returns the revision rolled back.
 */
export async function rollbackRevision(decision: Decision): Promise<Revision> {
  return decide(async (client) => {
    const { rows } = await client.query<{ id: number }>(
      `SELECT id FROM kpi_version WHERE status = 'PUBLISHED' ORDER BY id DESC LIMIT 2`,
    );
    if (rows.length < 2) throw new ConflictError('there is no earlier published revision to roll back to');
    const version = rows[0]!.id;
    await client.query(
      `UPDATE kpi_version SET status = 'ROLLED_BACK', decided_at = now(), decided_by = $2, decision_note = $3
       WHERE id = $1`,
      [version, decision.by, decision.note ?? null],
    );
    const quarantined = await quarantineRuns(client, version, 'ROLLED_BACK');
    logger.info({ version, restored: rows[1]!.id, by: decision.by, quarantined }, 'kpi revision rolled back');
    return { revision: version, announce: true, quarantined };
  });
}
