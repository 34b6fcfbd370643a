-- Applies run $1's snapshot (_apply, the first staged row of each key) to dataset $2 in one
-- statement: new keys are inserted, keys whose content hash (or resolved agency) changed are
-- updated, a withdrawn key that is back is restored, an identical row is not touched. The
-- previous state of every item it updates or restores is journalled (ingest_item_journal, for
-- revert.ts; an item it inserts is known by its first_run_id instead), and the old and new
-- (fiscal_year, agency_id, month) of every written item are marked dirty for the KPI recompute.
-- The `old` CTE reads the rows as they were before the statement (one snapshot).
-- Raw SQL: a set-based upsert with per-row outcomes and its side writes in one round trip.
WITH staged AS (
    -- The run's staged rows in their stored order, each looked up in _apply by its key (OFFSET 0
    -- keeps the lookup a per-row index probe): a hash join here would hash one side, and the
    -- planner, which has no statistics on a fresh run's staged rows, picked the wide one (every
    -- column and the raw JSON), spilling it to disk at 10^6 rows. Repeats of a key are left out.
    SELECT s.*, a.agency_id
    FROM ingest_stage_row s
    CROSS JOIN LATERAL (
        SELECT a.agency_id FROM _apply a
        WHERE a.source_key = s.source_key AND a.row_number = s.row_number
        OFFSET 0
    ) a
    WHERE s.run_id = $1
), old AS (
    SELECT i.id, i.fiscal_year, i.agency_id, i.item_date, (i.withdrawn_at IS NOT NULL) AS was_withdrawn,
           to_jsonb(i.*) AS previous
    FROM procurement_item i
    JOIN _apply s ON i.dataset = $2 AND i.source_key = s.source_key
    WHERE i.content_hash <> s.content_hash
       OR i.withdrawn_at IS NOT NULL
       OR i.agency_id IS DISTINCT FROM s.agency_id
), written AS (
    INSERT INTO procurement_item AS i (
        dataset, source_key, kind, channel, fiscal_year, agency_code, agency_id, klpd_code, title,
        vendor_code, vendor_name, vendor_npwp, vendor_scale, value, pdn_value, umk_value, is_pdn,
        is_umk, tkdn, item_date, status, counted, content_hash, raw, first_run_id, last_run_id,
        created_at, updated_at
    )
    SELECT
        $2, source_key, kind, channel, fiscal_year, agency_code, agency_id, klpd_code, title,
        vendor_code, vendor_name, vendor_npwp, vendor_scale, value, pdn_value, umk_value, is_pdn,
        is_umk, tkdn, item_date, status, counted, content_hash, raw, $1, $1, now(), now()
    FROM staged
    ON CONFLICT (dataset, source_key) DO UPDATE SET
        kind = EXCLUDED.kind,
        channel = EXCLUDED.channel,
        fiscal_year = EXCLUDED.fiscal_year,
        agency_code = EXCLUDED.agency_code,
        agency_id = EXCLUDED.agency_id,
        klpd_code = EXCLUDED.klpd_code,
        title = EXCLUDED.title,
        vendor_code = EXCLUDED.vendor_code,
        vendor_name = EXCLUDED.vendor_name,
        vendor_npwp = EXCLUDED.vendor_npwp,
        vendor_scale = EXCLUDED.vendor_scale,
        value = EXCLUDED.value,
        pdn_value = EXCLUDED.pdn_value,
        umk_value = EXCLUDED.umk_value,
        is_pdn = EXCLUDED.is_pdn,
        is_umk = EXCLUDED.is_umk,
        tkdn = EXCLUDED.tkdn,
        item_date = EXCLUDED.item_date,
        status = EXCLUDED.status,
        counted = EXCLUDED.counted,
        content_hash = EXCLUDED.content_hash,
        raw = EXCLUDED.raw,
        last_run_id = EXCLUDED.last_run_id,
        withdrawn_at = NULL,
        updated_at = now()
    WHERE i.content_hash <> EXCLUDED.content_hash
       OR i.withdrawn_at IS NOT NULL
       OR i.agency_id IS DISTINCT FROM EXCLUDED.agency_id
    -- xmax is 0 on a freshly inserted row version and set on an updated one.
    RETURNING i.id, (i.xmax = 0) AS inserted, i.fiscal_year, i.agency_id, i.item_date
), journal AS (
    -- An item this run inserted is not journalled: its first_run_id (set only on insert) names the
    -- run, which is all revert.sql needs to delete it, and a row per new item cost seconds per 10^6.
    INSERT INTO ingest_item_journal (run_id, item_id, action, previous)
    SELECT $1, w.id, CASE WHEN o.was_withdrawn THEN 'RESTORED' ELSE 'UPDATED' END, o.previous
    FROM written w JOIN old o ON o.id = w.id
    WHERE NOT w.inserted
    RETURNING 1
), dirty AS (
    INSERT INTO kpi_dirty_bucket (fiscal_year, agency_id, month, run_id)
    SELECT DISTINCT fiscal_year, agency_id, EXTRACT(MONTH FROM item_date)::int, $1
    FROM (
        SELECT fiscal_year, agency_id, item_date FROM old
        UNION ALL
        SELECT fiscal_year, agency_id, item_date FROM written
    ) changed
    RETURNING 1
)
SELECT
    (SELECT count(*) FROM written WHERE inserted)::int AS inserted,
    (SELECT count(*) FROM written WHERE NOT inserted)::int AS updated,
    (SELECT count(*) FROM _apply WHERE agency_id IS NULL)::int AS unknown_agencies,
    (SELECT count(*) FROM journal)::int AS journalled,
    (SELECT count(*) FROM dirty)::int AS dirty_buckets
