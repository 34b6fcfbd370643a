-- Agencies from the source's rup/master-satker: the numeric kd_satker that Toko Daring and
-- e-Katalog v5 rows carry instead of kd_satker_str; contracts an addendum replaced.
ALTER TABLE "agency" ADD COLUMN "numeric_code" TEXT;
CREATE INDEX "agency_numeric_code_idx" ON "agency"("numeric_code");

ALTER TABLE "procurement_item" ADD COLUMN "superseded" BOOLEAN NOT NULL DEFAULT false;

-- Beside the unknown counts: the value resting on unknown PDN, and suspect realisation (count and
-- value; the test is src/feed/mapping.ts's SUSPECT_SQL), so an answer shows how much of a figure
-- rests on rows that look wrong.
ALTER TABLE "kpi_aggregate" ADD COLUMN "unknown_pdn_amount" DECIMAL(20,2) NOT NULL DEFAULT 0;
ALTER TABLE "kpi_aggregate" ADD COLUMN "suspect_count" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "kpi_aggregate" ADD COLUMN "suspect_value" DECIMAL(20,2) NOT NULL DEFAULT 0;
