-- KPI trust and delivery (issue 6): publish gating on data versions (status, held reasons,
-- decisions), admin-editable drift rules, asynchronous CSV exports and saved views.
-- Hand-written in the shape `prisma migrate diff` produces.

-- CreateEnum
CREATE TYPE "KpiVersionStatus" AS ENUM ('PUBLISHED', 'HELD', 'REJECTED', 'ROLLED_BACK', 'SUPERSEDED');

-- CreateEnum
CREATE TYPE "KpiExportStatus" AS ENUM ('QUEUED', 'RUNNING', 'DONE', 'FAILED');

-- CreateEnum
CREATE TYPE "KpiQueryKind" AS ENUM ('SUMMARY', 'SERIES', 'RANKING', 'BREAKDOWN');

-- AlterTable
ALTER TABLE "kpi_version" ADD COLUMN "status" "KpiVersionStatus" NOT NULL DEFAULT 'PUBLISHED',
ADD COLUMN "held_reasons" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN "published_at" TIMESTAMPTZ(3),
ADD COLUMN "decided_at" TIMESTAMPTZ(3),
ADD COLUMN "decided_by" TEXT,
ADD COLUMN "decision_note" TEXT;

-- CreateTable
CREATE TABLE "kpi_drift_rule" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "max_fall_percent" DECIMAL(7,2),
    "max_rejected_percent" DECIMAL(7,2),
    "agency_zero" BOOLEAN NOT NULL DEFAULT true,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT,

    CONSTRAINT "kpi_drift_rule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kpi_export" (
    "id" TEXT NOT NULL,
    "kind" "KpiQueryKind" NOT NULL,
    "args" JSONB NOT NULL,
    "locale" TEXT NOT NULL,
    "status" "KpiExportStatus" NOT NULL DEFAULT 'QUEUED',
    "version" INTEGER,
    "as_of" DATE,
    "row_count" INTEGER,
    "file_name" TEXT,
    "content" TEXT,
    "error" TEXT,
    "requested_by" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "kpi_export_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kpi_saved_view" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "KpiQueryKind" NOT NULL,
    "args" JSONB NOT NULL,
    "pinned_version" INTEGER,
    "created_by" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kpi_saved_view_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "kpi_version_status_id_idx" ON "kpi_version"("status", "id");

-- Every version written before gating was published when it was recorded.
UPDATE "kpi_version" SET "published_at" = "created_at";
