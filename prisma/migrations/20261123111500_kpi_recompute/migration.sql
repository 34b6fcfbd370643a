-- KPI recompute (issue 5): per-year provenance of each data version, the vendor scale, exact
-- share bases and separate unknown counts on the aggregates, items of unknown agencies kept (agency_id null),
-- the official commitment captured per version, and time-phased commitment targets.
-- Hand-written in the shape `prisma migrate diff` produces.

-- DropForeignKey
ALTER TABLE "kpi_aggregate" DROP CONSTRAINT "kpi_aggregate_agency_id_fkey";

-- DropForeignKey
ALTER TABLE "kpi_commitment" DROP CONSTRAINT "kpi_commitment_agency_id_fkey";

-- AlterTable
ALTER TABLE "kpi_version" ADD COLUMN "reason" TEXT NOT NULL DEFAULT '',
ADD COLUMN "fiscal_years" INTEGER[],
ADD COLUMN "started_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "kpi_aggregate" ALTER COLUMN "agency_id" DROP NOT NULL,
ADD COLUMN "vendor_scale" "VendorScale" NOT NULL DEFAULT 'UNKNOWN',
ADD COLUMN "unknown_value_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "unknown_umk_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "pdn_share_base" DECIMAL(20,2) NOT NULL DEFAULT 0,
ADD COLUMN "pdn_share_part" DECIMAL(20,2) NOT NULL DEFAULT 0,
ADD COLUMN "umk_share_base" DECIMAL(20,2) NOT NULL DEFAULT 0,
ADD COLUMN "umk_share_part" DECIMAL(20,2) NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "kpi_commitment" ALTER COLUMN "agency_id" DROP NOT NULL,
ADD COLUMN "official_value" DECIMAL(20,2);

-- CreateTable
CREATE TABLE "kpi_version_year" (
    "id" SERIAL NOT NULL,
    "version_id" INTEGER NOT NULL,
    "fiscal_year" INTEGER NOT NULL,
    "as_of" DATE,
    "run_ids" INTEGER[],
    "fetched_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kpi_version_year_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kpi_target_phase" (
    "id" SERIAL NOT NULL,
    "fiscal_year" INTEGER NOT NULL,
    "agency_id" INTEGER,
    "month" INTEGER NOT NULL,
    "cumulative_percent" DECIMAL(5,2) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "kpi_target_phase_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "kpi_version_year_fiscal_year_as_of_idx" ON "kpi_version_year"("fiscal_year", "as_of");

-- CreateIndex
CREATE UNIQUE INDEX "kpi_version_year_version_id_fiscal_year_key" ON "kpi_version_year"("version_id", "fiscal_year");

-- CreateIndex
CREATE INDEX "kpi_aggregate_fiscal_year_version_to_idx" ON "kpi_aggregate"("fiscal_year", "version_to");

-- CreateIndex
CREATE INDEX "kpi_commitment_fiscal_year_version_to_idx" ON "kpi_commitment"("fiscal_year", "version_to");

-- CreateIndex
CREATE INDEX "kpi_target_phase_agency_id_idx" ON "kpi_target_phase"("agency_id");

-- CreateIndex
CREATE UNIQUE INDEX "kpi_target_phase_fiscal_year_agency_id_month_key" ON "kpi_target_phase"("fiscal_year", "agency_id", "month");

-- AddForeignKey
ALTER TABLE "kpi_aggregate" ADD CONSTRAINT "kpi_aggregate_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kpi_commitment" ADD CONSTRAINT "kpi_commitment_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kpi_version_year" ADD CONSTRAINT "kpi_version_year_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "kpi_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kpi_target_phase" ADD CONSTRAINT "kpi_target_phase_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE SET NULL ON UPDATE CASCADE;
