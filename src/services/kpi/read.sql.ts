// The KPI reads. Raw because they are grouped sums over the versioned aggregate tables (rows
// valid at one data version), which Prisma's groupBy cannot filter by a version range and sum
// exactly as text. They read aggregates only, never items: their cost does not grow with items.

/**
 * The data version to read for a fiscal year, among PUBLISHED versions (held, rejected, rolled
 * back and unchanged ones are never read). Without a date ($2 null): the newest live one (the
 * latest accepted snapshot of every source), dated by the newest snapshot that confirmed it. As of
 * $2: the year's provenance row with the latest as-of date not after $2, and of several for that
 * date the first published (a later reconstruction of the date is a restatement beside it, read
 * by its version). With $3 (a pinned version) it reads as of that version instead: version $3
 * itself when it holds the year, else the newest version up to $3 that was ever published,
 * whatever became of it later.
 */
export const PICK_VERSION = `
SELECT y.version_id AS version,
  CASE WHEN $2::date IS NULL AND $3::int IS NULL THEN greatest(y.as_of, y.confirmed_as_of) ELSE y.as_of END AS as_of,
  y.run_ids, y.fetched_at, y.confirmed_at, y.live, v.created_at AS recomputed_at
FROM kpi_version_year y JOIN kpi_version v ON v.id = y.version_id
WHERE y.fiscal_year = $1 AND ($2::date IS NULL OR y.as_of <= $2::date)
  AND CASE
    WHEN $3::int IS NOT NULL THEN y.version_id <= $3::int AND v.published_at IS NOT NULL
    WHEN $2::date IS NULL THEN v.status = 'PUBLISHED' AND y.live
    ELSE v.status = 'PUBLISHED' END
ORDER BY y.version_id = $3::int DESC NULLS LAST,
  CASE WHEN $2::date IS NULL AND $3::int IS NULL THEN y.version_id END DESC NULLS LAST,
  y.as_of DESC NULLS LAST,
  CASE WHEN $3::int IS NULL THEN y.version_id END ASC,
  y.version_id DESC
LIMIT 1`;

export type AggregateGroup = 'agency_id' | 'month' | 'channel' | 'vendor_scale';

/** The summed figures of aggregate rows, as `Totals` reads them (read.ts `toTotals`). */
export const AGGREGATE_SUMS = `  coalesce(sum(total_value), 0)::text AS total_value,
  coalesce(sum(pdn_value), 0)::text AS pdn_value,
  coalesce(sum(umk_value), 0)::text AS umk_value,
  coalesce(sum(item_count), 0)::int AS item_count,
  coalesce(sum(unknown_count), 0)::int AS unknown_pdn,
  coalesce(sum(unknown_value_count), 0)::int AS unknown_value,
  coalesce(sum(unknown_umk_count), 0)::int AS unknown_umk,
  coalesce(sum(pdn_share_base), 0)::text AS pdn_share_base,
  coalesce(sum(pdn_share_part), 0)::text AS pdn_share_part,
  coalesce(sum(umk_share_base), 0)::text AS umk_share_base,
  coalesce(sum(umk_share_part), 0)::text AS umk_share_part,
  coalesce(sum(unknown_pdn_amount), 0)::text AS unknown_pdn_amount,
  coalesce(sum(suspect_count), 0)::int AS suspect_count,
  coalesce(sum(suspect_value), 0)::text AS suspect_value`;

/** The snapshots (ingest runs) behind a version's year. */
export const SNAPSHOTS = `
SELECT id, dataset, status::text AS status, as_of, started_at, finished_at
FROM ingest_run WHERE id = ANY($1::int[]) ORDER BY dataset, id`;

export const TARGETS = `
SELECT agency_id, official_commitment::text, pdn_share_target::text, umk_share_target::text
FROM fiscal_target WHERE fiscal_year = $1`;

export const TARGET_PHASES = `
SELECT agency_id, month, cumulative_percent::text
FROM kpi_target_phase WHERE fiscal_year = $1 ORDER BY agency_id NULLS LAST, month`;

