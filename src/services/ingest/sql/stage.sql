-- The staging table a batch is COPYed into before one merge statement moves it into
-- procurement_item. Temporary (private to the connection) and emptied at every commit.
-- Raw SQL: Prisma has no COPY, and COPY + one merge is the fastest way in (DESIGN.md).
CREATE TEMP TABLE IF NOT EXISTS ingest_stage (
    source_key   TEXT NOT NULL,
    kind         "ItemKind" NOT NULL,
    channel      "ProcurementChannel" NOT NULL,
    fiscal_year  INTEGER NOT NULL,
    agency_code  TEXT NOT NULL,
    klpd_code    TEXT NOT NULL,
    title        TEXT,
    vendor_code  TEXT,
    vendor_name  TEXT,
    vendor_npwp  TEXT,
    vendor_scale "VendorScale" NOT NULL,
    value        DECIMAL(20,2),
    pdn_value    DECIMAL(20,2),
    umk_value    DECIMAL(20,2),
    is_pdn       BOOLEAN,
    is_umk       BOOLEAN,
    tkdn         DECIMAL(5,2),
    item_date    DATE,
    status       TEXT,
    counted      BOOLEAN NOT NULL,
    content_hash TEXT NOT NULL,
    raw          JSONB NOT NULL
) ON COMMIT DELETE ROWS
