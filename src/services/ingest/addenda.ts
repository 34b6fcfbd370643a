// Contract addenda: an addendum (`apakah_addendum` = 'Ya') is a new no_kontrak for the same
// kd_tender / kd_nontender that replaces the contract it amends. After each complete snapshot of a
// contract dataset, of the current contracts of one tender and one vendor of which one is an
// addendum, all but the latest are marked superseded (not counted); the rule is in docs/kpi.md.
import type pg from 'pg';

export const CONTRACT_DATASETS: ReadonlySet<string> = new Set([
  'tender/tender-ekontrak-kontrak',
  'tender/non-tender-ekontrak-kontrak',
]);

/**
 * Re-decides `superseded` over a (dataset, KLPD, fiscal years) scope; marks the buckets of the
 * items whose flag changed for the KPI recompute. Returns how many changed.
 * Raw SQL: a window over the whole scope with its side writes in one statement.
 */
export async function applyAddenda(
  db: pg.PoolClient | pg.Pool,
  runId: number,
  scope: { dataset: string; klpdCode: string; fiscalYears: number[] },
): Promise<number> {
  if (!CONTRACT_DATASETS.has(scope.dataset) || scope.fiscalYears.length === 0) return 0;
  const { rows } = await db.query<{ changed: number }>(
    // The window reads narrow rows: each item's facts are taken out of its raw JSON first (OFFSET 0
    // keeps that subquery whole), else the sort carries every raw row (1 GB at 10^6 items, on disk).
    `WITH ranked AS (
       SELECT f.id,
         bool_or(f.addendum) OVER w AS amended,
         row_number() OVER (w ORDER BY f.version DESC, f.addendum DESC, f.item_date DESC NULLS LAST,
           f.source_key DESC) AS position
       FROM (
         SELECT i.id, split_part(i.source_key, '/', 1) AS package, i.vendor_code, i.item_date, i.source_key,
           lower(COALESCE(i.raw->>'apakah_addendum', '')) = 'ya' AS addendum,
           CASE WHEN i.raw->>'versi_addendum' ~ '^[0-9]{1,9}$' THEN (i.raw->>'versi_addendum')::int ELSE 0 END
             AS version
         FROM procurement_item i
         WHERE i.dataset = $2 AND i.klpd_code = $3 AND i.fiscal_year = ANY($4::int[]) AND i.withdrawn_at IS NULL
         OFFSET 0
       ) f
       WINDOW w AS (PARTITION BY f.package, f.vendor_code)
     ), changed AS (
       UPDATE procurement_item i SET superseded = (r.amended AND r.position > 1), updated_at = now()
       FROM ranked r
       WHERE i.id = r.id AND i.superseded <> (r.amended AND r.position > 1)
       RETURNING i.fiscal_year, i.agency_id, i.item_date
     ), dirty AS (
       INSERT INTO kpi_dirty_bucket (fiscal_year, agency_id, month, run_id)
       SELECT DISTINCT fiscal_year, agency_id, EXTRACT(MONTH FROM item_date)::int, $1::int FROM changed
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM changed)::int AS changed`,
    [runId, scope.dataset, scope.klpdCode, scope.fiscalYears],
  );
  return rows[0]!.changed;
}
