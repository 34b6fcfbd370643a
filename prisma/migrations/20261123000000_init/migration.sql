-- Initial schema. Written by hand (Prisma's schema engine cannot be downloaded here) in the
-- shape `prisma migrate diff` produces; test/integration/schema-agreement.test.ts proves it
-- matches schema.prisma.

CREATE TYPE "AgencyKind" AS ENUM ('PROVINCE', 'DINAS', 'BADAN', 'BIRO', 'KOTA_ADMINISTRASI', 'SEKRETARIAT', 'RSUD', 'UPT', 'OTHER');
CREATE TYPE "ItemKind" AS ENUM ('PLAN', 'REALISATION');
CREATE TYPE "ProcurementChannel" AS ENUM ('TENDER', 'NON_TENDER', 'PENCATATAN', 'E_KATALOG', 'TOKO_DARING', 'SWAKELOLA', 'RUP', 'OTHER');
CREATE TYPE "VendorScale" AS ENUM ('MICRO', 'SMALL', 'MEDIUM', 'LARGE', 'KOPERASI', 'UNKNOWN');
CREATE TYPE "CatchUpPolicy" AS ENUM ('SKIP', 'RUN_ONCE', 'BACKFILL');
CREATE TYPE "RunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');
CREATE TYPE "RunTrigger" AS ENUM ('SCHEDULE', 'STARTUP', 'CATCH_UP', 'MANUAL', 'REPLAY', 'FILE');
CREATE TYPE "EventStatus" AS ENUM ('DRAFT', 'PUBLISHED', 'DONE', 'CANCELLED');
CREATE TYPE "SessionKind" AS ENUM ('OPENING', 'SOSIALISASI', 'BIMBINGAN_TEKNIS', 'CONSULTATION', 'SIINAS_REGISTRATION', 'SHOWCASE', 'OTHER');
CREATE TYPE "ExhibitorScale" AS ENUM ('MICRO', 'SMALL', 'MEDIUM', 'LARGE', 'KOPERASI');
CREATE TYPE "Role" AS ENUM ('ANALYST', 'ADMIN');

CREATE TABLE "agency" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "AgencyKind" NOT NULL DEFAULT 'OTHER',
    "klpd_code" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "parent_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "agency_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "fiscal_target" (
    "id" SERIAL NOT NULL,
    "fiscal_year" INTEGER NOT NULL,
    "agency_id" INTEGER NOT NULL,
    "official_commitment" DECIMAL(20,2),
    "pdn_share_target" DECIMAL(5,2) NOT NULL DEFAULT 95,
    "umk_share_target" DECIMAL(5,2) NOT NULL DEFAULT 40,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "fiscal_target_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "procurement_item" (
    "id" SERIAL NOT NULL,
    "dataset" TEXT NOT NULL,
    "source_key" TEXT NOT NULL,
    "kind" "ItemKind" NOT NULL,
    "channel" "ProcurementChannel" NOT NULL,
    "fiscal_year" INTEGER NOT NULL,
    "agency_code" TEXT NOT NULL,
    "agency_id" INTEGER,
    "title" TEXT,
    "vendor_code" TEXT,
    "vendor_name" TEXT,
    "vendor_npwp" TEXT,
    "vendor_scale" "VendorScale" NOT NULL DEFAULT 'UNKNOWN',
    "value" DECIMAL(20,2),
    "pdn_value" DECIMAL(20,2),
    "umk_value" DECIMAL(20,2),
    "is_pdn" BOOLEAN,
    "is_umk" BOOLEAN,
    "tkdn" DECIMAL(5,2),
    "item_date" DATE,
    "status" TEXT,
    "counted" BOOLEAN NOT NULL DEFAULT false,
    "content_hash" TEXT NOT NULL,
    "raw" JSONB NOT NULL,
    "first_run_id" INTEGER,
    "last_run_id" INTEGER,
    "withdrawn_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "procurement_item_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "feed_source" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "dataset" TEXT NOT NULL,
    "klpd_code" TEXT NOT NULL,
    "fiscal_year" INTEGER NOT NULL,
    "cron" TEXT NOT NULL DEFAULT '0 * * * *',
    "timezone" TEXT NOT NULL DEFAULT 'Asia/Jakarta',
    "catch_up" "CatchUpPolicy" NOT NULL DEFAULT 'RUN_ONCE',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "last_run_at" TIMESTAMPTZ(3),
    "last_success_at" TIMESTAMPTZ(3),
    "last_snapshot_as_of" DATE,
    "last_snapshot_run_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "feed_source_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "ingest_run" (
    "id" SERIAL NOT NULL,
    "source_id" INTEGER,
    "dataset" TEXT NOT NULL,
    "trigger" "RunTrigger" NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'QUEUED',
    "as_of" DATE,
    "job_id" TEXT,
    "file_name" TEXT,
    "cursor" TEXT,
    "pages" INTEGER NOT NULL DEFAULT 0,
    "fetched" INTEGER NOT NULL DEFAULT 0,
    "inserted" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "unchanged" INTEGER NOT NULL DEFAULT 0,
    "rejected" INTEGER NOT NULL DEFAULT 0,
    "withdrawn" INTEGER NOT NULL DEFAULT 0,
    "content_hash" TEXT,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ingest_run_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "rejected_row" (
    "id" SERIAL NOT NULL,
    "run_id" INTEGER NOT NULL,
    "row_number" INTEGER NOT NULL,
    "source_key" TEXT,
    "reason" TEXT NOT NULL,
    "raw" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "rejected_row_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "kpi_version" (
    "id" SERIAL NOT NULL,
    "as_of" DATE,
    "run_ids" INTEGER[],
    "inputs_hash" TEXT,
    "touched_buckets" INTEGER NOT NULL DEFAULT 0,
    "full" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "kpi_version_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "kpi_aggregate" (
    "id" SERIAL NOT NULL,
    "version_from" INTEGER NOT NULL,
    "version_to" INTEGER,
    "fiscal_year" INTEGER NOT NULL,
    "month" INTEGER NOT NULL,
    "agency_id" INTEGER NOT NULL,
    "channel" "ProcurementChannel" NOT NULL,
    "total_value" DECIMAL(20,2) NOT NULL,
    "pdn_value" DECIMAL(20,2) NOT NULL,
    "umk_value" DECIMAL(20,2) NOT NULL,
    "item_count" INTEGER NOT NULL,
    "unknown_count" INTEGER NOT NULL,
    CONSTRAINT "kpi_aggregate_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "kpi_commitment" (
    "id" SERIAL NOT NULL,
    "version_from" INTEGER NOT NULL,
    "version_to" INTEGER,
    "fiscal_year" INTEGER NOT NULL,
    "agency_id" INTEGER NOT NULL,
    "value" DECIMAL(20,2) NOT NULL,
    "package_count" INTEGER NOT NULL,
    "unknown_count" INTEGER NOT NULL,
    CONSTRAINT "kpi_commitment_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "event" (
    "id" SERIAL NOT NULL,
    "year" INTEGER NOT NULL,
    "batch_number" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "venue" TEXT NOT NULL,
    "start_date" DATE NOT NULL,
    "end_date" DATE NOT NULL,
    "status" "EventStatus" NOT NULL DEFAULT 'DRAFT',
    "description" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "event_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "session" (
    "id" SERIAL NOT NULL,
    "event_id" INTEGER NOT NULL,
    "kind" "SessionKind" NOT NULL,
    "topic" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "location" TEXT,
    "cancelled" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "session_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "exhibitor" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "search_name" TEXT NOT NULL,
    "nib" TEXT,
    "npwp" TEXT,
    "vendor_code" TEXT,
    "scale" "ExhibitorScale" NOT NULL,
    "sector" TEXT NOT NULL,
    "city" TEXT,
    "siinas_registered" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "exhibitor_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "product" (
    "id" SERIAL NOT NULL,
    "exhibitor_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "category" TEXT,
    "tkdn" DECIMAL(5,2) NOT NULL,
    "halal" BOOLEAN NOT NULL DEFAULT false,
    "ekatalog_listed" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "product_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "participation" (
    "id" SERIAL NOT NULL,
    "event_id" INTEGER NOT NULL,
    "exhibitor_id" INTEGER NOT NULL,
    "booth" TEXT,
    "registered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "participation_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "deal" (
    "id" SERIAL NOT NULL,
    "event_id" INTEGER NOT NULL,
    "agency_id" INTEGER NOT NULL,
    "exhibitor_id" INTEGER NOT NULL,
    "value" DECIMAL(20,2) NOT NULL,
    "description" TEXT,
    "signed_on" DATE NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "deal_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "api_key" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "agency_code_key" ON "agency"("code");
CREATE INDEX "agency_parent_id_idx" ON "agency"("parent_id");
CREATE UNIQUE INDEX "fiscal_target_fiscal_year_agency_id_key" ON "fiscal_target"("fiscal_year", "agency_id");
CREATE INDEX "fiscal_target_agency_id_idx" ON "fiscal_target"("agency_id");
CREATE UNIQUE INDEX "procurement_item_dataset_source_key_key" ON "procurement_item"("dataset", "source_key");
CREATE INDEX "procurement_item_fiscal_year_agency_id_item_date_idx" ON "procurement_item"("fiscal_year", "agency_id", "item_date");
CREATE INDEX "procurement_item_vendor_code_idx" ON "procurement_item"("vendor_code");
CREATE INDEX "procurement_item_vendor_npwp_idx" ON "procurement_item"("vendor_npwp");
CREATE UNIQUE INDEX "feed_source_key_key" ON "feed_source"("key");
CREATE INDEX "ingest_run_source_id_created_at_idx" ON "ingest_run"("source_id", "created_at");
CREATE INDEX "ingest_run_status_idx" ON "ingest_run"("status");
CREATE UNIQUE INDEX "rejected_row_run_id_row_number_key" ON "rejected_row"("run_id", "row_number");
CREATE INDEX "kpi_aggregate_fiscal_year_version_from_idx" ON "kpi_aggregate"("fiscal_year", "version_from");
CREATE INDEX "kpi_aggregate_agency_id_idx" ON "kpi_aggregate"("agency_id");
CREATE INDEX "kpi_commitment_fiscal_year_version_from_idx" ON "kpi_commitment"("fiscal_year", "version_from");
CREATE INDEX "kpi_commitment_agency_id_idx" ON "kpi_commitment"("agency_id");
CREATE INDEX "event_start_date_idx" ON "event"("start_date");
CREATE INDEX "event_status_idx" ON "event"("status");
CREATE UNIQUE INDEX "event_year_batch_number_key" ON "event"("year", "batch_number");
CREATE INDEX "session_event_id_starts_at_idx" ON "session"("event_id", "starts_at");
CREATE UNIQUE INDEX "exhibitor_nib_key" ON "exhibitor"("nib");
CREATE INDEX "exhibitor_search_name_idx" ON "exhibitor"("search_name");
CREATE INDEX "exhibitor_scale_idx" ON "exhibitor"("scale");
CREATE INDEX "exhibitor_sector_idx" ON "exhibitor"("sector");
CREATE INDEX "exhibitor_vendor_code_idx" ON "exhibitor"("vendor_code");
CREATE INDEX "exhibitor_npwp_idx" ON "exhibitor"("npwp");
CREATE INDEX "product_exhibitor_id_idx" ON "product"("exhibitor_id");
CREATE UNIQUE INDEX "participation_event_id_exhibitor_id_key" ON "participation"("event_id", "exhibitor_id");
CREATE INDEX "participation_exhibitor_id_idx" ON "participation"("exhibitor_id");
CREATE INDEX "deal_event_id_idx" ON "deal"("event_id");
CREATE INDEX "deal_agency_id_idx" ON "deal"("agency_id");
CREATE INDEX "deal_exhibitor_id_idx" ON "deal"("exhibitor_id");
CREATE UNIQUE INDEX "api_key_hash_key" ON "api_key"("hash");

ALTER TABLE "agency" ADD CONSTRAINT "agency_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "agency"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "fiscal_target" ADD CONSTRAINT "fiscal_target_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "procurement_item" ADD CONSTRAINT "procurement_item_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "ingest_run" ADD CONSTRAINT "ingest_run_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "feed_source"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "rejected_row" ADD CONSTRAINT "rejected_row_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "ingest_run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "kpi_aggregate" ADD CONSTRAINT "kpi_aggregate_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "kpi_commitment" ADD CONSTRAINT "kpi_commitment_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "session" ADD CONSTRAINT "session_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "product" ADD CONSTRAINT "product_exhibitor_id_fkey" FOREIGN KEY ("exhibitor_id") REFERENCES "exhibitor"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "participation" ADD CONSTRAINT "participation_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "participation" ADD CONSTRAINT "participation_exhibitor_id_fkey" FOREIGN KEY ("exhibitor_id") REFERENCES "exhibitor"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "deal" ADD CONSTRAINT "deal_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "deal" ADD CONSTRAINT "deal_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "deal" ADD CONSTRAINT "deal_exhibitor_id_fkey" FOREIGN KEY ("exhibitor_id") REFERENCES "exhibitor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
