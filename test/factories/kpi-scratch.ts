// The KPI aggregates computed from scratch over the stored items, written independently of the
// recompute's SQL, and the aggregates a data version holds: tests compare the two.
import { pool } from '../../src/lib/db.js';

export interface AggregateRow {
  key: string;
  values: string;
}

const SCRATCH_AGGREGATES = `
SELECT fiscal_year, m AS month, agency_id, channel::text, vendor_scale::text,
  coalesce(sum(value), 0)::numeric(20,2)::text AS total_value,
  coalesce(sum(pdn_value), 0)::numeric(20,2)::text AS pdn_value,
  coalesce(sum(umk_value), 0)::numeric(20,2)::text AS umk_value,
  count(*) AS item_count,
  sum(CASE WHEN pdn_value IS NULL THEN 1 ELSE 0 END) AS unknown_count,
  sum(CASE WHEN value IS NULL THEN 1 ELSE 0 END) AS unknown_value_count,
  sum(CASE WHEN umk_value IS NULL THEN 1 ELSE 0 END) AS unknown_umk_count,
  coalesce(sum(CASE WHEN pdn_value IS NOT NULL THEN value END), 0)::numeric(20,2)::text AS pdn_share_base,
  coalesce(sum(CASE WHEN value IS NOT NULL THEN pdn_value END), 0)::numeric(20,2)::text AS pdn_share_part,
  coalesce(sum(CASE WHEN umk_value IS NOT NULL THEN value END), 0)::numeric(20,2)::text AS umk_share_base,
  coalesce(sum(CASE WHEN value IS NOT NULL THEN umk_value END), 0)::numeric(20,2)::text AS umk_share_part,
  coalesce(sum(CASE WHEN pdn_value IS NULL THEN value END), 0)::numeric(20,2)::text AS unknown_pdn_amount,
  sum(CASE WHEN suspect THEN 1 ELSE 0 END) AS suspect_count,
  coalesce(sum(CASE WHEN suspect THEN value END), 0)::numeric(20,2)::text AS suspect_value
FROM (
  SELECT *,
    -- docs/kpi.md: PDN above the value, or PDN in (0, 100] on a value of Rp1.000.000 or more.
    coalesce(pdn_value > value OR (pdn_value > 0 AND pdn_value <= 100 AND value >= 1000000), false) AS suspect,
    CASE
      WHEN item_date IS NULL THEN 0
      WHEN date_part('year', item_date) < fiscal_year THEN 1
      WHEN date_part('year', item_date) > fiscal_year THEN 12
      ELSE date_part('month', item_date)::int
    END AS m
  FROM procurement_item
  WHERE kind = 'REALISATION' AND counted = true AND NOT superseded AND withdrawn_at IS NULL
) x
GROUP BY fiscal_year, m, agency_id, channel, vendor_scale`;

const VERSION_AGGREGATES = `
SELECT fiscal_year, month, agency_id, channel::text, vendor_scale::text,
  total_value::text, pdn_value::text, umk_value::text, item_count, unknown_count, unknown_value_count,
  unknown_umk_count, pdn_share_base::text, pdn_share_part::text, umk_share_base::text, umk_share_part::text,
  unknown_pdn_amount::text, suspect_count, suspect_value::text
FROM kpi_aggregate WHERE version_from <= $1 AND (version_to IS NULL OR version_to > $1)`;

const SCRATCH_COMMITMENTS = `
SELECT fiscal_year, agency_id, coalesce(sum(pdn_value), 0)::numeric(20,2)::text AS value,
  count(*) AS package_count, sum(CASE WHEN pdn_value IS NULL THEN 1 ELSE 0 END) AS unknown_count
FROM procurement_item WHERE kind = 'PLAN' AND counted = true AND withdrawn_at IS NULL
GROUP BY fiscal_year, agency_id`;

const VERSION_COMMITMENTS = `
SELECT fiscal_year, agency_id, value::text, package_count, unknown_count
FROM kpi_commitment WHERE version_from <= $1 AND (version_to IS NULL OR version_to > $1) AND package_count > 0`;

function normalise(rows: Record<string, unknown>[], keyFields: string[]): string[] {
  return rows
    .map((r) =>
      Object.entries(r)
        .map(([k, v]) => `${k}=${keyFields.includes(k) ? String(v) : String(Number(v) === 0 ? 0 : v)}`)
        .join(','),
    )
    .sort();
}

export async function scratchAggregates(): Promise<string[]> {
  const { rows } = await pool.query(SCRATCH_AGGREGATES);
  return normalise(rows, ['fiscal_year', 'month', 'agency_id', 'channel', 'vendor_scale']);
}

