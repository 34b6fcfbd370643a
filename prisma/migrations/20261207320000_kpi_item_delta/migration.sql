-- Item deltas for the incremental KPI recompute (issue 14): every statement that writes
-- procurement_item (ingest's merge, withdraw, revert, restore, addenda, agency remaps, e-katalog
-- PDN values, or anything else) appends, in its own transaction, what it took out of each
-- aggregate key and what it put in. A recompute then adds the pending deltas to the current
-- aggregates instead of reading the items again. The invariant: the current aggregates
-- (version_to IS NULL) plus the pending deltas equal a from-scratch computation over the items.
-- The per-item expressions repeat ITEM_MONTH, AGGREGATE_COLUMNS and SUSPECT_SQL of
-- src/services/kpi/recompute.sql.ts and src/feed/mapping.ts; the KPI property tests compare them.

-- CreateTable
CREATE TABLE "kpi_item_delta" (
    "id" BIGSERIAL NOT NULL,
    "fiscal_year" INTEGER NOT NULL,
    "month" INTEGER NOT NULL,
    "agency_id" INTEGER,
    "channel" "ProcurementChannel" NOT NULL,
    "vendor_scale" "VendorScale" NOT NULL,
    "total_value" DECIMAL(20,2) NOT NULL,
    "pdn_value" DECIMAL(20,2) NOT NULL,
    "umk_value" DECIMAL(20,2) NOT NULL,
    "item_count" INTEGER NOT NULL,
    "unknown_count" INTEGER NOT NULL,
    "unknown_value_count" INTEGER NOT NULL,
    "unknown_umk_count" INTEGER NOT NULL,
    "pdn_share_base" DECIMAL(20,2) NOT NULL,
    "pdn_share_part" DECIMAL(20,2) NOT NULL,
    "umk_share_base" DECIMAL(20,2) NOT NULL,
    "umk_share_part" DECIMAL(20,2) NOT NULL,
    "unknown_pdn_amount" DECIMAL(20,2) NOT NULL,
    "suspect_count" INTEGER NOT NULL,
    "suspect_value" DECIMAL(20,2) NOT NULL,

    CONSTRAINT "kpi_item_delta_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kpi_commitment_delta" (
    "id" BIGSERIAL NOT NULL,
    "fiscal_year" INTEGER NOT NULL,
    "agency_id" INTEGER,
    "value" DECIMAL(20,2) NOT NULL,
    "package_count" INTEGER NOT NULL,
    "unknown_count" INTEGER NOT NULL,

    CONSTRAINT "kpi_commitment_delta_pkey" PRIMARY KEY ("id")
);

-- The statement that records the signed contributions of `source`'s rows (columns sign, kind,
-- counted, superseded, withdrawn_at, fiscal_year, item_date, agency_id, channel, vendor_scale,
-- value, pdn_value, umk_value), grouped by aggregate key; keys whose changes cancel out are left out.
CREATE FUNCTION kpi_item_delta_sql(source text) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
SELECT format($q$
WITH realisation AS (
  INSERT INTO kpi_item_delta (fiscal_year, month, agency_id, channel, vendor_scale, total_value, pdn_value,
    umk_value, item_count, unknown_count, unknown_value_count, unknown_umk_count, pdn_share_base, pdn_share_part,
    umk_share_base, umk_share_part, unknown_pdn_amount, suspect_count, suspect_value)
  SELECT * FROM (
    SELECT i.fiscal_year,
      CASE
        WHEN i.item_date IS NULL THEN 0
        WHEN i.item_date < make_date(i.fiscal_year, 1, 1) THEN 1
        WHEN i.item_date >= make_date(i.fiscal_year + 1, 1, 1) THEN 12
        ELSE extract(month FROM i.item_date)::int
      END AS month,
      i.agency_id, i.channel, i.vendor_scale,
      coalesce(sum(i.sign * i.value), 0) AS total_value,
      coalesce(sum(i.sign * i.pdn_value), 0) AS pdn_value,
      coalesce(sum(i.sign * i.umk_value), 0) AS umk_value,
      sum(i.sign)::int AS item_count,
      coalesce(sum(i.sign) FILTER (WHERE i.pdn_value IS NULL), 0)::int AS unknown_count,
      coalesce(sum(i.sign) FILTER (WHERE i.value IS NULL), 0)::int AS unknown_value_count,
      coalesce(sum(i.sign) FILTER (WHERE i.umk_value IS NULL), 0)::int AS unknown_umk_count,
      coalesce(sum(i.sign * i.value) FILTER (WHERE i.value IS NOT NULL AND i.pdn_value IS NOT NULL), 0) AS pdn_share_base,
      coalesce(sum(i.sign * i.pdn_value) FILTER (WHERE i.value IS NOT NULL AND i.pdn_value IS NOT NULL), 0) AS pdn_share_part,
      coalesce(sum(i.sign * i.value) FILTER (WHERE i.value IS NOT NULL AND i.umk_value IS NOT NULL), 0) AS umk_share_base,
      coalesce(sum(i.sign * i.umk_value) FILTER (WHERE i.value IS NOT NULL AND i.umk_value IS NOT NULL), 0) AS umk_share_part,
      coalesce(sum(i.sign * i.value) FILTER (WHERE i.pdn_value IS NULL), 0) AS unknown_pdn_amount,
      coalesce(sum(i.sign) FILTER (WHERE i.value IS NOT NULL AND i.pdn_value IS NOT NULL AND (
        i.pdn_value > i.value OR (i.pdn_value > 0 AND i.pdn_value <= 100 AND i.value >= 1000000))), 0)::int AS suspect_count,
      coalesce(sum(i.sign * i.value) FILTER (WHERE i.value IS NOT NULL AND i.pdn_value IS NOT NULL AND (
        i.pdn_value > i.value OR (i.pdn_value > 0 AND i.pdn_value <= 100 AND i.value >= 1000000))), 0) AS suspect_value
    FROM (%1$s) i
    WHERE i.kind = 'REALISATION' AND i.counted AND NOT i.superseded AND i.withdrawn_at IS NULL
    GROUP BY 1, 2, 3, 4, 5
  ) d
  WHERE d.item_count <> 0 OR d.total_value <> 0 OR d.pdn_value <> 0 OR d.umk_value <> 0 OR d.unknown_count <> 0
    OR d.unknown_value_count <> 0 OR d.unknown_umk_count <> 0 OR d.pdn_share_base <> 0 OR d.pdn_share_part <> 0
    OR d.umk_share_base <> 0 OR d.umk_share_part <> 0 OR d.unknown_pdn_amount <> 0 OR d.suspect_count <> 0
    OR d.suspect_value <> 0
  RETURNING 1
)
INSERT INTO kpi_commitment_delta (fiscal_year, agency_id, value, package_count, unknown_count)
SELECT * FROM (
  SELECT i.fiscal_year, i.agency_id, coalesce(sum(i.sign * i.pdn_value), 0) AS value,
    sum(i.sign)::int AS package_count,
    coalesce(sum(i.sign) FILTER (WHERE i.pdn_value IS NULL), 0)::int AS unknown_count
  FROM (%1$s) i
  WHERE i.kind = 'PLAN' AND i.counted AND i.withdrawn_at IS NULL
  GROUP BY 1, 2
) d
WHERE d.value <> 0 OR d.package_count <> 0 OR d.unknown_count <> 0
$q$, source)
$fn$;

