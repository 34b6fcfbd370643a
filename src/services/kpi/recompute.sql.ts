// The recompute's SQL. Raw because it is set-based work over up to millions of items (GROUP BY
// into temporary tables, then a diff against the current aggregate rows) that Prisma cannot
// express; every statement runs inside the one recompute transaction.
import { SUSPECT_SQL } from '../../feed/mapping.js';
import { ACCEPTED_RUNS } from '../ingest/runs.js';

/**
 * The month bucket of an item (alias `i`): its Asia/Jakarta calendar month (item_date is already
 * a Jakarta date), 0 without a date; a date before its fiscal year counts in month 1, after it
 * in month 12, so a year's cumulative series never mixes in another year's calendar.
 */
export const ITEM_MONTH = `CASE
    WHEN i.item_date IS NULL THEN 0
    WHEN i.item_date < make_date(i.fiscal_year, 1, 1) THEN 1
    WHEN i.item_date >= make_date(i.fiscal_year + 1, 1, 1) THEN 12
    ELSE extract(month FROM i.item_date)::int
  END`;

export const CREATE_TEMP_TABLES = `
CREATE TEMPORARY TABLE _kpi_consumed (fiscal_year int NOT NULL, agency_id int, month int, run_id int) ON COMMIT DROP;
CREATE TEMPORARY TABLE _kpi_scope (fiscal_year int NOT NULL, agency_key int NOT NULL, month int NOT NULL) ON COMMIT DROP;
CREATE TEMPORARY TABLE _kpi_fresh_agg (
  fiscal_year int NOT NULL, month int NOT NULL, agency_id int, channel "ProcurementChannel" NOT NULL,
  vendor_scale "VendorScale" NOT NULL,
  total_value numeric NOT NULL, pdn_value numeric NOT NULL, umk_value numeric NOT NULL,
  item_count int NOT NULL, unknown_count int NOT NULL, unknown_value_count int NOT NULL, unknown_umk_count int NOT NULL,
  pdn_share_base numeric NOT NULL, pdn_share_part numeric NOT NULL, umk_share_base numeric NOT NULL, umk_share_part numeric NOT NULL,
  unknown_pdn_amount numeric NOT NULL, suspect_count int NOT NULL, suspect_value numeric NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE _kpi_delta (LIKE _kpi_fresh_agg) ON COMMIT DROP;
CREATE TEMPORARY TABLE _kpi_com_delta (
  fiscal_year int NOT NULL, agency_id int, value numeric NOT NULL, package_count int NOT NULL, unknown_count int NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE _kpi_fresh_com (
  fiscal_year int NOT NULL, agency_id int, value numeric NOT NULL, package_count int NOT NULL,
  unknown_count int NOT NULL, official_value numeric
) ON COMMIT DROP;`;

/**
 * Takes every dirty bucket visible now. Rows that ingest commits later are not seen by this
 * statement and stay for the next recompute; their items may already be read below, which only
 * means the bucket is recomputed once more, never that a change is missed.
 */
export const CONSUME_DIRTY = `
WITH gone AS (DELETE FROM kpi_dirty_bucket RETURNING fiscal_year, agency_id, month, run_id)
INSERT INTO _kpi_consumed SELECT fiscal_year, agency_id, month, run_id FROM gone`;

/** A key whose figures sum to something: one that sums to nothing is as if absent. */
const NONZERO_SUMS = `sum(item_count) <> 0 OR sum(total_value) <> 0 OR sum(pdn_value) <> 0 OR sum(umk_value) <> 0
  OR sum(unknown_count) <> 0 OR sum(unknown_value_count) <> 0 OR sum(unknown_umk_count) <> 0
  OR sum(pdn_share_base) <> 0 OR sum(pdn_share_part) <> 0 OR sum(umk_share_base) <> 0 OR sum(umk_share_part) <> 0
  OR sum(unknown_pdn_amount) <> 0 OR sum(suspect_count) <> 0 OR sum(suspect_value) <> 0`;

/**
 * The buckets to recompute: those the consumed deltas change, and those ingest marked dirty.
 * Ingest marks the calendar month of an item's date (null without a date); the item's bucket is
 * that month, or month 1 or 12 when the date lies outside its fiscal year, so a marked month also
 * covers months 1 and 12 of the same year and agency.
 */
