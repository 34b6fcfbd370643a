-- A run that holds only part of a snapshot says so (issue 19): a --partial file import, which
-- withdraws nothing, or a pull that failed after some of its pages, which applied nothing.
-- Hand-written in the shape `prisma migrate diff` produces.

-- AlterTable
ALTER TABLE "ingest_run" ADD COLUMN "partial" BOOLEAN NOT NULL DEFAULT false;