-- Records the current aggregates taken out: with the items' contributions put in, the deltas
-- bring the aggregates to what the items hold.
CREATE FUNCTION kpi_item_delta_minus_current() RETURNS void LANGUAGE sql AS $fn$
INSERT INTO kpi_item_delta (fiscal_year, month, agency_id, channel, vendor_scale, total_value, pdn_value, umk_value,
  item_count, unknown_count, unknown_value_count, unknown_umk_count, pdn_share_base, pdn_share_part, umk_share_base,
  umk_share_part, unknown_pdn_amount, suspect_count, suspect_value)
SELECT fiscal_year, month, agency_id, channel, vendor_scale, -total_value, -pdn_value, -umk_value, -item_count,
  -unknown_count, -unknown_value_count, -unknown_umk_count, -pdn_share_base, -pdn_share_part, -umk_share_base,
  -umk_share_part, -unknown_pdn_amount, -suspect_count, -suspect_value
FROM kpi_aggregate WHERE version_to IS NULL;
INSERT INTO kpi_commitment_delta (fiscal_year, agency_id, value, package_count, unknown_count)
SELECT fiscal_year, agency_id, -value, -package_count, -unknown_count
FROM kpi_commitment WHERE version_to IS NULL AND (value <> 0 OR package_count <> 0 OR unknown_count <> 0);
$fn$;

CREATE FUNCTION kpi_record_item_delta() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cols CONSTANT text := 'kind, counted, superseded, withdrawn_at, fiscal_year, item_date, agency_id, channel, '
    'vendor_scale, value, pdn_value, umk_value';
BEGIN
  EXECUTE kpi_item_delta_sql(CASE TG_OP
    WHEN 'INSERT' THEN format('SELECT 1 AS sign, %s FROM kpi_new_items', cols)
    WHEN 'DELETE' THEN format('SELECT -1 AS sign, %s FROM kpi_old_items', cols)
    ELSE format('SELECT -1 AS sign, %1$s FROM kpi_old_items UNION ALL SELECT 1, %1$s FROM kpi_new_items', cols)
  END);
  RETURN NULL;
END
$$;

-- Emptied items hold nothing: the deltas become the current aggregates taken out.
CREATE FUNCTION kpi_items_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM kpi_item_delta;
  DELETE FROM kpi_commitment_delta;
  PERFORM kpi_item_delta_minus_current();
  RETURN NULL;
END
$$;

-- One trigger per event: a trigger with transition tables takes a single event.
CREATE TRIGGER "procurement_item_kpi_delta_insert" AFTER INSERT ON "procurement_item"
  REFERENCING NEW TABLE AS kpi_new_items FOR EACH STATEMENT EXECUTE FUNCTION kpi_record_item_delta();
CREATE TRIGGER "procurement_item_kpi_delta_update" AFTER UPDATE ON "procurement_item"
  REFERENCING OLD TABLE AS kpi_old_items NEW TABLE AS kpi_new_items
  FOR EACH STATEMENT EXECUTE FUNCTION kpi_record_item_delta();
CREATE TRIGGER "procurement_item_kpi_delta_delete" AFTER DELETE ON "procurement_item"
  REFERENCING OLD TABLE AS kpi_old_items FOR EACH STATEMENT EXECUTE FUNCTION kpi_record_item_delta();
CREATE TRIGGER "procurement_item_kpi_delta_truncate" AFTER TRUNCATE ON "procurement_item"
  FOR EACH STATEMENT EXECUTE FUNCTION kpi_items_truncated();

-- The items already stored, less the aggregates already computed: the invariant holds from here.
DO $$
BEGIN
  EXECUTE kpi_item_delta_sql('SELECT 1 AS sign, kind, counted, superseded, withdrawn_at, fiscal_year, item_date, '
    'agency_id, channel, vendor_scale, value, pdn_value, umk_value FROM procurement_item');
  PERFORM kpi_item_delta_minus_current();
END
$$;