export const SCOPE_FROM_DELTAS = `
INSERT INTO _kpi_scope (fiscal_year, agency_key, month)
SELECT c.fiscal_year, coalesce(c.agency_id, 0), m.month
FROM _kpi_consumed c
CROSS JOIN LATERAL (
  SELECT unnest(CASE WHEN c.month IS NULL OR c.month NOT BETWEEN 1 AND 12 THEN ARRAY[0] ELSE ARRAY[c.month, 1, 12] END) AS month
) m
UNION
SELECT fiscal_year, coalesce(agency_id, 0), month FROM _kpi_delta`;

/**
 * Takes the item deltas visible now (one snapshot), except those of the years $1 (they wait),
 * summed by aggregate key; changes that cancel out are dropped. Deltas that ingest commits later
 * stay for the next recompute.
 */
export const CONSUME_ITEM_DELTAS = `
WITH gone AS (DELETE FROM kpi_item_delta WHERE NOT (fiscal_year = ANY($1::int[])) RETURNING *)
INSERT INTO _kpi_delta
SELECT fiscal_year, month, agency_id, channel, vendor_scale, sum(total_value), sum(pdn_value), sum(umk_value),
  sum(item_count), sum(unknown_count), sum(unknown_value_count), sum(unknown_umk_count), sum(pdn_share_base),
  sum(pdn_share_part), sum(umk_share_base), sum(umk_share_part), sum(unknown_pdn_amount), sum(suspect_count),
  sum(suspect_value)
FROM gone GROUP BY 1, 2, 3, 4, 5
HAVING ${NONZERO_SUMS}`;

/** The same for the plans' deltas, by (fiscal year, agency). */
export const CONSUME_COMMITMENT_DELTAS = `
WITH gone AS (DELETE FROM kpi_commitment_delta WHERE NOT (fiscal_year = ANY($1::int[])) RETURNING *)
INSERT INTO _kpi_com_delta
SELECT fiscal_year, agency_id, sum(value), sum(package_count), sum(unknown_count) FROM gone GROUP BY 1, 2
HAVING sum(value) <> 0 OR sum(package_count) <> 0 OR sum(unknown_count) <> 0`;

/** Full recompute: every bucket that holds items or current aggregate rows. */
export const SCOPE_FULL = `
INSERT INTO _kpi_scope (fiscal_year, agency_key, month)
SELECT i.fiscal_year, coalesce(i.agency_id, 0), ${ITEM_MONTH} FROM procurement_item i
UNION
SELECT fiscal_year, coalesce(agency_id, 0), month FROM kpi_aggregate WHERE version_to IS NULL
UNION
SELECT fiscal_year, coalesce(agency_id, 0), 0 FROM kpi_commitment WHERE version_to IS NULL`;

const AGGREGATE_COLUMNS = `
  coalesce(sum(i.value), 0),
  coalesce(sum(i.pdn_value), 0),
  coalesce(sum(i.umk_value), 0),
  count(*)::int,
  count(*) FILTER (WHERE i.pdn_value IS NULL)::int,
  count(*) FILTER (WHERE i.value IS NULL)::int,
  count(*) FILTER (WHERE i.umk_value IS NULL)::int,
  coalesce(sum(i.value) FILTER (WHERE i.value IS NOT NULL AND i.pdn_value IS NOT NULL), 0),
  coalesce(sum(i.pdn_value) FILTER (WHERE i.value IS NOT NULL AND i.pdn_value IS NOT NULL), 0),
  coalesce(sum(i.value) FILTER (WHERE i.value IS NOT NULL AND i.umk_value IS NOT NULL), 0),
  coalesce(sum(i.umk_value) FILTER (WHERE i.value IS NOT NULL AND i.umk_value IS NOT NULL), 0),
  coalesce(sum(i.value) FILTER (WHERE i.pdn_value IS NULL), 0),
  count(*) FILTER (WHERE ${SUSPECT_SQL})::int,
  coalesce(sum(i.value) FILTER (WHERE ${SUSPECT_SQL}), 0)`;

/**
 * Full recompute: every counted, not withdrawn REALISATION item, except those of the years $1
 * (they wait). The same statement (one snapshot) discards the pending deltas of the years it
 * reads: the items it computes from already hold them.
 */
