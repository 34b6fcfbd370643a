-- Records the batch's keys ($2) as written by run $1 and returns those the run had not seen
-- yet: a key missing from the answer came earlier in the snapshot (a duplicate; the first wins).
-- Committed with the batch, so a resumed run still knows every key it wrote.
INSERT INTO ingest_seen_key (run_id, source_key)
SELECT $1, key FROM unnest($2::text[]) AS key
ON CONFLICT DO NOTHING
RETURNING source_key
