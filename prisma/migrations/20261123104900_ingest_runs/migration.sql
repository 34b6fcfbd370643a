-- Scheduled ingest (issue 4): resumable runs with their counters, schedule bookkeeping per
-- source, the withdrawal scope of items and the per-run key set. Hand-written in the shape
-- `prisma migrate diff` produces.

-- AlterTable
ALTER TABLE "procurement_item" ADD COLUMN "klpd_code" TEXT;

-- AlterTable
ALTER TABLE "feed_source" ADD COLUMN "custom_schedule" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "schedule_checked_at" TIMESTAMPTZ(3),
ADD COLUMN "missed_runs" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "current_run_id" INTEGER;

-- AlterTable
ALTER TABLE "ingest_run" ADD COLUMN "klpd_code" TEXT,
ADD COLUMN "requested_as_of" DATE,
ADD COLUMN "scheduled_for" TIMESTAMPTZ(3),
ADD COLUMN "pages_done" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "duplicates" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "unknown_agencies" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "fetch_ms" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "write_ms" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "ingest_seen_key" (
    "run_id" INTEGER NOT NULL,
    "source_key" TEXT NOT NULL,

    CONSTRAINT "ingest_seen_key_pkey" PRIMARY KEY ("run_id","source_key")
);

-- CreateIndex
CREATE INDEX "procurement_item_dataset_klpd_code_fiscal_year_idx" ON "procurement_item"("dataset", "klpd_code", "fiscal_year");

-- CreateIndex
CREATE INDEX "ingest_run_job_id_idx" ON "ingest_run"("job_id");