export const FULL_AGGREGATES = `
WITH discarded AS (DELETE FROM kpi_item_delta WHERE NOT (fiscal_year = ANY($1::int[])))
INSERT INTO _kpi_fresh_agg
SELECT i.fiscal_year, ${ITEM_MONTH}, i.agency_id, i.channel, i.vendor_scale, ${AGGREGATE_COLUMNS}
FROM procurement_item i
WHERE i.kind = 'REALISATION' AND i.counted AND NOT i.superseded AND i.withdrawn_at IS NULL
  AND NOT (i.fiscal_year = ANY($1::int[]))
GROUP BY 1, 2, 3, 4, 5`;

const AGGREGATE_SUMS = `sum(total_value), sum(pdn_value), sum(umk_value), sum(item_count), sum(unknown_count),
  sum(unknown_value_count), sum(unknown_umk_count), sum(pdn_share_base), sum(pdn_share_part), sum(umk_share_base),
  sum(umk_share_part), sum(unknown_pdn_amount), sum(suspect_count), sum(suspect_value)`;
const AGGREGATE_FIGURES = `total_value, pdn_value, umk_value, item_count, unknown_count, unknown_value_count,
  unknown_umk_count, pdn_share_base, pdn_share_part, umk_share_base, umk_share_part, unknown_pdn_amount, suspect_count,
  suspect_value`;

/** The same key as a consumed delta `d` (hashable: no IS NOT DISTINCT FROM). */
const DELTA_KEY = `d.fiscal_year = a.fiscal_year AND d.month = a.month
  AND coalesce(d.agency_id, 0) = coalesce(a.agency_id, 0) AND d.channel = a.channel AND d.vendor_scale = a.vendor_scale`;

/**
 * Incremental recompute: each key the consumed deltas change is its current aggregate plus its
 * deltas, no item read; every other key stays as it is. A key that no longer holds anything is
 * left out, as a computation from the items would not have it.
 */
export const AGGREGATES_FROM_DELTAS = `
INSERT INTO _kpi_fresh_agg
SELECT fiscal_year, month, agency_id, channel, vendor_scale, ${AGGREGATE_SUMS}
FROM (
  SELECT a.fiscal_year, a.month, a.agency_id, a.channel, a.vendor_scale, ${AGGREGATE_FIGURES}
  FROM kpi_aggregate a
  WHERE a.version_to IS NULL AND a.fiscal_year IN (SELECT fiscal_year FROM _kpi_delta)
    AND EXISTS (SELECT 1 FROM _kpi_delta d WHERE ${DELTA_KEY})
  UNION ALL
  SELECT fiscal_year, month, agency_id, channel, vendor_scale, ${AGGREGATE_FIGURES} FROM _kpi_delta
) x
GROUP BY 1, 2, 3, 4, 5
HAVING ${NONZERO_SUMS}`;

/**
 * Rows that no set of items can produce (no item, or a negative count): the deltas and the
 * aggregates are out of step, which only a full recompute mends.
 */
export const IMPOSSIBLE_FRESH_ROWS = `
SELECT (SELECT count(*) FROM _kpi_fresh_agg WHERE item_count <= 0 OR least(unknown_count, unknown_value_count,
    unknown_umk_count, suspect_count) < 0 OR greatest(unknown_count, unknown_value_count, unknown_umk_count,
    suspect_count) > item_count)
  + (SELECT count(*) FROM _kpi_fresh_com WHERE package_count < 0 OR unknown_count < 0 OR unknown_count > package_count
    OR (package_count = 0 AND value <> 0))::int AS n`;

const SAME_AGGREGATE_KEY = `f.fiscal_year = a.fiscal_year AND f.month = a.month
  AND f.agency_id IS NOT DISTINCT FROM a.agency_id AND f.channel = a.channel AND f.vendor_scale = a.vendor_scale`;

/**
 * Closes the current rows that the fresh computation does not reproduce exactly: of the touched
 * years (full), or of the keys the consumed deltas change.
 */
export function closeChangedAggregates(full: boolean): string {
  return `
UPDATE kpi_aggregate a SET version_to = $1
WHERE a.fiscal_year = ANY($2::int[]) AND a.version_to IS NULL
  ${full ? '' : `AND EXISTS (SELECT 1 FROM _kpi_delta d WHERE ${DELTA_KEY})`}
  AND NOT EXISTS (SELECT 1 FROM _kpi_fresh_agg f WHERE ${SAME_AGGREGATE_KEY}
    AND f.total_value = a.total_value AND f.pdn_value = a.pdn_value AND f.umk_value = a.umk_value
    AND f.item_count = a.item_count AND f.unknown_count = a.unknown_count
    AND f.unknown_value_count = a.unknown_value_count AND f.unknown_umk_count = a.unknown_umk_count
    AND f.pdn_share_base = a.pdn_share_base AND f.pdn_share_part = a.pdn_share_part
    AND f.umk_share_base = a.umk_share_base AND f.umk_share_part = a.umk_share_part
    AND f.unknown_pdn_amount = a.unknown_pdn_amount AND f.suspect_count = a.suspect_count
    AND f.suspect_value = a.suspect_value)`;
}

