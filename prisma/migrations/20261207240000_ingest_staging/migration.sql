-- All-or-nothing ingest (issue 24): a run stages its snapshot and applies it once, complete and
-- accepted; a suspicious one is held for an operator. Each apply journals the items' previous
-- state so a run can be reverted; each attempt of a run is kept. Hand-written in the shape
-- `prisma migrate diff` produces.

-- AlterEnum
ALTER TYPE "RunStatus" ADD VALUE 'HELD';
ALTER TYPE "RunStatus" ADD VALUE 'MISSED';

-- AlterTable
ALTER TABLE "ingest_run" ADD COLUMN "held_reason" TEXT,
ADD COLUMN "expected_rows" INTEGER,
ADD COLUMN "keyless_rows" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "decided_at" TIMESTAMPTZ(3),
ADD COLUMN "decision_note" TEXT,
ADD COLUMN "applied_at" TIMESTAMPTZ(3),
ADD COLUMN "reverted_at" TIMESTAMPTZ(3);

-- DropTable
DROP TABLE "ingest_seen_key";

-- CreateTable
CREATE TABLE "ingest_stage_row" (
    "run_id" INTEGER NOT NULL,
    "row_number" INTEGER NOT NULL,
    "source_key" TEXT NOT NULL,
    "kind" "ItemKind" NOT NULL,
    "channel" "ProcurementChannel" NOT NULL,
    "fiscal_year" INTEGER NOT NULL,
    "agency_code" TEXT NOT NULL,
    "klpd_code" TEXT NOT NULL,
    "title" TEXT,
    "vendor_code" TEXT,
    "vendor_name" TEXT,
    "vendor_npwp" TEXT,
    "vendor_scale" "VendorScale" NOT NULL,
    "value" DECIMAL(20,2),
    "pdn_value" DECIMAL(20,2),
    "umk_value" DECIMAL(20,2),
    "is_pdn" BOOLEAN,
    "is_umk" BOOLEAN,
    "tkdn" DECIMAL(5,2),
    "item_date" DATE,
    "status" TEXT,
    "counted" BOOLEAN NOT NULL,
    "content_hash" TEXT NOT NULL,
    "raw" JSONB NOT NULL,

    CONSTRAINT "ingest_stage_row_pkey" PRIMARY KEY ("run_id","row_number")
);

-- CreateTable
CREATE TABLE "ingest_item_journal" (
    "run_id" INTEGER NOT NULL,
    "item_id" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "previous" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ingest_item_journal_pkey" PRIMARY KEY ("run_id","item_id")
);

-- CreateTable
CREATE TABLE "ingest_run_attempt" (
    "id" SERIAL NOT NULL,
    "run_id" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "outcome" TEXT,
    "error" TEXT,

    CONSTRAINT "ingest_run_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ingest_run_attempt_run_id_attempt_key" ON "ingest_run_attempt"("run_id", "attempt");

-- CreateIndex
CREATE INDEX "ingest_run_source_id_status_idx" ON "ingest_run"("source_id", "status");

-- AddForeignKey
ALTER TABLE "ingest_run_attempt" ADD CONSTRAINT "ingest_run_attempt_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "ingest_run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
