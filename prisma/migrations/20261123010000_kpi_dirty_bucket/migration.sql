-- Buckets whose items changed since the last KPI recompute (see model KpiDirtyBucket).
CREATE TABLE "kpi_dirty_bucket" (
    "id" SERIAL NOT NULL,
    "fiscal_year" INTEGER NOT NULL,
    "agency_id" INTEGER,
    "month" INTEGER,
    "run_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "kpi_dirty_bucket_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "kpi_dirty_bucket_fiscal_year_agency_id_month_idx" ON "kpi_dirty_bucket"("fiscal_year", "agency_id", "month");
