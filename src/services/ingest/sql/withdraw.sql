-- The end of a complete snapshot of run $1 (dataset $2, KLPD $3, fiscal year $4): every item of
-- that scope the snapshot did not list is marked withdrawn (never deleted) and its bucket dirty.
-- A key whose row was rejected this time keeps its last good version: it was listed.
-- Raw SQL: an anti-join over the whole scope with its side writes in one statement.
WITH gone AS (
    UPDATE procurement_item i
    SET withdrawn_at = now(), updated_at = now(), last_run_id = $1
    WHERE i.dataset = $2
      AND i.klpd_code = $3
      AND i.fiscal_year = $4
      AND i.withdrawn_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM ingest_seen_key k WHERE k.run_id = $1 AND k.source_key = i.source_key)
      AND NOT EXISTS (SELECT 1 FROM rejected_row r WHERE r.run_id = $1 AND r.source_key = i.source_key)
    RETURNING i.fiscal_year, i.agency_id, i.item_date
), dirty AS (
    INSERT INTO kpi_dirty_bucket (fiscal_year, agency_id, month, run_id)
    SELECT DISTINCT fiscal_year, agency_id, EXTRACT(MONTH FROM item_date)::int, $1
    FROM gone
    RETURNING 1
)
SELECT (SELECT count(*) FROM gone)::int AS withdrawn, (SELECT count(*) FROM dirty)::int AS dirty_buckets
