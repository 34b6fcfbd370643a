-- What applying run $1's snapshot would do to its scope (dataset $2, KLPD $3, fiscal year $4),
-- read before anything is written: the keys it lists, the live items the scope holds now, and
-- how many of them it would withdraw (see withdraw.sql: a key rejected this time stays).
SELECT
    (SELECT count(*) FROM _apply)::int AS keys,
    (SELECT count(*) FROM procurement_item i
     WHERE i.dataset = $2 AND i.klpd_code = $3 AND i.fiscal_year = $4 AND i.withdrawn_at IS NULL)::int AS live,
    (SELECT count(*) FROM procurement_item i
     WHERE i.dataset = $2 AND i.klpd_code = $3 AND i.fiscal_year = $4 AND i.withdrawn_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM _apply s WHERE s.source_key = i.source_key)
       AND NOT EXISTS (SELECT 1 FROM rejected_row r WHERE r.run_id = $1 AND r.source_key = i.source_key)
    )::int AS withdraws
