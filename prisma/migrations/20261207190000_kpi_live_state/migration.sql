-- KPI versions that can be trusted (issue 19): a year's provenance row says whether it is the live
-- state or a reconstruction of an earlier date and when later snapshots confirmed it unchanged; runs
-- a recompute accounted for are recorded once; runs of rejected or rolled-back versions are
-- quarantined until approved again; a source says when its catch-up policy cannot apply.

-- AlterEnum
ALTER TYPE "KpiVersionStatus" ADD VALUE 'UNCHANGED';

-- AlterTable
ALTER TABLE "kpi_version_year" ADD COLUMN "live" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN "confirmed_as_of" DATE,
ADD COLUMN "confirmed_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "feed_source" ADD COLUMN "catch_up_note" TEXT;

-- CreateTable
CREATE TABLE "kpi_run_consumed" (
    "run_id" INTEGER NOT NULL,
    "version_id" INTEGER,
    "consumed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kpi_run_consumed_pkey" PRIMARY KEY ("run_id")
);

-- CreateTable
CREATE TABLE "kpi_run_quarantine" (
    "run_id" INTEGER NOT NULL,
    "version_id" INTEGER NOT NULL,
    "fiscal_years" INTEGER[],
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "released_at" TIMESTAMPTZ(3),
    "released_by" TEXT,

    CONSTRAINT "kpi_run_quarantine_pkey" PRIMARY KEY ("run_id")
);

-- Runs earlier versions consumed stay consumed.
INSERT INTO "kpi_run_consumed" ("run_id", "version_id")
SELECT DISTINCT ON (r) r, v.id FROM "kpi_version" v, unnest(v.run_ids) r ORDER BY r, v.id
ON CONFLICT DO NOTHING;

-- CreateIndex
CREATE INDEX "kpi_version_year_fiscal_year_live_version_id_idx" ON "kpi_version_year"("fiscal_year", "live", "version_id");