/**
 * Everything one KPI answer reads, in one statement: the version that answers (as PICK_VERSION
 * picks it, $1 year, $2 as of, $3 pinned version) with its snapshots, the agencies (all of them:
 * the hierarchy is small), the scope's agency ids ($4 an agency code, null for every item; $5
 * with its sub-units), the aggregates valid at that version summed by each of `groups` (one
 * grouping set each) and, with `cross`, by two keys at once, the scope's commitment rows and the year's targets and target phases.
 * Each part is a JSON value; sums stay text so they are exact.
 */
export function readYear(groups: AggregateGroup[], cross?: { rows: string; columns: string }): string {
  const sets = groups.map((g) => `(${g})`).join(', ');
  const valid = `fiscal_year = $1 AND version_from <= p.version AND (version_to IS NULL OR version_to > p.version)
    AND (ids.ids IS NULL OR agency_id = ANY(ids.ids))`;
  // With `cross` (two key expressions, as text): the sums split by both at once, in key order.
  const crossPart = cross
    ? `(SELECT json_agg(c ORDER BY c.row_key, c.column_key) FROM (
    SELECT ${cross.rows} AS row_key, ${cross.columns} AS column_key,
${AGGREGATE_SUMS}
    FROM kpi_aggregate, pick p, ids WHERE ${valid}
    GROUP BY 1, 2) c)`
    : 'NULL::json';
  const sums = groups.length
    ? `(SELECT json_agg(s) FROM (
    SELECT CASE ${groups.map((g) => `WHEN grouping(${g}) = 0 THEN '${g}'`).join(' ')} END AS grp,
      CASE ${groups.map((g) => `WHEN grouping(${g}) = 0 THEN ${g}::text`).join(' ')} END AS key,
${AGGREGATE_SUMS}
    FROM kpi_aggregate, pick p, ids WHERE ${valid}
    GROUP BY GROUPING SETS (${sets})) s)`
    : 'NULL::json';
  return `
WITH RECURSIVE pick AS (${PICK_VERSION}),
scope(id) AS (
  SELECT id FROM agency WHERE code = $4::text
  UNION
  SELECT a.id FROM agency a JOIN scope s ON a.parent_id = s.id WHERE $5::boolean
),
ids AS (
  SELECT CASE WHEN $4::text IS NULL THEN NULL ELSE coalesce(array_agg(id), '{}') END AS ids FROM scope
)
SELECT
  (SELECT json_build_object('version', p.version, 'as_of', p.as_of, 'run_ids', p.run_ids,
      'fetched_at', p.fetched_at, 'confirmed_at', p.confirmed_at, 'live', p.live,
      'recomputed_at', p.recomputed_at,
      'snapshots', (SELECT json_agg(json_build_object('id', r.id, 'dataset', r.dataset,
          'status', r.status, 'as_of', r.as_of, 'started_at', r.started_at, 'finished_at', r.finished_at)
        ORDER BY r.dataset, r.id) FROM ingest_run r WHERE r.id = ANY(p.run_ids)))
    FROM pick p) AS pick,
  (SELECT json_agg(json_build_object('id', id, 'code', code, 'numericCode', numeric_code, 'name', name,
      'kind', kind, 'klpdCode', klpd_code, 'active', active, 'parentId', parent_id,
      'createdAt', created_at, 'updatedAt', updated_at) ORDER BY code) FROM agency) AS agencies,
  (SELECT ids FROM ids) AS agency_ids,
  ${sums} AS sums,
  ${crossPart} AS cross_sums,
  (SELECT json_agg(json_build_object('agency_id', agency_id, 'value', value::text,
      'package_count', package_count, 'unknown_count', unknown_count, 'official_value', official_value::text))
    FROM kpi_commitment, pick p, ids WHERE ${valid}) AS commitments,
  (SELECT json_agg(t) FROM (${TARGETS}) t) AS targets,
  (SELECT json_agg(t) FROM (${TARGET_PHASES}) t) AS phases`;
}
