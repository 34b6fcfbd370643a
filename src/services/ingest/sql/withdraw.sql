-- The end of a complete snapshot of run $1 (dataset $2, KLPD $3, fiscal year $4): every live item
-- of that scope the snapshot did not list is marked withdrawn (never deleted), its previous state
-- journalled and its bucket dirty. A key whose row was rejected this time keeps its last good
-- version: it was listed. Runs in the apply's transaction, after merge.sql.
-- Raw SQL: an anti-join over the whole scope with its side writes in one statement.
WITH victims AS (
    SELECT i.id, to_jsonb(i.*) AS previous
    FROM procurement_item i
    WHERE i.dataset = $2
      AND i.klpd_code = $3
      AND i.fiscal_year = $4
      AND i.withdrawn_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM _apply s WHERE s.source_key = i.source_key)
      AND NOT EXISTS (SELECT 1 FROM rejected_row r WHERE r.run_id = $1 AND r.source_key = i.source_key)
), gone AS (
    UPDATE procurement_item i
    SET withdrawn_at = now(), updated_at = now(), last_run_id = $1
    FROM victims v
    WHERE i.id = v.id
    RETURNING i.fiscal_year, i.agency_id, i.item_date
), journal AS (
    INSERT INTO ingest_item_journal (run_id, item_id, action, previous)
    SELECT $1, id, 'WITHDRAWN', previous FROM victims
    RETURNING 1
), dirty AS (
    INSERT INTO kpi_dirty_bucket (fiscal_year, agency_id, month, run_id)
    SELECT DISTINCT fiscal_year, agency_id, EXTRACT(MONTH FROM item_date)::int, $1
    FROM gone
    RETURNING 1
)
SELECT (SELECT count(*) FROM gone)::int AS withdrawn, (SELECT count(*) FROM journal)::int AS journalled
