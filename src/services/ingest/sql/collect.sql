-- The snapshot of run $1 as it will be applied: the first staged row of each natural key (a later
-- repeat is a duplicate), with its agency resolved now. Fills _apply (see apply.ts), which the
-- check, the merge, the withdrawal and the snapshot hash all read: one pass over the staging.
-- Raw SQL: a set-based DISTINCT ON over the whole snapshot.
INSERT INTO _apply (source_key, row_number, content_hash, agency_id)
SELECT DISTINCT ON (s.source_key) s.source_key, s.row_number, s.content_hash, a.id
FROM ingest_stage_row s
LEFT JOIN agency a ON a.code = s.agency_code
WHERE s.run_id = $1
ORDER BY s.source_key, s.row_number