/** Inserts the fresh rows that no current row stands for (after closing, only changed or new ones). */
export const INSERT_NEW_AGGREGATES = `
INSERT INTO kpi_aggregate (version_from, fiscal_year, month, agency_id, channel, vendor_scale, total_value, pdn_value,
  umk_value, item_count, unknown_count, unknown_value_count, unknown_umk_count,
  pdn_share_base, pdn_share_part, umk_share_base, umk_share_part, unknown_pdn_amount, suspect_count, suspect_value)
SELECT $1, f.fiscal_year, f.month, f.agency_id, f.channel, f.vendor_scale, f.total_value, f.pdn_value,
  f.umk_value, f.item_count, f.unknown_count, f.unknown_value_count, f.unknown_umk_count,
  f.pdn_share_base, f.pdn_share_part, f.umk_share_base, f.umk_share_part, f.unknown_pdn_amount, f.suspect_count,
  f.suspect_value
FROM _kpi_fresh_agg f
WHERE NOT EXISTS (SELECT 1 FROM kpi_aggregate a WHERE a.version_to IS NULL AND ${SAME_AGGREGATE_KEY})`;

/**
 * Commitment rows of the touched years ($1): the counted, active plans of each (year, agency),
 * read from the items (full; the same statement discards the years' pending deltas) or taken
 * as the current row plus the consumed deltas; each row takes the official figure that
 * fiscal_target holds now. A pair with no plans and no official figure has no row.
 */
export function freshCommitments(full: boolean): string {
  const computed = full
    ? `discarded AS (DELETE FROM kpi_commitment_delta WHERE fiscal_year = ANY($1::int[])), computed AS (
  SELECT i.fiscal_year, i.agency_id, coalesce(sum(i.pdn_value), 0) AS value, count(*)::int AS package_count,
    count(*) FILTER (WHERE i.pdn_value IS NULL)::int AS unknown_count
  FROM procurement_item i
  WHERE i.kind = 'PLAN' AND i.counted AND i.withdrawn_at IS NULL AND i.fiscal_year = ANY($1::int[])
  GROUP BY 1, 2
)`
    : `computed AS (
  SELECT fiscal_year, agency_id, sum(value) AS value, sum(package_count)::int AS package_count,
    sum(unknown_count)::int AS unknown_count
  FROM (
    SELECT fiscal_year, agency_id, value, package_count, unknown_count
    FROM kpi_commitment WHERE version_to IS NULL AND fiscal_year = ANY($1::int[])
    UNION ALL
    SELECT fiscal_year, agency_id, value, package_count, unknown_count
    FROM _kpi_com_delta WHERE fiscal_year = ANY($1::int[])
  ) x
  GROUP BY 1, 2
)`;
  return `
WITH ${computed}, official AS (
  SELECT fiscal_year, agency_id, official_commitment
  FROM fiscal_target WHERE fiscal_year = ANY($1::int[]) AND official_commitment IS NOT NULL
), k AS (
  SELECT fiscal_year, agency_id FROM computed UNION SELECT fiscal_year, agency_id FROM official
), chosen AS (
  SELECT k.fiscal_year, k.agency_id, coalesce(c.value, 0) AS value, coalesce(c.package_count, 0) AS package_count,
    coalesce(c.unknown_count, 0) AS unknown_count, o.official_commitment AS official_value
  FROM k
  LEFT JOIN computed c ON c.fiscal_year = k.fiscal_year AND c.agency_id IS NOT DISTINCT FROM k.agency_id
  LEFT JOIN official o ON o.fiscal_year = k.fiscal_year AND o.agency_id = k.agency_id
)
INSERT INTO _kpi_fresh_com
SELECT * FROM chosen WHERE package_count <> 0 OR value <> 0 OR unknown_count <> 0 OR official_value IS NOT NULL`;
}

