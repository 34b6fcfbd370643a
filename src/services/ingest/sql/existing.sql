-- The stored state of the batch's keys ($2) of dataset $1: a row whose content hash is the same,
-- that is not withdrawn and whose agency still resolves the same way is unchanged and is not
-- sent to the database at all (most rows of an hourly pull).
SELECT
    i.source_key,
    i.content_hash,
    (i.withdrawn_at IS NULL AND i.agency_id IS NOT DISTINCT FROM a.id) AS current,
    (a.id IS NULL) AS unknown_agency
FROM procurement_item i
LEFT JOIN agency a ON a.code = i.agency_code
WHERE i.dataset = $1 AND i.source_key = ANY($2::text[])
