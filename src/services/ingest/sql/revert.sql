-- Restores the items run $1's apply changed to their state before it: items it inserted (their
-- first_run_id is the run; the journal has no row for them) are deleted, the others get back
-- every column as journalled (to_jsonb of the row). The buckets of the items' current and
-- restored states are marked dirty (run_id null: no snapshot stands behind a revert).
-- Raw SQL: a set-based restore with its side writes.
WITH j AS (
    SELECT item_id, previous FROM ingest_item_journal WHERE run_id = $1
), inserted AS (
    -- first_run_id is written only when an item is inserted (and put back as it was by a revert),
    -- so it also covers the items older runs journalled with a null previous state.
    SELECT i.id, i.fiscal_year, i.agency_id, i.item_date FROM procurement_item i WHERE i.first_run_id = $1
), now_state AS (
    SELECT fiscal_year, agency_id, item_date FROM inserted
    UNION ALL
    SELECT i.fiscal_year, i.agency_id, i.item_date
    FROM procurement_item i JOIN j ON j.item_id = i.id
    WHERE j.previous IS NOT NULL
), removed AS (
    DELETE FROM procurement_item i USING inserted n
    WHERE i.id = n.id
    RETURNING i.id
), restored AS (
    UPDATE procurement_item i SET
        dataset = p.dataset, source_key = p.source_key, kind = p.kind, channel = p.channel,
        fiscal_year = p.fiscal_year, agency_code = p.agency_code, agency_id = p.agency_id,
        klpd_code = p.klpd_code, title = p.title, vendor_code = p.vendor_code,
        vendor_name = p.vendor_name, vendor_npwp = p.vendor_npwp, vendor_scale = p.vendor_scale,
        value = p.value, pdn_value = p.pdn_value, umk_value = p.umk_value, is_pdn = p.is_pdn,
        is_umk = p.is_umk, tkdn = p.tkdn, item_date = p.item_date, status = p.status,
        counted = p.counted, content_hash = p.content_hash, raw = p.raw,
        first_run_id = p.first_run_id, last_run_id = p.last_run_id, withdrawn_at = p.withdrawn_at,
        created_at = p.created_at, updated_at = p.updated_at
    FROM j CROSS JOIN LATERAL jsonb_populate_record(NULL::procurement_item, j.previous) p
    WHERE j.previous IS NOT NULL AND i.id = j.item_id
    RETURNING i.fiscal_year, i.agency_id, i.item_date
), dirty AS (
    INSERT INTO kpi_dirty_bucket (fiscal_year, agency_id, month, run_id)
    SELECT DISTINCT fiscal_year, agency_id, EXTRACT(MONTH FROM item_date)::int, NULL::int
    FROM (
        SELECT fiscal_year, agency_id, item_date FROM now_state
        UNION ALL
        SELECT fiscal_year, agency_id, item_date FROM restored
    ) changed
    RETURNING 1
)
SELECT (SELECT count(*) FROM removed)::int AS removed, (SELECT count(*) FROM restored)::int AS restored