const SAME_COMMITMENT_KEY = 'f.fiscal_year = a.fiscal_year AND f.agency_id IS NOT DISTINCT FROM a.agency_id';

export const CLOSE_CHANGED_COMMITMENTS = `
UPDATE kpi_commitment a SET version_to = $1
WHERE a.fiscal_year = ANY($2::int[]) AND a.version_to IS NULL
  AND NOT EXISTS (SELECT 1 FROM _kpi_fresh_com f WHERE ${SAME_COMMITMENT_KEY}
    AND f.value = a.value AND f.package_count = a.package_count AND f.unknown_count = a.unknown_count
    AND f.official_value IS NOT DISTINCT FROM a.official_value)`;

export const INSERT_NEW_COMMITMENTS = `
INSERT INTO kpi_commitment (version_from, fiscal_year, agency_id, value, package_count, unknown_count, official_value)
SELECT $1, f.fiscal_year, f.agency_id, f.value, f.package_count, f.unknown_count, f.official_value
FROM _kpi_fresh_com f
WHERE NOT EXISTS (SELECT 1 FROM kpi_commitment a WHERE a.version_to IS NULL AND ${SAME_COMMITMENT_KEY})`;

/**
 * The runs a recompute accounts for, with the fiscal years each concerns: its feed source's
 * year, or the years of the dirty buckets it left. A run taken back (reverted) counts as none.
 */
export const RUN_INFO = `
SELECT r.id, r.dataset,
  CASE WHEN r.reverted_at IS NULL THEN r.status::text ELSE 'REVERTED' END AS status, r.as_of, r.trigger::text AS trigger,
  (r.finished_at AT TIME ZONE 'Asia/Jakarta')::date::text AS finished_date, r.finished_at,
  array_remove(array_cat(ARRAY[fs.fiscal_year],
    ARRAY(SELECT DISTINCT c.fiscal_year FROM _kpi_consumed c WHERE c.run_id = r.id)), NULL) AS years
FROM ingest_run r LEFT JOIN feed_source fs ON fs.id = r.source_id
WHERE r.id = ANY($1::int[])
ORDER BY r.finished_at NULLS FIRST, r.id`;

/**
 * Years whose official commitment (fiscal_target, written by admins at any time) differs from
 * the one the current version captured: a recompute picks them up even when no item changed.
 */
export const CHANGED_TARGET_YEARS = `
SELECT t.fiscal_year FROM fiscal_target t
LEFT JOIN kpi_commitment c ON c.version_to IS NULL AND c.fiscal_year = t.fiscal_year AND c.agency_id = t.agency_id
WHERE t.official_commitment IS DISTINCT FROM c.official_value
UNION
SELECT c.fiscal_year FROM kpi_commitment c
WHERE c.version_to IS NULL AND c.official_value IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM fiscal_target t
  WHERE t.fiscal_year = c.fiscal_year AND t.agency_id = c.agency_id AND t.official_commitment IS NOT NULL)`;

/**
 * Per feed source of the years $1 (all years when null): the run whose snapshot its items hold
 * now (the last one to succeed and not taken back) and whether that is its latest snapshot (`latest`) or an older one
 * replayed since (`requested_as_of` is the date asked for). A snapshot stands for the date it was
 * asked as of (replay, backfill), else for the day it was pulled: the feed's current data, newer
 * than any replay of an earlier day whatever date the feed prints on it.
 */
export const SOURCE_STATES = `
WITH runs AS (${ACCEPTED_RUNS}), last AS (
  SELECT DISTINCT ON (source_id) * FROM runs ORDER BY source_id, finished_at DESC NULLS LAST, id DESC
), best AS (
  SELECT source_id, max(data_date) AS data_date FROM runs GROUP BY source_id
)
SELECT l.fiscal_year, l.source_id, l.id AS run_id, to_char(l.as_of, 'YYYY-MM-DD') AS as_of,
  to_char(l.requested_as_of, 'YYYY-MM-DD') AS requested_as_of, l.finished_at,
  (b.data_date IS NULL OR l.data_date >= b.data_date) AS latest,
  EXISTS (SELECT 1 FROM kpi_run_consumed c WHERE c.run_id = l.id) AS consumed
FROM last l JOIN best b USING (source_id)
ORDER BY l.fiscal_year, l.source_id`;

