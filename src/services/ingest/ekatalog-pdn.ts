// e-Katalog realisation is PDN when the order's RUP package is PDN (docs/kpi.md), but LKPP's order
// rows (v5 and v6) do not say it. After each complete snapshot of e-Katalog orders or of RUP plans,
// the orders that carry no status of their own take it from their package (`kd_rup`): PDN / UMK
// value = total_harga when the package is PDN / UKM, 0 when it is not, unknown without a package.
// Orders whose row carries `status_pdn` / `status_ukm` (even null) are left as they say.
import type pg from 'pg';

const EKATALOG = 'ekatalog/paket-e-purchasing';
const RUP = 'rup/paket-penyedia-terumumkan';

export const PACKAGE_DATASETS: ReadonlySet<string> = new Set([EKATALOG, RUP]);

/**
 * Re-derives the PDN and UMK values of a KLPD's e-Katalog orders of the given years from their RUP
 * packages; marks the buckets of the orders that changed. Returns how many changed.
 * Raw SQL: a join over the scope with its side writes in one statement.
 */
export async function joinOrderPackages(
  db: pg.PoolClient | pg.Pool,
  runId: number | null,
  scope: { dataset: string; klpdCode: string; fiscalYears: number[] },
): Promise<number> {
  if (!PACKAGE_DATASETS.has(scope.dataset) || scope.fiscalYears.length === 0) return 0;
  const { rows } = await db.query<{ changed: number }>(
    `WITH target AS (
       SELECT e.id, r.is_pdn, r.is_umk,
         CASE WHEN r.is_pdn IS NULL OR e.value IS NULL THEN NULL WHEN r.is_pdn THEN e.value ELSE 0 END AS pdn,
         CASE WHEN r.is_umk IS NULL OR e.value IS NULL THEN NULL WHEN r.is_umk THEN e.value ELSE 0 END AS umk
       FROM procurement_item e
       LEFT JOIN procurement_item r
         ON r.dataset = $2 AND r.source_key = trim(e.raw->>'kd_rup') AND r.withdrawn_at IS NULL
       WHERE e.dataset = $3 AND e.klpd_code = $4 AND e.fiscal_year = ANY($5::int[])
         -- An order that states its package's status keeps it, also when it states it does not know
         -- (the simulator's rows: status_pdn null); LKPP's rows have no such field.
         AND NOT (e.raw ? 'status_pdn') AND NOT (e.raw ? 'status_ukm')
     ), changed AS (
       UPDATE procurement_item i
       SET pdn_value = t.pdn, umk_value = t.umk, is_pdn = t.is_pdn, is_umk = t.is_umk, updated_at = now()
       FROM target t
       WHERE i.id = t.id
         AND (i.pdn_value, i.umk_value, i.is_pdn, i.is_umk) IS DISTINCT FROM (t.pdn, t.umk, t.is_pdn, t.is_umk)
       RETURNING i.fiscal_year, i.agency_id, i.item_date
     ), dirty AS (
       INSERT INTO kpi_dirty_bucket (fiscal_year, agency_id, month, run_id)
       SELECT DISTINCT fiscal_year, agency_id, EXTRACT(MONTH FROM item_date)::int, $1::int FROM changed
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM changed)::int AS changed`,
    [runId, RUP, EKATALOG, scope.klpdCode, scope.fiscalYears],
  );
  return rows[0]!.changed;
}