export async function versionAggregates(version: number): Promise<string[]> {
  const { rows } = await pool.query(VERSION_AGGREGATES, [version]);
  return normalise(rows, ['fiscal_year', 'month', 'agency_id', 'channel', 'vendor_scale']);
}

export async function scratchCommitments(): Promise<string[]> {
  const { rows } = await pool.query(SCRATCH_COMMITMENTS);
  return normalise(rows, ['fiscal_year', 'agency_id']);
}

export async function versionCommitments(version: number): Promise<string[]> {
  const { rows } = await pool.query(VERSION_COMMITMENTS, [version]);
  return normalise(rows, ['fiscal_year', 'agency_id']);
}

/**
 * The current aggregates plus the pending item deltas (what the next incremental recompute will
 * publish), by key; a key that sums to nothing is left out, as a from-scratch computation would.
 */
const PENDING_AGGREGATES = `
SELECT fiscal_year, month, agency_id, channel::text, vendor_scale::text,
  sum(total_value)::numeric(20,2)::text AS total_value, sum(pdn_value)::numeric(20,2)::text AS pdn_value,
  sum(umk_value)::numeric(20,2)::text AS umk_value, sum(item_count) AS item_count, sum(unknown_count) AS unknown_count,
  sum(unknown_value_count) AS unknown_value_count, sum(unknown_umk_count) AS unknown_umk_count,
  sum(pdn_share_base)::numeric(20,2)::text AS pdn_share_base, sum(pdn_share_part)::numeric(20,2)::text AS pdn_share_part,
  sum(umk_share_base)::numeric(20,2)::text AS umk_share_base, sum(umk_share_part)::numeric(20,2)::text AS umk_share_part,
  sum(unknown_pdn_amount)::numeric(20,2)::text AS unknown_pdn_amount, sum(suspect_count) AS suspect_count,
  sum(suspect_value)::numeric(20,2)::text AS suspect_value
FROM (
  SELECT fiscal_year, month, agency_id, channel, vendor_scale, total_value, pdn_value, umk_value, item_count,
    unknown_count, unknown_value_count, unknown_umk_count, pdn_share_base, pdn_share_part, umk_share_base,
    umk_share_part, unknown_pdn_amount, suspect_count, suspect_value
  FROM kpi_aggregate WHERE version_to IS NULL
  UNION ALL
  SELECT fiscal_year, month, agency_id, channel, vendor_scale, total_value, pdn_value, umk_value, item_count,
    unknown_count, unknown_value_count, unknown_umk_count, pdn_share_base, pdn_share_part, umk_share_base,
    umk_share_part, unknown_pdn_amount, suspect_count, suspect_value
  FROM kpi_item_delta
) x
GROUP BY 1, 2, 3, 4, 5
HAVING sum(item_count) <> 0 OR sum(total_value) <> 0 OR sum(pdn_value) <> 0 OR sum(umk_value) <> 0
  OR sum(unknown_count) <> 0 OR sum(unknown_value_count) <> 0 OR sum(unknown_umk_count) <> 0
  OR sum(pdn_share_base) <> 0 OR sum(pdn_share_part) <> 0 OR sum(umk_share_base) <> 0 OR sum(umk_share_part) <> 0
  OR sum(unknown_pdn_amount) <> 0 OR sum(suspect_count) <> 0 OR sum(suspect_value) <> 0`;

const PENDING_COMMITMENTS = `
SELECT fiscal_year, agency_id, sum(value)::numeric(20,2)::text AS value, sum(package_count) AS package_count,
  sum(unknown_count) AS unknown_count
FROM (
  SELECT fiscal_year, agency_id, value, package_count, unknown_count FROM kpi_commitment WHERE version_to IS NULL
  UNION ALL
  SELECT fiscal_year, agency_id, value, package_count, unknown_count FROM kpi_commitment_delta
) x
GROUP BY 1, 2
HAVING sum(package_count) <> 0 OR sum(value) <> 0 OR sum(unknown_count) <> 0`;

/** The aggregates the next incremental recompute starts from: current rows plus pending deltas. */
export async function pendingAggregates(): Promise<string[]> {
  const { rows } = await pool.query(PENDING_AGGREGATES);
  return normalise(rows, ['fiscal_year', 'month', 'agency_id', 'channel', 'vendor_scale']);
}

export async function pendingCommitments(): Promise<string[]> {
  const { rows } = await pool.query(PENDING_COMMITMENTS);
  return normalise(rows, ['fiscal_year', 'agency_id']);
}
