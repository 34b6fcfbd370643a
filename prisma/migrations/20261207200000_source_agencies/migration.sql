-- Agencies from the source's rup/master-satker: the numeric kd_satker that Toko Daring and
-- e-Katalog v5 rows carry instead of kd_satker_str; contracts an addendum replaced.
ALTER TABLE "agency" ADD COLUMN "numeric_code" TEXT;
CREATE INDEX "agency_numeric_code_idx" ON "agency"("numeric_code");

ALTER TABLE "procurement_item" ADD COLUMN "superseded" BOOLEAN NOT NULL DEFAULT false;