/** Runs that succeeded and that no recompute has accounted for yet. */
export const UNCONSUMED_RUNS = `
SELECT r.id FROM ingest_run r
WHERE r.status = 'SUCCEEDED' AND r.reverted_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM kpi_run_consumed c WHERE c.run_id = r.id)`;

/** Takes the dirty buckets visible now, except those of the years $1 (they wait). */
export const CONSUME_DIRTY_EXCEPT = `
WITH gone AS (DELETE FROM kpi_dirty_bucket WHERE NOT (fiscal_year = ANY($1::int[]))
  RETURNING fiscal_year, agency_id, month, run_id)
INSERT INTO _kpi_consumed SELECT fiscal_year, agency_id, month, run_id FROM gone`;

const AGGREGATE_VALUES = `month, agency_id, channel, vendor_scale, total_value, pdn_value, umk_value, item_count,
  unknown_count, unknown_value_count, unknown_umk_count, pdn_share_base, pdn_share_part, umk_share_base, umk_share_part,
  unknown_pdn_amount, suspect_count, suspect_value`;
const COMMITMENT_VALUES = 'agency_id, value, package_count, unknown_count, official_value';
const validAt = (p: string) => `version_from <= ${p} AND (version_to IS NULL OR version_to > ${p})`;

/**
 * How many aggregate and commitment rows of year $1 differ between versions $2 and $3: zero when
 * the two versions answer the year with the same figures.
 */
export const YEAR_DIFFERENCES = `
SELECT ((
  SELECT count(*) FROM (
    (SELECT ${AGGREGATE_VALUES} FROM kpi_aggregate WHERE fiscal_year = $1 AND ${validAt('$2')}
     EXCEPT ALL SELECT ${AGGREGATE_VALUES} FROM kpi_aggregate WHERE fiscal_year = $1 AND ${validAt('$3')})
    UNION ALL
    (SELECT ${AGGREGATE_VALUES} FROM kpi_aggregate WHERE fiscal_year = $1 AND ${validAt('$3')}
     EXCEPT ALL SELECT ${AGGREGATE_VALUES} FROM kpi_aggregate WHERE fiscal_year = $1 AND ${validAt('$2')})
  ) a) + (
  SELECT count(*) FROM (
    (SELECT ${COMMITMENT_VALUES} FROM kpi_commitment WHERE fiscal_year = $1 AND ${validAt('$2')}
     EXCEPT ALL SELECT ${COMMITMENT_VALUES} FROM kpi_commitment WHERE fiscal_year = $1 AND ${validAt('$3')})
    UNION ALL
    (SELECT ${COMMITMENT_VALUES} FROM kpi_commitment WHERE fiscal_year = $1 AND ${validAt('$3')}
     EXCEPT ALL SELECT ${COMMITMENT_VALUES} FROM kpi_commitment WHERE fiscal_year = $1 AND ${validAt('$2')})
  ) c))::int AS n`;

/** The published live version of year $1: what an answer without a date reads. */
export const CURRENT_LIVE = `
SELECT y.version_id FROM kpi_version_year y JOIN kpi_version v ON v.id = y.version_id
WHERE y.fiscal_year = $1 AND y.live AND v.status = 'PUBLISHED'
ORDER BY y.version_id DESC LIMIT 1`;

/** The first published answer for year $1 as of exactly $2 (what reads for that date forever). */
export const ANSWER_FOR_DATE = `
SELECT y.version_id FROM kpi_version_year y JOIN kpi_version v ON v.id = y.version_id
WHERE y.fiscal_year = $1 AND y.as_of = $2::date AND v.status = 'PUBLISHED'
ORDER BY y.version_id LIMIT 1`;

/** What a reader asking for year $1 as of $2 gets now: the drift rules compare with it. */
export const ANSWER_AS_OF = `
SELECT y.version_id FROM kpi_version_year y JOIN kpi_version v ON v.id = y.version_id
WHERE y.fiscal_year = $1 AND y.as_of <= $2::date AND v.status = 'PUBLISHED'
ORDER BY y.as_of DESC, y.version_id LIMIT 1`;

/** The latest date of the items a file import delivered ($1 run): a file is dated by its data. */
export const FILE_DATA_DATE = `
SELECT to_char(max(item_date), 'YYYY-MM-DD') AS d FROM procurement_item
WHERE last_run_id = $1 AND fiscal_year = $2 AND item_date <= make_date($2, 12, 31)`;
