-- Cheaper apply (issue 14). An item a run inserts is no longer journalled: its first_run_id names
-- the run, and a revert deletes the items whose first_run_id is the reverted run. A BRIN index
-- finds them: items are appended run after run, and a BRIN summary costs the apply nearly
-- nothing per item, where a journal row (or a B-tree entry) cost seconds per 10^6 items.
-- The foreign key procurement_item.agency_id → agency is dropped: ingest resolves agency_id by a
-- join on the agency table (collect.sql, agency remaps), no code deletes an agency or changes
-- its id, and checking the key cost 6–10 s of a 10^6-item apply.

-- DropForeignKey
ALTER TABLE "procurement_item" DROP CONSTRAINT "procurement_item_agency_id_fkey";

-- CreateIndex
CREATE INDEX "procurement_item_first_run_id_idx" ON "procurement_item" USING BRIN ("first_run_id");
