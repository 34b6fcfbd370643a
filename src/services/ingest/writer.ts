// Stages one batch of a run in one transaction: its valid rows are COPYed into ingest_stage_row
// (nothing reaches procurement_item before the whole snapshot is applied, apply.ts), its rejected
// rows recorded, and the run's counters and cursor moved on. A crash before COMMIT leaves nothing
// of the batch; after it, the stored cursor skips it: no row is lost or staged twice.
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { CopyLines } from './copy-text.js';
import { STAGE_COLUMNS } from './rows.js';

const sqlFile = (name: string) => readFileSync(new URL(`./sql/${name}.sql`, import.meta.url), 'utf8');

export const SQL = {
  collect: sqlFile('collect'),
  merge: sqlFile('merge'),
  withdraw: sqlFile('withdraw'),
  check: sqlFile('check'),
  revert: sqlFile('revert'),
};

const COPY_STAGE = `COPY ingest_stage_row (run_id, row_number, ${STAGE_COLUMNS.join(', ')}) FROM STDIN`;

export interface RejectedInput {
  rowNumber: number;
  sourceKey: string | null;
  reason: string;
  raw: string;
}

export interface Batch {
  /**
   * The valid rows as COPY lines (stageLine): encoded when validated, so a batch waiting to be
   * written holds their bytes rather than the parsed rows, their mapped items and their raw text.
   */
  lines: CopyLines;
  rejected: RejectedInput[];
  /** Rows received (valid, invalid and repeated). */
  fetched: number;
  pages: number;
  /** Rows dropped before staging because their key came earlier in the same batch. */
  duplicates: number;
  /** Rejected rows whose natural key could not be read at all. */
  keyless: number;
  /** Where the next page starts; null after the last page (the run then keeps the one before). */
  cursor: string | null;
  /** True when this batch holds the snapshot's last page. */
  last: boolean;
  /** The snapshot's as-of date as the feed states it (null: it does not say). */
  asOf: string | null;
  /** The snapshot's row count as the feed announces it (null: it does not say). */
  expectedRows: number | null;
  fetchMs: number;
}

async function copyLines(client: pg.PoolClient, lines: CopyLines): Promise<void> {
  const stream = client.query(copyFrom(COPY_STAGE));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  // Chunks of ~1 MB keep the socket busy with few writes.
  for (const chunk of lines.chunks()) {
    if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
  }
  stream.end();
  await done;
}

/** PostgreSQL text cannot hold NUL. */
const noNul = (text: string) => (text.includes('\0') ? text.replaceAll('\0', '') : text);

export async function stageBatch(client: pg.PoolClient, run: { id: number }, batch: Batch): Promise<void> {
  const started = Date.now();
  // Asynchronous commit for staging only: a PostgreSQL crash may then lose the last batches, but
  // each with the cursor update of its own transaction (below), so the run resumes before them
  // and stages them again. The apply commits synchronously, and its WAL flush covers these.
  await client.query('BEGIN; SET LOCAL synchronous_commit = off');
  try {
    if (batch.lines.count > 0) await copyLines(client, batch.lines);
    if (batch.rejected.length > 0) {
      await client.query(
        `INSERT INTO rejected_row (run_id, row_number, source_key, reason, raw)
         SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[])
         ON CONFLICT (run_id, row_number) DO NOTHING`,
        [
          run.id,
          batch.rejected.map((r) => r.rowNumber),
          batch.rejected.map((r) => (r.sourceKey === null ? null : noNul(r.sourceKey))),
          batch.rejected.map((r) => noNul(r.reason)),
          batch.rejected.map((r) => noNul(r.raw)),
        ],
      );
    }
    await client.query(
      `UPDATE ingest_run SET
         cursor = COALESCE($2, cursor), pages_done = $3, pages = pages + $4, fetched = fetched + $5,
         rejected = rejected + $6, duplicates = duplicates + $7, keyless_rows = keyless_rows + $8,
         fetch_ms = fetch_ms + $9, write_ms = write_ms + $10, as_of = COALESCE($11::date, as_of),
         expected_rows = COALESCE($12::int, expected_rows)
       WHERE id = $1`,
      [
        run.id,
        batch.cursor,
        batch.last,
        batch.pages,
        batch.fetched,
        batch.rejected.length,
        batch.duplicates,
        batch.keyless,
        Math.round(batch.fetchMs),
        Date.now() - started,
        batch.asOf,
        batch.expectedRows,
      ],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
